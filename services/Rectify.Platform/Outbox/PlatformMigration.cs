using FluentMigrator;

namespace Rectify.Platform.Outbox;

/// <summary>The tables every service has: its outbox and its record of messages already consumed.</summary>
[Migration(1, "Outbox and processed messages")]
public sealed class PlatformMigration : Migration
{
    public override void Up()
    {
        Create.Table("outbox_messages")
            .WithColumn("id").AsInt64().PrimaryKey().Identity()
            .WithColumn("message_id").AsString(36).NotNullable().Unique()
            .WithColumn("message_type").AsString(200).NotNullable()
            .WithColumn("payload").AsString(int.MaxValue).NotNullable()
            .WithColumn("occurred_at").AsDateTime2().NotNullable()
            .WithColumn("dispatched_at").AsDateTime2().Nullable();
        Create.Index("ix_outbox_messages_pending").OnTable("outbox_messages")
            .OnColumn("dispatched_at").Ascending().OnColumn("id").Ascending();

        Create.Table("processed_messages")
            .WithColumn("message_id").AsString(36).NotNullable().PrimaryKey("pk_processed_messages")
            .WithColumn("consumer").AsString(200).NotNullable().PrimaryKey("pk_processed_messages")
            .WithColumn("processed_at").AsDateTime2().NotNullable();
    }

    public override void Down()
    {
        Delete.Table("processed_messages");
        Delete.Table("outbox_messages");
    }
}
