using FluentMigrator;

namespace Rectify.Notifications.Migrations;

[Migration(202611240501, "Contacts, notifications (the inbox), deliveries and their attempts, digest items")]
public sealed class M202611240501_Notifications : Migration
{
    public override void Up()
    {
        Create.Table("contacts")
            .WithColumn("id").AsString(36).NotNullable().PrimaryKey("pk_contacts")
            .WithColumn("unit_code").AsString(12).NotNullable()
            .WithColumn("name").AsString(100).NotNullable()
            .WithColumn("kind").AsInt32().NotNullable()
            .WithColumn("url").AsString(1000).NotNullable()
            .WithColumn("secret").AsString(200).Nullable()
            .WithColumn("quiet_from").AsString(5).Nullable()
            .WithColumn("quiet_until").AsString(5).Nullable()
            .WithColumn("active").AsBoolean().NotNullable()
            .WithColumn("failing").AsBoolean().NotNullable()
            .WithColumn("consecutive_failures").AsInt32().NotNullable()
            .WithColumn("last_error").AsString(1000).Nullable()
            .WithColumn("created_by").AsString(100).NotNullable()
            .WithColumn("created_at").AsDateTime2().NotNullable();
        Create.Index("ix_contacts_unit").OnTable("contacts").OnColumn("unit_code").Ascending();

        // The inbox. The occurrence key makes a duplicate event, or a redelivery after a restart, add nothing.
        Create.Table("notifications")
            .WithColumn("id").AsString(36).NotNullable().PrimaryKey("pk_notifications")
            .WithColumn("occurrence_key").AsString(200).NotNullable().Unique("ux_notifications_occurrence")
            .WithColumn("unit_code").AsString(12).NotNullable()
            .WithColumn("kind").AsString(40).NotNullable()
            .WithColumn("title").AsString(200).NotNullable()
            .WithColumn("text").AsString(4000).NotNullable()
            .WithColumn("created_at").AsDateTime2().NotNullable()
            .WithColumn("read_at").AsDateTime2().Nullable()
            .WithColumn("acknowledged_at").AsDateTime2().Nullable()
            .WithColumn("acknowledged_by").AsString(100).Nullable();
        Create.Index("ix_notifications_unit").OnTable("notifications").OnColumn("unit_code").Ascending().OnColumn("created_at").Descending();

        Create.Table("deliveries")
            .WithColumn("id").AsString(36).NotNullable().PrimaryKey("pk_deliveries")
            .WithColumn("notification_id").AsString(36).NotNullable()
            .WithColumn("contact_id").AsString(36).NotNullable()
            .WithColumn("status").AsInt32().NotNullable()
            .WithColumn("attempts").AsInt32().NotNullable()
            .WithColumn("next_attempt_at").AsDateTime2().NotNullable()
            .WithColumn("sent_at").AsDateTime2().Nullable();
        Create.Index("ix_deliveries_due").OnTable("deliveries").OnColumn("status").Ascending().OnColumn("next_attempt_at").Ascending();
        Create.Index("ix_deliveries_notification").OnTable("deliveries").OnColumn("notification_id").Ascending();

        Create.Table("delivery_attempts")
            .WithColumn("id").AsInt64().PrimaryKey("pk_delivery_attempts").Identity()
            .WithColumn("delivery_id").AsString(36).NotNullable()
            .WithColumn("at").AsDateTime2().NotNullable()
            .WithColumn("status_code").AsInt32().NotNullable()
            .WithColumn("error").AsString(1000).Nullable();
        Create.Index("ix_delivery_attempts_delivery").OnTable("delivery_attempts").OnColumn("delivery_id").Ascending();

        // Townships that missed a report, gathered for the county's single daily digest.
        Create.Table("digest_items")
            .WithColumn("county_code").AsString(12).NotNullable().PrimaryKey("pk_digest_items")
            .WithColumn("period").AsString(7).NotNullable().PrimaryKey("pk_digest_items")
            .WithColumn("township_code").AsString(12).NotNullable().PrimaryKey("pk_digest_items")
            .WithColumn("township_name").AsString(100).NotNullable()
            .WithColumn("noted_on").AsDate().NotNullable()
            .WithColumn("digested").AsBoolean().NotNullable();
    }

    public override void Down()
    {
        foreach (var table in new[] { "digest_items", "delivery_attempts", "deliveries", "notifications", "contacts" }) Delete.Table(table);
    }
}
