using FluentMigrator;

namespace Rectify.Gateway.Migrations;

/// <summary>
/// The gateway's read model, as the services' events built it; loaded into memory at start.
/// as_of is the time of the last event applied to a row: events may arrive out of order, and an older one is ignored.
/// </summary>
[Migration(202611240401, "Read model: units, targets, measures, reports")]
public sealed class M202611240401_Gateway : Migration
{
    public override void Up()
    {
        Create.Table("rm_units")
            .WithColumn("code").AsString(12).NotNullable().PrimaryKey("pk_rm_units")
            .WithColumn("name").AsString(100).NotNullable()
            .WithColumn("parent_code").AsString(12).Nullable()
            .WithColumn("closed_on").AsDate().Nullable();
        Create.Table("rm_targets")
            .WithColumn("village_code").AsString(12).NotNullable().PrimaryKey("pk_rm_targets")
            .WithColumn("campaign_year").AsInt32().NotNullable().PrimaryKey("pk_rm_targets")
            .WithColumn("village_name").AsString(100).NotNullable()
            .WithColumn("status").AsInt32().NotNullable()
            .WithColumn("designated_on").AsDate().NotNullable()
            .WithColumn("as_of").AsDateTime2().NotNullable();
        // Kept apart from the target: a plan's event may arrive before the designation's.
        Create.Table("rm_plans")
            .WithColumn("village_code").AsString(12).NotNullable().PrimaryKey("pk_rm_plans")
            .WithColumn("campaign_year").AsInt32().NotNullable().PrimaryKey("pk_rm_plans")
            .WithColumn("phases").AsString(2000).NotNullable();
        Create.Table("rm_measures")
            .WithColumn("id").AsString(36).NotNullable().PrimaryKey("pk_rm_measures")
            .WithColumn("village_code").AsString(12).NotNullable()
            .WithColumn("campaign_year").AsInt32().NotNullable()
            .WithColumn("deadline").AsDate().NotNullable()
            .WithColumn("status").AsInt32().NotNullable()
            .WithColumn("completed_on").AsDate().Nullable()
            .WithColumn("closed_on").AsDate().Nullable()
            .WithColumn("as_of").AsDateTime2().NotNullable();
        Create.Table("rm_reports")
            .WithColumn("unit_code").AsString(12).NotNullable().PrimaryKey("pk_rm_reports")
            .WithColumn("period").AsString(7).NotNullable().PrimaryKey("pk_rm_reports")
            .WithColumn("kind").AsInt32().NotNullable()
            .WithColumn("status").AsInt32().NotNullable()
            .WithColumn("timeliness").AsInt32().NotNullable()
            .WithColumn("totals").AsString(1000).NotNullable()
            .WithColumn("as_of").AsDateTime2().NotNullable();
    }

    public override void Down()
    {
        foreach (var table in new[] { "rm_reports", "rm_measures", "rm_plans", "rm_targets", "rm_units" }) Delete.Table(table);
    }
}
