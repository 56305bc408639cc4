using System.Reflection;
using Dapper;
using FluentMigrator.Runner;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Rectify.Platform.Storage;

/// <summary>
/// Brings a service's database to the newest schema at start. Migrations are
/// written once with FluentMigrator, which generates each provider's DDL, so
/// the SQL Server dialect is correct by construction even where no SQL Server runs.
/// </summary>
public static class Migrator
{
    public static async Task MigrateAsync(Database database, Assembly serviceAssembly, CancellationToken ct = default)
    {
        await EnsureDatabaseExistsAsync(database, ct);
        var services = new ServiceCollection()
            .AddFluentMigratorCore()
            .ConfigureRunner(runner =>
            {
                _ = database.Provider switch
                {
                    DbProvider.Sqlite => runner.AddSQLite(),
                    DbProvider.Postgres => runner.AddPostgres(),
                    DbProvider.SqlServer => runner.AddSqlServer(),
                    _ => throw new InvalidOperationException($"Unknown provider {database.Provider}."),
                };
                runner.WithGlobalConnectionString(database.ConnectionString)
                    .ScanIn(typeof(Migrator).Assembly, serviceAssembly).For.Migrations();
            })
            .BuildServiceProvider(validateScopes: false);
        await using (services)
        {
            services.GetRequiredService<IMigrationRunner>().MigrateUp();
        }
        if (database.Provider == DbProvider.Sqlite)
        {
            // WAL lets readers go on while one writer commits; it is a property of the file, set once.
            await using var connection = await database.OpenAsync(ct);
            await connection.ExecuteAsync("PRAGMA journal_mode=WAL;");
        }
    }

    /// <summary>Creates the database itself when it is missing, so a new server needs no manual step.</summary>
    private static async Task EnsureDatabaseExistsAsync(Database database, CancellationToken ct)
    {
        switch (database.Provider)
        {
            case DbProvider.Sqlite:
                var file = new SqliteConnectionStringBuilder(database.ConnectionString).DataSource;
                var folder = Path.GetDirectoryName(Path.GetFullPath(file));
                if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
                break;
            case DbProvider.Postgres:
            {
                var target = new NpgsqlConnectionStringBuilder(database.ConnectionString);
                var admin = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Database = "postgres", Pooling = false };
                await using var connection = new NpgsqlConnection(admin.ConnectionString);
                await connection.OpenAsync(ct);
                var exists = await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM pg_database WHERE datname = @name", new { name = target.Database });
                if (exists == 0) await connection.ExecuteAsync($"CREATE DATABASE \"{target.Database!.Replace("\"", "\"\"")}\"");
                break;
            }
            case DbProvider.SqlServer:
            {
                var target = new SqlConnectionStringBuilder(database.ConnectionString);
                var admin = new SqlConnectionStringBuilder(database.ConnectionString) { InitialCatalog = "master", Pooling = false };
                await using var connection = new SqlConnection(admin.ConnectionString);
                await connection.OpenAsync(ct);
                var exists = await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM sys.databases WHERE name = @name", new { name = target.InitialCatalog });
                if (exists == 0) await connection.ExecuteAsync($"CREATE DATABASE [{target.InitialCatalog.Replace("]", "]]")}]");
                break;
            }
        }
    }
}
