namespace Rectify.Platform.Hosting;

public enum RunMode
{
    /// <summary>One process, SQLite files, in-memory bus: one county on one small machine, or a first try.</summary>
    Standalone,
    /// <summary>One process per service, a server database, RabbitMQ.</summary>
    Distributed,
}
