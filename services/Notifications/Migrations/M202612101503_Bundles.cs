using FluentMigrator;

namespace Rectify.Notifications.Migrations;

/// <summary>
/// A day's occurrences of one kind go to a contact as one message: each notification keeps a one-line summary for the
/// list, and the deliveries sent together share a batch id. Contacts can be changed: who changed one last, and when.
/// Existing rows keep their values (no line: the title stands in; no batch: sent alone).
/// </summary>
[Migration(202612101503, "Notification lines and delivery batches; contact changes")]
public sealed class M202612101503_Bundles : Migration
{
    public override void Up()
    {
        Alter.Table("notifications").AddColumn("line").AsString(500).Nullable();
        Alter.Table("deliveries").AddColumn("batch_id").AsString(36).Nullable();
        Create.Index("ix_deliveries_contact").OnTable("deliveries").OnColumn("contact_id").Ascending().OnColumn("status").Ascending();
        Alter.Table("contacts").AddColumn("updated_by").AsString(100).Nullable();
        Alter.Table("contacts").AddColumn("updated_at").AsDateTime2().Nullable();
    }

    public override void Down()
    {
        Delete.Column("updated_at").Column("updated_by").FromTable("contacts");
        Delete.Index("ix_deliveries_contact").OnTable("deliveries");
        Delete.Column("batch_id").FromTable("deliveries");
        Delete.Column("line").FromTable("notifications");
    }
}
