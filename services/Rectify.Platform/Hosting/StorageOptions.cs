using Rectify.Platform.Storage;

namespace Rectify.Platform.Hosting;

public sealed class StorageOptions
{
    public DbProvider Provider { get; set; } = DbProvider.Sqlite;
}
