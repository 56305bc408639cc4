using FluentMigrator;

namespace Rectify.Measures.Migrations;

/// <summary>
/// Each measure's version: 1 at creation, +1 with every change, in the change's transaction; events carry it so a
/// consumer keeps the newest state whatever the delivery order. A measure written before counts its changes so far
/// (one history row per change, its creation included).
/// </summary>
[Migration(202612121101, "Measures: a version per measure, carried by its events")]
public sealed class M202612121101_MeasureVersions : Migration
{
    public override void Up()
    {
        Alter.Table("measures").AddColumn("version").AsInt64().NotNullable().WithDefaultValue(1);
        Execute.Sql("""
            UPDATE measures SET version = (SELECT COUNT(*) FROM measure_changes c WHERE c.measure_id = measures.id)
            WHERE EXISTS (SELECT 1 FROM measure_changes c WHERE c.measure_id = measures.id)
            """);
    }

    public override void Down() => Delete.Column("version").FromTable("measures");
}
