using FluentMigrator;

namespace Rectify.Platform.Outbox;

/// <summary>
/// Each outbox row keeps the W3C traceparent of the work that wrote it, so the relay publishes it in the same trace
/// and a consumer's work joins the trace of the RPC that caused it. Rows written before it have none.
/// </summary>
[Migration(202612120901, "Outbox rows carry their trace context")]
public sealed class TraceParentMigration : Migration
{
    public override void Up() => Alter.Table("outbox_messages").AddColumn("trace_parent").AsString(64).Nullable();

    public override void Down() => Delete.Column("trace_parent").FromTable("outbox_messages");
}
