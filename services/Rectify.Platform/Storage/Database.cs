using System.Data.Common;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Npgsql;
using Rectify.Platform.Hosting;

namespace Rectify.Platform.Storage;

/// <summary>
/// One service's database: which engine, how to connect, and its dialect.
/// Each service owns exactly one; no service reads another's tables.
/// </summary>
public class Database
{
    /// <param name="storage">The pool's bound and the connect timeout (Rectify:Storage); its defaults when not given.</param>
    public Database(string service, DbProvider provider, string connectionString, StorageOptions? storage = null)
    {
        storage ??= new StorageOptions();
        storage.Validate();
        Service = service;
        Provider = provider;
        Sql = new Sql(provider);
        var timeout = (int)Math.Ceiling(storage.ConnectionTimeout.TotalSeconds);
        // Rectify:Storage sets the pool over whatever the connection string says: one place to size it for the whole cluster.
        ConnectionString = provider switch
        {
            // Sessions in UTC so timestamps are stored as written (see TypeHandlers).
            DbProvider.Postgres => new NpgsqlConnectionStringBuilder(connectionString)
            {
                Timezone = "UTC", MaxPoolSize = storage.MaxPoolSize, Timeout = timeout,
            }.ConnectionString,
            DbProvider.SqlServer => new SqlConnectionStringBuilder(connectionString) { MaxPoolSize = storage.MaxPoolSize, ConnectTimeout = timeout }.ConnectionString,
            DbProvider.Sqlite => new SqliteConnectionStringBuilder(connectionString) { ForeignKeys = true, DefaultTimeout = 30 }.ConnectionString,
            _ => connectionString,
        };
        MaxPoolSize = provider == DbProvider.Sqlite ? null : storage.MaxPoolSize;
        TypeHandlers.Register();
        if (provider == DbProvider.Sqlite) WriterGate = new SemaphoreSlim(1, 1);
    }

    public string Service { get; }
    public DbProvider Provider { get; }
    public Sql Sql { get; }
    public string ConnectionString { get; }
    /// <summary>Most connections this process opens to the database at once; null for SQLite, which has no pool.</summary>
    public int? MaxPoolSize { get; }

    /// <summary>
    /// SQLite takes one writer at a time and makes the others sleep and retry; queueing this process's writers here
    /// instead keeps them from sleeping. Server databases take concurrent writers, so they pass straight through.
    /// </summary>
    internal SemaphoreSlim? WriterGate { get; }

    public DbConnection CreateConnection() => Provider switch
    {
        DbProvider.Sqlite => new SqliteConnection(ConnectionString),
        DbProvider.Postgres => new NpgsqlConnection(ConnectionString),
        DbProvider.SqlServer => new SqlConnection(ConnectionString),
        _ => throw new InvalidOperationException($"Unknown provider {Provider}."),
    };

    public async Task<DbConnection> OpenAsync(CancellationToken ct = default)
    {
        var connection = CreateConnection();
        try
        {
            await connection.OpenAsync(ct);
            if (Provider == DbProvider.Sqlite)
            {
                // With WAL, NORMAL syncs at checkpoints rather than at every commit: a process that dies loses nothing
                // committed; only a power cut can take the last moments back. Per connection, hence here.
                await using var pragma = connection.CreateCommand();
                pragma.CommandText = "PRAGMA synchronous=NORMAL;";
                await pragma.ExecuteNonQueryAsync(ct);
            }
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}

/// <summary>The database of the service module <typeparamref name="TService"/>, so one process can host several.</summary>
public sealed class Database<TService>(string service, DbProvider provider, string connectionString, StorageOptions? storage = null)
    : Database(service, provider, connectionString, storage);
