using FluentMigrator;

namespace Rectify.Assessment.Migrations;

/// <summary>
/// Each target's version: 1 at its designation, +1 with every review (acceptance, look-back) in the review's transaction;
/// its events carry it so a consumer keeps the newest status whatever the delivery order. A target written before counts
/// its reviews so far.
/// </summary>
[Migration(202612121201, "Targets: a version per target, carried by its events")]
public sealed class M202612121201_TargetVersions : Migration
{
    public override void Up()
    {
        Alter.Table("targets").AddColumn("version").AsInt64().NotNullable().WithDefaultValue(1);
        Execute.Sql("""
            UPDATE targets SET version = 1 + (SELECT COUNT(*) FROM reviews r WHERE r.campaign_id = targets.campaign_id AND r.village_code = targets.village_code)
            WHERE EXISTS (SELECT 1 FROM reviews r WHERE r.campaign_id = targets.campaign_id AND r.village_code = targets.village_code)
            """);
    }

    public override void Down() => Delete.Column("version").FromTable("targets");
}
