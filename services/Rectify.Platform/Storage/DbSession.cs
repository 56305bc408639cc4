using System.Data.Common;
using System.Diagnostics;
using Dapper;

namespace Rectify.Platform.Storage;

/// <summary>
/// Work on a service's database: a write (<see cref="DatabaseSessions.WriteAsync{T}"/>) runs in one transaction (the
/// events it publishes go into the outbox inside it: Outbox.PublishAsync); a read (<see cref="DatabaseSessions.ReadAsync{T}"/>) runs on an open connection without a transaction.
/// Queries take the session either way, so one method serves both.
/// </summary>
public sealed class DbSession(Database database, DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
{
    private readonly List<Action> _afterCommit = [];
    private DbConnection Connection { get; } = connection;
    private DbTransaction? Transaction { get; } = transaction;
    public Database Database { get; } = database;
    public Sql Sql => Database.Sql;
    public CancellationToken CancellationToken { get; } = cancellationToken;

    private CommandDefinition Command(string sql, object? param) => new(sql, param, Transaction, cancellationToken: CancellationToken);

    public Task<int> ExecuteAsync(string sql, object? param = null) => Connection.ExecuteAsync(Command(sql, param));

    public Task<IEnumerable<T>> QueryAsync<T>(string sql, object? param = null) => Connection.QueryAsync<T>(Command(sql, param));

    /// <summary>Rows one at a time as the database sends them: for exports of a whole unit, whose memory must stay flat.</summary>
    public IAsyncEnumerable<T> QueryUnbufferedAsync<T>(string sql, object? param = null) => Connection.QueryUnbufferedAsync<T>(sql, param, Transaction);

    public Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? param = null) => Connection.QuerySingleOrDefaultAsync<T>(Command(sql, param));

    public Task<T?> ExecuteScalarAsync<T>(string sql, object? param = null) => Connection.ExecuteScalarAsync<T>(Command(sql, param));

    public Task<T> QuerySingleAsync<T>(string sql, object? param = null) => Connection.QuerySingleAsync<T>(Command(sql, param));

    public Task<T?> QueryFirstOrDefaultAsync<T>(string sql, object? param = null) => Connection.QueryFirstOrDefaultAsync<T>(Command(sql, param));

    /// <summary>
    /// Runs <paramref name="sql"/> once per row on one command whose parameters are made once and given each row's values
    /// (<paramref name="columns"/>: the parameter's name and the row's value; null is written as NULL): bulk writes of
    /// thousands of rows, where Dapper builds every parameter again for each row, which costs several times the insert.
    /// Values go to the provider as they are: pass text for the domain's value types, as their type handlers would.
    /// </summary>
    public async Task<int> ExecuteEachAsync<T>(string sql, IEnumerable<T> rows, params (string Name, Func<T, object?> Value)[] columns)
    {
        await using var command = Connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = Transaction;
        var parameters = new DbParameter[columns.Length];
        for (var i = 0; i < columns.Length; i++)
        {
            parameters[i] = command.CreateParameter();
            parameters[i].ParameterName = columns[i].Name;
            command.Parameters.Add(parameters[i]);
        }
        var written = 0;
        foreach (var row in rows)
        {
            for (var i = 0; i < columns.Length; i++) parameters[i].Value = columns[i].Value(row) ?? DBNull.Value;
            written += await command.ExecuteNonQueryAsync(CancellationToken);
        }
        return written;
    }

    /// <summary>
    /// Runs <paramref name="work"/> under a savepoint: when it throws an exception that <paramref name="undo"/> accepts (a racing
    /// insert's unique violation), only its own writes are undone and the transaction goes on (PostgreSQL would otherwise
    /// refuse every later statement of the transaction); returns whether it succeeded.
    /// </summary>
    public async Task<bool> TryAsync(Func<Task> work, Func<Exception, bool> undo)
    {
        var transaction = Transaction ?? throw new InvalidOperationException("Only a write has savepoints.");
        const string savepoint = "rectify_try";
        await transaction.SaveAsync(savepoint, CancellationToken);
        try
        {
            await work();
        }
        catch (Exception e) when (undo(e))
        {
            await transaction.RollbackAsync(savepoint, CancellationToken);
            return false;
        }
        await transaction.ReleaseAsync(savepoint, CancellationToken);
        return true;
    }

    /// <summary>Runs <paramref name="action"/> once this write has committed (e.g. to wake the worker that acts on it); never on a rollback.</summary>
    public void AfterCommit(Action action)
    {
        if (Transaction is null) throw new InvalidOperationException("Only a write commits.");
        _afterCommit.Add(action);
    }

    internal void Committed()
    {
        foreach (var action in _afterCommit) action();
    }
}

public static class DatabaseSessions
{
    private static readonly AsyncLocal<bool> Writing = new();
    // One span per session, only inside a trace (SQLite has no tracing of its own; Npgsql's command spans nest in it).
    private static readonly ActivitySource Tracing = new("Rectify.Storage");

    private static Activity? Span(Database database, string what) =>
        Activity.Current is null ? null : Tracing.StartActivity($"{what} {database.Service}", ActivityKind.Internal)
            ?.SetTag("db.system", database.Provider.ToString().ToLowerInvariant()).SetTag("db.namespace", database.Service);

    /// <summary>Whether the current flow is inside <see cref="WriteAsync{T}"/>: remote calls refuse to run there (ServiceClients).</summary>
    public static bool InWrite => Writing.Value;

    /// <summary>Runs <paramref name="work"/> in one transaction, then what it asked to run after the commit.</summary>
    public static async Task<T> WriteAsync<T>(this Database database, Func<DbSession, Task<T>> work, CancellationToken ct = default)
    {
        using var span = Span(database, "db write");
        if (database.WriterGate is { } gate) await gate.WaitAsync(ct);
        // Set inside this async method, so it flows to the work it calls and is gone again for the caller.
        Writing.Value = true;
        try
        {
            await using var connection = await database.OpenAsync(ct);
            await using var transaction = await connection.BeginTransactionAsync(ct);
            var session = new DbSession(database, connection, transaction, ct);
            var result = await work(session);
            await transaction.CommitAsync(ct);
            session.Committed();
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
        using var span = Span(database, "db read");
        await using var connection = await database.OpenAsync(ct);
        return await query(new DbSession(database, connection, null, ct));
    }
}
