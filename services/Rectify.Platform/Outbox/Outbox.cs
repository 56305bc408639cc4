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

    /// <summary>Writes many events: one statement on PostgreSQL, one command with its parameters made once elsewhere (bulk imports).</summary>
    public static async Task PublishAllAsync(this DbSession session, IReadOnlyCollection<IIntegrationEvent> events)
    {
        const string insert = """
            INSERT INTO outbox_messages (message_id, message_type, payload, occurred_at, trace_parent)
            VALUES (@MessageId, @MessageType, @Payload, @OccurredAt, @TraceParent)
            """;
        // PostgreSQL: one statement for the whole write, its rows as arrays (a fixed five parameters however many
        // events), unnested in the events' order, so the ids keep it.
        const string unnest = """
            -- PostgreSQL only: the rows as arrays
            INSERT INTO outbox_messages (message_id, message_type, payload, occurred_at, trace_parent)
            SELECT m, t, p, o, @TraceParent
            FROM unnest(@MessageIds, @MessageTypes, @Payloads, @OccurredAts) WITH ORDINALITY AS e(m, t, p, o, n)
            ORDER BY n
            """;
        if (events.Count == 0) return;
        // The relay publishes in this trace, so the consumers' work joins the RPC that caused it.
        var traceParent = Hosting.Telemetry.CurrentTraceParent();
        // Message ids ordered by the event's time (UUID v7), so the unique index on them, and the consumers' record of
        // processed messages, grow at their end instead of at random pages.
        var rows = events.Select(e => new OutboxRow(Guid.CreateVersion7(e.OccurredAt).ToString(), EventTypes.NameOf(e.GetType()),
            JsonSerializer.Serialize(e, e.GetType(), EventTypes.Json), e.OccurredAt.UtcDateTime)).ToList();
        if (session.Sql.Provider == DbProvider.Postgres && rows.Count > 1)
            await session.ExecuteAsync(unnest, new
            {
                MessageIds = rows.Select(r => r.MessageId).ToArray(),
                MessageTypes = rows.Select(r => r.MessageType).ToArray(),
                Payloads = rows.Select(r => r.Payload).ToArray(),
                OccurredAts = rows.Select(r => r.OccurredAt).ToArray(),
                TraceParent = traceParent,
            });
        else
            await session.ExecuteEachAsync(insert, rows, ("@MessageId", r => r.MessageId), ("@MessageType", r => r.MessageType),
                ("@Payload", r => r.Payload), ("@OccurredAt", r => r.OccurredAt), ("@TraceParent", _ => traceParent));
        // Only after the commit: the relay reads committed rows.
        session.AfterCommit(Doorbell(session.Database).Notify);
    }

    private sealed record OutboxRow(string MessageId, string MessageType, string Payload, DateTime OccurredAt);

    /// <summary>Rung after a commit that wrote outbox rows, so the relay publishes at once instead of at its next poll.</summary>
    public static Doorbell Doorbell(Database database) => Doorbells.GetValue(database, _ => new Doorbell());
}
