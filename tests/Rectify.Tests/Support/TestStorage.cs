using Dapper;
using Npgsql;
using Rectify.Platform.Storage;

namespace Rectify.Tests.Support;

/// <summary>
/// Where a test host keeps its data: SQLite files in a fresh folder, or a fresh
/// database on the real PostgreSQL server named by RECTIFY_TEST_POSTGRES.
/// Locally a missing server skips the PostgreSQL tests; in CI it fails them.
/// </summary>
public abstract class TestStorage : IAsyncDisposable
{
    public abstract DbProvider Provider { get; }
    public abstract string ConnectionString(string service);
    public abstract ValueTask DisposeAsync();

    public static TestStorage Create(DbProvider provider) => provider switch
    {
        DbProvider.Sqlite => new SqliteStorage(),
        DbProvider.Postgres => new PostgresStorage(),
        _ => throw new NotSupportedException($"{provider} cannot run on this machine."),
    };

    private sealed class SqliteStorage : TestStorage
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("rectify-test-").FullName;
        public override DbProvider Provider => DbProvider.Sqlite;
        public override string ConnectionString(string service) => $"Data Source={Path.Combine(_folder, service + ".db")};Pooling=False";

        public override ValueTask DisposeAsync()
        {
            try { Directory.Delete(_folder, recursive: true); } catch (IOException) { /* a file still open; the OS temp folder is cleaned anyway */ }
            return ValueTask.CompletedTask;
        }
    }

    private sealed class PostgresStorage : TestStorage
    {
        private readonly string _server = Environments.Postgres();
        private readonly string _prefix = "rectify_test_" + Guid.NewGuid().ToString("N")[..10];
        private readonly HashSet<string> _databases = [];
        public override DbProvider Provider => DbProvider.Postgres;

        public override string ConnectionString(string service)
        {
            var name = $"{_prefix}_{service}";
            _databases.Add(name);
            return new NpgsqlConnectionStringBuilder(_server) { Database = name }.ConnectionString;
        }

        public override async ValueTask DisposeAsync()
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_server) { Database = "postgres", Pooling = false }.ConnectionString);
            await connection.OpenAsync();
            foreach (var name in _databases)
                await connection.ExecuteAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        }
    }
}

/// <summary>The real servers the tests use, as .ci/run and tests/run export them.</summary>
public static class Environments
{
    private static bool InCi => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    public static string Postgres() => Require("RECTIFY_TEST_POSTGRES", "PostgreSQL");

    public static string RabbitMq() => Require("RECTIFY_TEST_RABBITMQ", "RabbitMQ");

    private static string Require(string variable, string what)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrEmpty(value)) return value;
        if (InCi) throw new InvalidOperationException($"{variable} is not set: CI must run the {what} tests (bash tests/run starts the server).");
        Assert.Skip($"{variable} is not set; run `bash tests/run` to start {what} and run these tests.");
        return "";
    }
}
