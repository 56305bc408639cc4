using FluentMigrator;

namespace Rectify.Assessment.Migrations;

[Migration(202611240201, "Campaigns, branches, assessments, proposals, targets and their reviews")]
public sealed class M202611240201_Assessment : Migration
{
    public override void Up()
    {
        Create.Table("campaigns")
            .WithColumn("id").AsString(36).NotNullable().PrimaryKey("pk_campaigns")
            .WithColumn("county_code").AsString(12).NotNullable()
            .WithColumn("year").AsInt32().NotNullable()
            .WithColumn("settings").AsString(int.MaxValue).NotNullable()
            .WithColumn("confirmed_at").AsDateTime2().Nullable()
            .WithColumn("created_by").AsString(100).NotNullable()
            .WithColumn("created_at").AsDateTime2().NotNullable();
        Create.Index("ux_campaigns_county_year").OnTable("campaigns").OnColumn("county_code").Ascending().OnColumn("year").Ascending().WithOptions().Unique();

        // The county's villages when the campaign opened: the branches it assesses.
        Create.Table("campaign_branches")
            .WithColumn("campaign_id").AsString(36).NotNullable().PrimaryKey("pk_campaign_branches")
            .WithColumn("village_code").AsString(12).NotNullable().PrimaryKey("pk_campaign_branches")
            .WithColumn("village_name").AsString(100).NotNullable()
            .WithColumn("township_code").AsString(12).NotNullable()
            .WithColumn("township_name").AsString(100).NotNullable();

        // Every revision is kept; the latest counts.
        Create.Table("assessments")
            .WithColumn("campaign_id").AsString(36).NotNullable().PrimaryKey("pk_assessments")
            .WithColumn("village_code").AsString(12).NotNullable().PrimaryKey("pk_assessments")
            .WithColumn("revision").AsInt32().NotNullable().PrimaryKey("pk_assessments")
            .WithColumn("satisfied").AsInt32().NotNullable()
            .WithColumn("basically_satisfied").AsInt32().NotNullable()
            .WithColumn("dissatisfied").AsInt32().NotNullable()
            .WithColumn("ballots").AsInt32().NotNullable()
            .WithColumn("team_operation").AsDouble().NotNullable()
            .WithColumn("organizational_systems").AsDouble().NotNullable()
            .WithColumn("cadre_team").AsDouble().NotNullable()
            .WithColumn("vanguard_role").AsDouble().NotNullable()
            .WithColumn("findings").AsString(int.MaxValue).NotNullable()
            .WithColumn("correction_reason").AsString(1000).Nullable()
            .WithColumn("recorded_by").AsString(100).NotNullable()
            .WithColumn("recorded_at").AsDateTime2().NotNullable();

        Create.Table("proposals")
            .WithColumn("campaign_id").AsString(36).NotNullable().PrimaryKey("pk_proposals")
            .WithColumn("village_code").AsString(12).NotNullable().PrimaryKey("pk_proposals")
            .WithColumn("status").AsInt32().NotNullable()
            .WithColumn("bottom_quota").AsBoolean().NotNullable()
            .WithColumn("auto_reasons").AsString(2000).NotNullable()
            .WithColumn("review_reason").AsString(1000).Nullable()
            .WithColumn("override_reason").AsString(1000).Nullable()
            .WithColumn("reviewed_by").AsString(100).Nullable()
            .WithColumn("reviewed_at").AsDateTime2().Nullable();

        Create.Table("targets")
            .WithColumn("campaign_id").AsString(36).NotNullable().PrimaryKey("pk_targets")
            .WithColumn("village_code").AsString(12).NotNullable().PrimaryKey("pk_targets")
            .WithColumn("status").AsInt32().NotNullable()
            .WithColumn("accepted_on").AsDate().Nullable();

        // Acceptances and look-backs: appended, never changed.
        Create.Table("reviews")
            .WithColumn("id").AsInt64().PrimaryKey("pk_reviews").Identity()
            .WithColumn("campaign_id").AsString(36).NotNullable()
            .WithColumn("village_code").AsString(12).NotNullable()
            .WithColumn("kind").AsInt32().NotNullable()
            .WithColumn("held_on").AsDate().NotNullable()
            .WithColumn("score").AsDouble().NotNullable()
            .WithColumn("dissatisfied_share").AsDouble().NotNullable()
            .WithColumn("passed").AsBoolean().NotNullable()
            .WithColumn("reasons").AsString(2000).NotNullable()
            .WithColumn("status_after").AsInt32().NotNullable()
            .WithColumn("new_deadline").AsDate().Nullable()
            .WithColumn("detail").AsString(int.MaxValue).NotNullable()
            .WithColumn("recorded_by").AsString(100).NotNullable()
            .WithColumn("recorded_at").AsDateTime2().NotNullable();
        Create.Index("ix_reviews_target").OnTable("reviews").OnColumn("campaign_id").Ascending().OnColumn("village_code").Ascending().OnColumn("id").Ascending();
    }

    public override void Down()
    {
        foreach (var table in new[] { "reviews", "targets", "proposals", "assessments", "campaign_branches", "campaigns" })
            Delete.Table(table);
    }
}
