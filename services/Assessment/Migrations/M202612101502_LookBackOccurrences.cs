using FluentMigrator;

namespace Rectify.Assessment.Migrations;

[Migration(202612101502, "Look-back occurrences: each reminder of a 回头看 published once")]
public sealed class M202612101502_LookBackOccurrences : Migration
{
    public override void Up() =>
        Create.Table("look_back_occurrences")
            .WithColumn("occurrence_key").AsString(200).NotNullable().PrimaryKey("pk_look_back_occurrences")
            .WithColumn("campaign_id").AsString(36).NotNullable()
            .WithColumn("village_code").AsString(12).NotNullable()
            .WithColumn("scan_date").AsDate().NotNullable()
            .WithColumn("recorded_at").AsDateTime2().NotNullable();

    public override void Down() => Delete.Table("look_back_occurrences");
}
