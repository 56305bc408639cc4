using Rectify.Platform.Storage;

namespace Rectify.Platform.Hosting;

public sealed class StorageOptions
{
    public DbProvider Provider { get; set; } = DbProvider.Sqlite;

    /// <summary>
    /// Most connections this process keeps open to each of its databases (PostgreSQL and SQL Server; SQLite has no pool).
    /// Every process × every database it holds must stay under the server's max_connections (docs/operations.md): the default
    /// lets the seven processes of docker-compose.yml (7 × 12 = 84) fit a stock PostgreSQL (100, 3 kept for superusers) with
    /// room for operators, where the drivers' own default of 100 let one process take the whole server.
    /// </summary>
    public int MaxPoolSize { get; set; } = 12;

    /// <summary>How long opening a connection may wait (for the server, or for a free connection in a full pool) before it fails.</summary>
    public TimeSpan ConnectionTimeout { get; set; } = TimeSpan.FromSeconds(15);

    public const int MaxPoolSizeLimit = 1000;

    /// <summary>Refuses a pool or timeout no driver would take, with the key to set.</summary>
    public void Validate()
    {
        if (MaxPoolSize is < 1 or > MaxPoolSizeLimit)
            throw new InvalidOperationException($"Rectify:Storage:MaxPoolSize must be from 1 to {MaxPoolSizeLimit}, not {MaxPoolSize}.");
        if (ConnectionTimeout < TimeSpan.FromSeconds(1) || ConnectionTimeout > TimeSpan.FromMinutes(10))
            throw new InvalidOperationException($"Rectify:Storage:ConnectionTimeout must be from 1 second to 10 minutes, not {ConnectionTimeout}.");
    }
}
