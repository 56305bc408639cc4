using FluentMigrator;

namespace Rectify.Reporting.Migrations;

[Migration(202611240301, "Target directory, reports and their revisions, push requests, exceptions, reminders")]
public sealed class M202611240301_Reporting : Migration
{
    public override void Up()
    {
        // Who is expected to report: the designated targets, by township, and the units closed since.
        Create.Table("directory_targets")
            .WithColumn("village_code").AsString(12).NotNullable().PrimaryKey("pk_directory_targets")
            .WithColumn("campaign_year").AsInt32().NotNullable().PrimaryKey("pk_directory_targets")
            .WithColumn("village_name").AsString(100).NotNullable()
            .WithColumn("township_code").AsString(12).NotNullable()
            .WithColumn("township_name").AsString(100).NotNullable()
            .WithColumn("county_code").AsString(12).NotNullable()
            .WithColumn("designated_on").AsDate().NotNullable();
        Create.Index("ix_directory_targets_township").OnTable("directory_targets").OnColumn("township_code").Ascending().OnColumn("campaign_year").Ascending();
        Create.Table("directory_closures")
            .WithColumn("code").AsString(12).NotNullable().PrimaryKey("pk_directory_closures")
            .WithColumn("closed_on").AsDate().NotNullable();

        // Every revision of every report is kept.
        Create.Table("reports")
            .WithColumn("id").AsString(36).NotNullable().PrimaryKey("pk_reports")
            .WithColumn("kind").AsInt32().NotNullable()
            .WithColumn("unit_code").AsString(12).NotNullable()
            .WithColumn("unit_name").AsString(100).NotNullable()
            .WithColumn("county_code").AsString(12).NotNullable()
            .WithColumn("period").AsString(7).NotNullable()
            .WithColumn("revision").AsInt32().NotNullable()
            .WithColumn("status").AsInt32().NotNullable()
            .WithColumn("timeliness").AsInt32().Nullable()
            .WithColumn("submitted_on").AsDate().Nullable()
            .WithColumn("content").AsString(int.MaxValue).NotNullable()
            .WithColumn("return_reason").AsString(1000).Nullable()
            .WithColumn("reviewed_by").AsString(100).Nullable()
            .WithColumn("updated_by").AsString(100).NotNullable()
            .WithColumn("updated_at").AsDateTime2().NotNullable();
        Create.Index("ux_reports_unit_period_revision").OnTable("reports")
            .OnColumn("unit_code").Ascending().OnColumn("period").Ascending().OnColumn("revision").Ascending().WithOptions().Unique();
        Create.Index("ix_reports_county_period").OnTable("reports").OnColumn("county_code").Ascending().OnColumn("period").Ascending();

        // A push's client request id and the answer it got: a retried push gets the same answer and writes nothing.
        Create.Table("push_requests")
            .WithColumn("client_request_id").AsString(64).NotNullable().PrimaryKey("pk_push_requests")
            .WithColumn("unit_code").AsString(12).NotNullable()
            .WithColumn("response").AsString(int.MaxValue).NotNullable()
            .WithColumn("recorded_at").AsDateTime2().NotNullable();

        // 补报: the county lets a township submit after the lock, until a date.
        Create.Table("reporting_exceptions")
            .WithColumn("unit_code").AsString(12).NotNullable().PrimaryKey("pk_reporting_exceptions")
            .WithColumn("period").AsString(7).NotNullable().PrimaryKey("pk_reporting_exceptions")
            .WithColumn("reason").AsString(1000).NotNullable()
            .WithColumn("until").AsDate().NotNullable()
            .WithColumn("granted_by").AsString(100).NotNullable()
            .WithColumn("granted_at").AsDateTime2().NotNullable();

        Create.Table("reminder_occurrences")
            .WithColumn("occurrence_key").AsString(120).NotNullable().PrimaryKey("pk_reminder_occurrences")
            .WithColumn("recorded_at").AsDateTime2().NotNullable();
        Create.Table("reminder_scans")
            .WithColumn("scan_date").AsDate().NotNullable().PrimaryKey("pk_reminder_scans")
            .WithColumn("finished_at").AsDateTime2().NotNullable();
    }

    public override void Down()
    {
        foreach (var table in new[] { "reminder_scans", "reminder_occurrences", "reporting_exceptions", "push_requests", "reports", "directory_closures", "directory_targets" })
            Delete.Table(table);
    }
}
