using System.Data;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Dapper;
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

    /// <summary>Rows in one INSERT: 5 parameters each stays under every engine's limit (SQLite's oldest 999, SQL Server's 2,100).</summary>
    private const int RowsPerInsert = 100;

    /// <summary>Writes the events as outbox rows, many to one INSERT (one round trip for a write's few events, few for bulk imports).</summary>
    public static async Task PublishAllAsync(this DbSession session, IReadOnlyCollection<IIntegrationEvent> events)
    {
        if (events.Count == 0) return;
        // The relay publishes in this trace, so the consumers' work joins the RPC that caused it.
        var traceParent = Hosting.Telemetry.CurrentTraceParent();
        foreach (var chunk in events.Chunk(RowsPerInsert))
        {
            var sql = new StringBuilder("INSERT INTO outbox_messages (message_id, message_type, payload, occurred_at, trace_parent) VALUES ");
            var parameters = new DynamicParameters();
            parameters.Add("TraceParent", traceParent, DbType.String);
            for (var i = 0; i < chunk.Length; i++)
            {
                var e = chunk[i];
                // Parameter names only, never values, go into the statement.
                sql.Append(i == 0 ? "" : ", ").Append($"(@MessageId{i}, @MessageType{i}, @Payload{i}, @OccurredAt{i}, @TraceParent)");
                parameters.Add($"MessageId{i}", Guid.NewGuid().ToString());
                parameters.Add($"MessageType{i}", EventTypes.NameOf(e.GetType()));
                parameters.Add($"Payload{i}", JsonSerializer.Serialize(e, e.GetType(), EventTypes.Json));
                parameters.Add($"OccurredAt{i}", e.OccurredAt.UtcDateTime);
            }
            await session.ExecuteAsync(sql.ToString(), parameters);
        }
        // Only after the commit: the relay reads committed rows.
        session.AfterCommit(Doorbell(session.Database).Notify);
    }

    /// <summary>Rung after a commit that wrote outbox rows, so the relay publishes at once instead of at its next poll.</summary>
    public static Doorbell Doorbell(Database database) => Doorbells.GetValue(database, _ => new Doorbell());
}
