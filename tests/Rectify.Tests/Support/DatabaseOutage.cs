using Dapper;
using Npgsql;

namespace Rectify.Tests.Support;

/// <summary>
/// A PostgreSQL database that refuses every connection and has its open ones ended, as an outage would, until disposed
/// (or <see cref="EndAsync"/>). The fault the specs of transient failures, readiness and redelivery share.
/// </summary>
public sealed class DatabaseOutage : IAsyncDisposable
{
    private readonly string _database;
    private bool _ended;

    private DatabaseOutage(string database) => _database = database;

    public static async Task<DatabaseOutage> BeginAsync(string connectionString)
    {
        var outage = new DatabaseOutage(new NpgsqlConnectionStringBuilder(connectionString).Database!);
        await outage.AllowAsync(false);
        return outage;
    }

    public async Task EndAsync()
    {
        if (_ended) return;
        _ended = true;
        await AllowAsync(true);
    }

    public async ValueTask DisposeAsync() => await EndAsync();

    private async Task AllowAsync(bool allow)
    {
        await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Environments.Postgres()) { Database = "postgres", Pooling = false }.ConnectionString);
        await admin.OpenAsync();
        // A database name cannot be a parameter; this one is the test's own.
        await admin.ExecuteAsync($"ALTER DATABASE \"{_database}\" WITH ALLOW_CONNECTIONS {(allow ? "true" : "false")}");
        if (!allow) await admin.ExecuteAsync("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = @database", new { database = _database });
    }
}
