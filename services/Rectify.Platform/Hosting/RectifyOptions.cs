using Rectify.Platform.Identity;
using Rectify.Platform.Storage;

namespace Rectify.Platform.Hosting;

public enum RunMode
{
    /// <summary>One process, SQLite files, in-memory bus: one county on one small machine, or a first try.</summary>
    Standalone,
    /// <summary>One process per service, a server database, RabbitMQ.</summary>
    Distributed,
}

public enum BusTransport
{
    InMemory,
    RabbitMq,
}

/// <summary>Configuration section "Rectify": the only thing that differs between the two ways to run.</summary>
public sealed class RectifyOptions
{
    public const string Section = "Rectify";

    public RunMode Mode { get; set; } = RunMode.Standalone;
    /// <summary>Where standalone mode keeps its SQLite files.</summary>
    public string DataDirectory { get; set; } = "data";
    /// <summary>gRPC endpoint (HTTP/2 only: cleartext Kestrel cannot offer both protocols on one port).</summary>
    public string GrpcUrl { get; set; } = "http://localhost:5400";
    /// <summary>HTTP/1.1 endpoint: /healthz and JSON.</summary>
    public string HttpUrl { get; set; } = "http://localhost:5401";
    /// <summary>Load the demo data into empty services at start. Unset: only in standalone mode (a first try gets a county to look at).</summary>
    public bool? Demo { get; set; }
    /// <summary>Largest request message accepted, in bytes; larger ones get ResourceExhausted.</summary>
    public int MaxRequestBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Where the other services listen, by name (e.g. "measures": "http://measures:5400"); unset means this process.</summary>
    public Dictionary<string, string> Endpoints { get; set; } = [];

    public StorageOptions Storage { get; set; } = new();
    public BusOptions Bus { get; set; } = new();
    public AuthOptions Auth { get; set; } = new();
}

public sealed class StorageOptions
{
    public DbProvider Provider { get; set; } = DbProvider.Sqlite;
}

public sealed class BusOptions
{
    public BusTransport Transport { get; set; } = BusTransport.InMemory;
    public string RabbitMqUri { get; set; } = "amqp://guest:guest@localhost:5672/";
    /// <summary>Prefixed to queue names, so several deployments (or test runs) can share a broker.</summary>
    public string QueuePrefix { get; set; } = "";
}
