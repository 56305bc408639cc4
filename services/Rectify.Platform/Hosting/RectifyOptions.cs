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
    /// <summary>
    /// amqp://host:5672/vhost, or amqps://host:5671/vhost for TLS. The user may be in the URI (user:password@) or in
    /// <see cref="Username"/> and <see cref="Password"/>, which win.
    /// </summary>
    public string RabbitMqUri { get; set; } = "amqp://localhost:5672/";
    /// <summary>This process's broker user: every message it sends carries it as the AMQP user_id, which the broker validates.</summary>
    public string? Username { get; set; }
    public string? Password { get; set; }
    /// <summary>PEM file of the CA that signed the broker's certificate, for amqps:// when it is not in the system's trust store.</summary>
    public string? CaCertificateFile { get; set; }
    /// <summary>Prefixed to queue names, so several deployments (or test runs) can share a broker.</summary>
    public string QueuePrefix { get; set; } = "";
    /// <summary>
    /// The broker user that publishes each service's events (by service: "measures" → "rectify-measures"), where it
    /// differs from the default rectify-&lt;service&gt;. Consumers refuse an event whose user_id is not its owner's.
    /// </summary>
    public Dictionary<string, string> Publishers { get; set; } = [];

    /// <summary>The broker user that must have published the events of <paramref name="service"/>.</summary>
    public string PublisherOf(string service) => Publishers.GetValueOrDefault(service) ?? "rectify-" + service;

    /// <summary>The user this process logs in to the broker as; empty when none is configured.</summary>
    public string BrokerUser()
    {
        if (!string.IsNullOrEmpty(Username)) return Username;
        var userInfo = new Uri(RabbitMqUri).UserInfo;
        return userInfo.Length == 0 ? "" : Uri.UnescapeDataString(userInfo.Split(':')[0].Replace("+", "%2B"));
    }
}
