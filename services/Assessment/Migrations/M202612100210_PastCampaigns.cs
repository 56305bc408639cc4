using FluentMigrator;

namespace Rectify.Assessment.Migrations;

/// <summary>
/// Campaigns entered as history (an earlier year's targets, designated before this system was used) and, for their
/// targets, the decision's date and basis with who entered it and when. Existing campaigns were run here: not history.
/// </summary>
[Migration(202612100210, "Campaigns entered as history; the date and basis of a past designation")]
public sealed class M202612100210_PastCampaigns : Migration
{
    public override void Up()
    {
        Alter.Table("campaigns").AddColumn("entered_as_history").AsBoolean().NotNullable().WithDefaultValue(false);
        Alter.Table("targets")
            .AddColumn("decided_on").AsDate().Nullable()
            .AddColumn("basis").AsString(1000).Nullable()
            .AddColumn("recorded_by").AsString(100).Nullable()
            .AddColumn("recorded_at").AsDateTime2().Nullable();
    }

    public override void Down()
    {
        Delete.Column("decided_on").Column("basis").Column("recorded_by").Column("recorded_at").FromTable("targets");
        Delete.Column("entered_as_history").FromTable("campaigns");
    }
}
