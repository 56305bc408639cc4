using System.Data.Common;
using System.Text.Json;
using Dapper;
using Rectify.Events;
using Rectify.Platform.Messaging;

namespace Rectify.Platform.Storage;

/// <summary>
/// Work on a service's database: a write (<see cref="DatabaseSessions.WriteAsync{T}"/>) runs in one transaction, and
/// events published there are written to the outbox table inside it, so a change and its events commit or vanish
/// together; a read (<see cref="DatabaseSessions.ReadAsync{T}"/>) runs on an open connection without a transaction.
/// Queries take the session either way, so one method serves both.
/// </summary>
public sealed class DbSession(DbConnection connection, DbTransaction? transaction, Sql sql, CancellationToken cancellationToken)
{
    private DbConnection Connection { get; } = connection;
    private DbTransaction? Transaction { get; } = transaction;
    public Sql Sql { get; } = sql;
    public CancellationToken CancellationToken { get; } = cancellationToken;
    internal int Published { get; private set; }

    private CommandDefinition Command(string sql, object? param) => new(sql, param, Transaction, cancellationToken: CancellationToken);

    public Task<int> ExecuteAsync(string sql, object? param = null) => Connection.ExecuteAsync(Command(sql, param));

    public Task<IEnumerable<T>> QueryAsync<T>(string sql, object? param = null) => Connection.QueryAsync<T>(Command(sql, param));

    public Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? param = null) => Connection.QuerySingleOrDefaultAsync<T>(Command(sql, param));

    public Task<T?> ExecuteScalarAsync<T>(string sql, object? param = null) => Connection.ExecuteScalarAsync<T>(Command(sql, param));

    public Task<T> QuerySingleAsync<T>(string sql, object? param = null) => Connection.QuerySingleAsync<T>(Command(sql, param));

    public Task<T?> QueryFirstOrDefaultAsync<T>(string sql, object? param = null) => Connection.QueryFirstOrDefaultAsync<T>(Command(sql, param));

    public Task PublishAsync(IIntegrationEvent @event) => PublishAllAsync([@event]);

    /// <summary>Writes many events with one prepared statement (bulk imports).</summary>
    public async Task PublishAllAsync(IReadOnlyCollection<IIntegrationEvent> events)
    {
        if (Transaction is null) throw new InvalidOperationException("Events are published only inside a write, with the change they announce.");
        const string insert = """
            INSERT INTO outbox_messages (message_id, message_type, payload, occurred_at)
            VALUES (@MessageId, @MessageType, @Payload, @OccurredAt)
            """;
        if (events.Count == 0) return;
        await ExecuteAsync(insert, events.Select(e => new
        {
            MessageId = Guid.NewGuid().ToString(),
            MessageType = EventTypes.NameOf(e.GetType()),
            Payload = JsonSerializer.Serialize(e, e.GetType(), EventTypes.Json),
            OccurredAt = e.OccurredAt.UtcDateTime,
        }).ToList());
        Published += events.Count;
    }
}

public static class DatabaseSessions
{
    private static readonly AsyncLocal<bool> Writing = new();

    /// <summary>Whether the current flow is inside <see cref="WriteAsync{T}"/>: remote calls refuse to run there (ServiceClients).</summary>
    public static bool InWrite => Writing.Value;

    /// <summary>Runs <paramref name="work"/> in one transaction and wakes the outbox relay if it published.</summary>
    public static async Task<T> WriteAsync<T>(this Database database, Func<DbSession, Task<T>> work, CancellationToken ct = default)
    {
        if (database.WriterGate is { } gate) await gate.WaitAsync(ct);
        // Set inside this async method, so it flows to the work it calls and is gone again for the caller.
        Writing.Value = true;
        try
        {
            await using var connection = await database.OpenAsync(ct);
            await using var transaction = await connection.BeginTransactionAsync(ct);
            var session = new DbSession(connection, transaction, database.Sql, ct);
            var result = await work(session);
            await transaction.CommitAsync(ct);
            if (session.Published > 0) database.OutboxSignal.Notify();
            return result;
        }
        finally
        {
            database.WriterGate?.Release();
        }
    }

    public static Task WriteAsync(this Database database, Func<DbSession, Task> work, CancellationToken ct = default) =>
        database.WriteAsync(async session => { await work(session); return true; }, ct);

    /// <summary>Runs read-only queries on one open connection, without a transaction.</summary>
    public static async Task<T> ReadAsync<T>(this Database database, Func<DbSession, Task<T>> query, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return await query(new DbSession(connection, null, database.Sql, ct));
    }
}
