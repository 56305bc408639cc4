using FluentMigrator;

namespace Rectify.Gateway.Migrations;

/// <summary>
/// What the phase rule needs (the campaign's end, the plan's start) and each measure's status history, so a past
/// month is counted as it was then. Rows written before stay as they were: the new columns are nullable and a
/// measure without history is counted from its current dates.
/// </summary>
[Migration(202612100401, "Read model: campaign end and plan start for phases; measure status history")]
public sealed class M202612100401_PhasesAndHistory : Migration
{
    public override void Up()
    {
        Alter.Table("rm_targets").AddColumn("campaign_ends_on").AsDate().Nullable();
        Alter.Table("rm_plans")
            .AddColumn("starts_on").AsDate().Nullable()
            .AddColumn("campaign_ends_on").AsDate().Nullable();
        // One row per status a measure event reported: appended, never updated.
        Create.Table("rm_measure_history")
            .WithColumn("measure_id").AsString(36).NotNullable().PrimaryKey("pk_rm_measure_history")
            .WithColumn("at").AsDateTime2().NotNullable().PrimaryKey("pk_rm_measure_history")
            .WithColumn("status").AsInt32().NotNullable().PrimaryKey("pk_rm_measure_history")
            .WithColumn("on_date").AsDate().NotNullable()
            .WithColumn("deadline").AsDate().NotNullable();
    }

    public override void Down()
    {
        Delete.Table("rm_measure_history");
        Delete.Column("starts_on").Column("campaign_ends_on").FromTable("rm_plans");
        Delete.Column("campaign_ends_on").FromTable("rm_targets");
    }
}
