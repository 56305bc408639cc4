using System.Runtime.CompilerServices;
using System.Text.Json;
using Rectify.Events;
using Rectify.Platform.Storage;

namespace Rectify.Platform.Outbox;

/// <summary>
/// The transactional outbox: events published in a write are rows of outbox_messages in the same transaction, so a
/// change and its events commit or vanish together; <see cref="OutboxRelay{TService}"/> then puts them on the bus.
/// </summary>
public static class Outbox
{
    private static readonly ConditionalWeakTable<Database, Doorbell> Doorbells = [];

    public static Task PublishAsync(this DbSession session, IIntegrationEvent @event) => session.PublishAllAsync([@event]);

    /// <summary>Writes many events with one prepared statement (bulk imports).</summary>
    public static async Task PublishAllAsync(this DbSession session, IReadOnlyCollection<IIntegrationEvent> events)
    {
        const string insert = """
            INSERT INTO outbox_messages (message_id, message_type, payload, occurred_at, trace_parent)
            VALUES (@MessageId, @MessageType, @Payload, @OccurredAt, @TraceParent)
            """;
        if (events.Count == 0) return;
        // The relay publishes in this trace, so the consumers' work joins the RPC that caused it.
        var traceParent = Hosting.Telemetry.CurrentTraceParent();
        // Message ids ordered by the event's time (UUID v7), so the unique index on them, and the consumers' record of
        // processed messages, grow at their end instead of at random pages.
        await session.ExecuteEachAsync(insert, events, ("@MessageId", e => Guid.CreateVersion7(e.OccurredAt).ToString()), ("@MessageType", e => EventTypes.NameOf(e.GetType())),
            ("@Payload", e => JsonSerializer.Serialize(e, e.GetType(), EventTypes.Json)), ("@OccurredAt", e => e.OccurredAt.UtcDateTime),
            ("@TraceParent", _ => traceParent));
        // Only after the commit: the relay reads committed rows.
        session.AfterCommit(Doorbell(session.Database).Notify);
    }

    /// <summary>Rung after a commit that wrote outbox rows, so the relay publishes at once instead of at its next poll.</summary>
    public static Doorbell Doorbell(Database database) => Doorbells.GetValue(database, _ => new Doorbell());
}
