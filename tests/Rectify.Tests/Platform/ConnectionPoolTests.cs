using Dapper;
using Npgsql;
using Rectify.Kernel;
using Rectify.Organizations;
using Rectify.Organizations.V1;
using Rectify.Platform.Hosting;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;

namespace Rectify.Tests.Platform;

/// <summary>Rectify:Storage:MaxPoolSize bounds what one process holds on the database server, whatever the burst.</summary>
public sealed class ConnectionPoolTests
{
    private const string Province = "360000000000";

    [Fact]
    public async Task A_burst_of_50_concurrent_reads_holds_at_most_the_pool_on_PostgreSQL_and_every_read_succeeds()
    {
        var ct = TestContext.Current.CancellationToken;
        // The control first: the same burst with a larger pool does open more than 3, so the bound below is the pool's doing.
        var unbounded = await BurstAsync(maxPoolSize: 20, ct);
        Assert.True(unbounded > 3, $"with a pool of 20 the burst held only {unbounded} connections; the test cannot tell a bound");
        var bounded = await BurstAsync(maxPoolSize: 3, ct);
        Assert.InRange(bounded, 1, 3);
    }

    /// <summary>Runs 50 concurrent GetUnit calls, three times, and returns the most connections the host held to its database meanwhile.</summary>
    private static async Task<int> BurstAsync(int maxPoolSize, CancellationToken ct)
    {
        await using var host = await TestHost.StartAsync(DbProvider.Postgres, settings: new Dictionary<string, string?> { ["Rectify:Storage:MaxPoolSize"] = maxPoolSize.ToString() });
        using (var import = host.Organizations("000000000000", Role.Service).ImportUnits())
        {
            await import.RequestStream.WriteAsync(new ImportUnitRow { Code = Province, Name = "江西省" }, ct);
            await import.RequestStream.CompleteAsync();
            Assert.Empty((await import).Errors);
        }
        var connectionString = host.Get<Database<OrganizationsModule>>().ConnectionString;
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var observer = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false }.ConnectionString);
        await observer.OpenAsync(ct);

        var most = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                most = Math.Max(most, await observer.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = @name", new { name }));
                await Task.Delay(2, CancellationToken.None);
            }
        }, CancellationToken.None);
        var client = host.Organizations(Province, Role.Viewer);
        for (var round = 0; round < 3; round++)
        {
            var units = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => client.GetUnitAsync(new GetUnitRequest { Code = Province }, cancellationToken: ct).ResponseAsync));
            Assert.All(units, u => Assert.Equal("江西省", u.Name));
        }
        await stop.CancelAsync();
        await sampler;
        return most;
    }

    [Fact]
    public void The_pool_and_timeout_reach_the_PostgreSQL_and_SQL_Server_connection_strings_and_nonsense_is_refused()
    {
        var storage = new StorageOptions { MaxPoolSize = 7, ConnectionTimeout = TimeSpan.FromSeconds(9) };
        var postgres = new NpgsqlConnectionStringBuilder(new Database("p", DbProvider.Postgres, "Host=db;Database=x;Maximum Pool Size=100", storage).ConnectionString);
        Assert.Equal((7, 9), (postgres.MaxPoolSize, postgres.Timeout));
        var sqlServer = new Microsoft.Data.SqlClient.SqlConnectionStringBuilder(new Database("s", DbProvider.SqlServer, "Server=db;Database=x", storage).ConnectionString);
        Assert.Equal((7, 9), (sqlServer.MaxPoolSize, sqlServer.ConnectTimeout));
        Assert.Equal(12, new NpgsqlConnectionStringBuilder(new Database("d", DbProvider.Postgres, "Host=db;Database=x").ConnectionString).MaxPoolSize);

        foreach (var bad in new[] { new StorageOptions { MaxPoolSize = 0 }, new StorageOptions { MaxPoolSize = 1001 }, new StorageOptions { ConnectionTimeout = TimeSpan.Zero } })
        {
            var refused = Assert.Throws<InvalidOperationException>(new RectifyOptions { Storage = bad }.Validate);
            Assert.Contains("Rectify:Storage:", refused.Message);
        }
    }
}
