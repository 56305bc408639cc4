using FluentMigrator;

namespace Rectify.Platform.Outbox;

/// <summary>Pruning finds old records of handled messages by when they were handled (OutboxRetention).</summary>
[Migration(2, "Processed messages by when they were handled")]
public sealed class ProcessedAtIndexMigration : Migration
{
    public override void Up() =>
        Create.Index("ix_processed_messages_processed_at").OnTable("processed_messages").OnColumn("processed_at").Ascending();

    public override void Down() => Delete.Index("ix_processed_messages_processed_at").OnTable("processed_messages");
}
