using Rectify.Platform.Identity;
using Rectify.Platform.Storage;

namespace Rectify.Platform.Hosting;

/// <summary>Configuration section "Rectify": the only thing that differs between the two ways to run.</summary>
public sealed class RectifyOptions
{
    public const string Section = "Rectify";

    /// <summary>
    /// Must be said when a server database or RabbitMQ is configured: a production deployment that forgot it would
    /// otherwise run as a standalone trial (development tokens, demo data). Unset with SQLite and the in-memory bus: standalone.
    /// </summary>
    public RunMode? Mode { get; set; }
    /// <summary>Where standalone mode keeps its SQLite files.</summary>
    public string DataDirectory { get; set; } = "data";
    /// <summary>
    /// gRPC endpoint. http://: HTTP/2 only (cleartext Kestrel cannot offer both protocols on one port);
    /// https://: HTTP/1.1 and HTTP/2 chosen by ALPN, so gRPC and JSON share the port.
    /// </summary>
    public string GrpcUrl { get; set; } = "http://localhost:5400";
    /// <summary>HTTP/1.1 endpoint: /healthz and JSON. Empty, or the same https URL as GrpcUrl: no second port.</summary>
    public string HttpUrl { get; set; } = "http://localhost:5401";
    /// <summary>Load the demo data into empty services at start. Unset: only standalone on SQLite (a first try gets a county to look at).</summary>
    public bool? Demo { get; set; }
    /// <summary>Largest request message accepted, in bytes; larger ones get ResourceExhausted.</summary>
    public int MaxRequestBytes { get; set; } = 4 * 1024 * 1024;
    /// <summary>
    /// Longest a server stream (a dashboard's watch, an export) may run before it is ended with Unavailable and the
    /// client reconnects; a stream also ends, with Unauthenticated, when the caller's token expires.
    /// </summary>
    public TimeSpan MaxStreamLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Where the other services listen, by name (e.g. "measures": "http://measures:5400"); unset means this process.</summary>
    public Dictionary<string, string> Endpoints { get; set; } = [];

    public StorageOptions Storage { get; set; } = new();
    public BusOptions Bus { get; set; } = new();
    public AuthOptions Auth { get; set; } = new();
    public TlsOptions Tls { get; set; } = new();
    public Outbox.OutboxOptions Outbox { get; set; } = new();
    /// <summary>
    /// Addresses of the reverse proxies in front of this host: only their X-Forwarded-For and X-Forwarded-Proto are
    /// believed, so that security events name the real client. Empty: no forwarded header is believed.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];

    public RunMode EffectiveMode => Mode ?? RunMode.Standalone;

    /// <summary>A server database or a real broker: what a production deployment has.</summary>
    public bool UsesServers => Storage.Provider != DbProvider.Sqlite || Bus.Transport != BusTransport.InMemory;

    /// <summary>The published development key is a trial's convenience: standalone on SQLite with the in-memory bus, nowhere else.</summary>
    public bool AcceptsDevelopmentKey => EffectiveMode == RunMode.Standalone && !UsesServers;

    public bool LoadsDemo => Demo ?? AcceptsDevelopmentKey;

    /// <summary>
    /// Where this process's issuer key is, if it holds one: the configured file, or in standalone without an
    /// authority a file in the data folder (created on first start). Null: it trusts <see cref="AuthOptions.Authority"/>.
    /// </summary>
    public string? IssuerKeyPath => Auth.SigningKeyFile
        ?? (EffectiveMode == RunMode.Standalone && Auth.Authority is null ? Path.Combine(DataDirectory, "identity-signing-key.pem") : null);

    /// <summary>Refuses configurations that would start insecurely, each with a message that says what to set.</summary>
    public void Validate()
    {
        if (Mode is null && UsesServers)
            throw new InvalidOperationException(
                "Rectify:Mode must be set (Standalone or Distributed) when a server database or RabbitMQ is configured; refusing to guess.");
        if (Auth.SigningKey is not null)
            throw new InvalidOperationException(
                "Rectify:Auth:SigningKey (a shared secret) is no longer accepted: give the identity service Rectify:Auth:SigningKeyFile (a PEM private key) and the other services Rectify:Auth:Authority with their client credentials.");
        if (Auth.AccessTokenLifetime <= TimeSpan.Zero || Auth.AccessTokenLifetime > AuthOptions.MaxAccessTokenLifetime)
            throw new InvalidOperationException($"Rectify:Auth:AccessTokenLifetime must be above zero and at most {AuthOptions.MaxAccessTokenLifetime}.");
        Storage.Validate();
        Bus.Validate();
        // Each consumer queue takes up to ConcurrentMessages connections at once: more than the pool only queues them there.
        if (Bus.Transport == BusTransport.RabbitMq && Storage.Provider != DbProvider.Sqlite && Bus.ConcurrentMessages > Storage.MaxPoolSize)
            throw new InvalidOperationException(
                $"Rectify:Bus:ConcurrentMessages ({Bus.ConcurrentMessages}) must not exceed Rectify:Storage:MaxPoolSize ({Storage.MaxPoolSize}); see docs/operations.md, Connection pools.");
        // A handled message's record must outlive every redelivery of it, or a late copy would apply twice.
        if (Outbox.KeepProcessedFor < Bus.RedeliverySchedule.Aggregate(TimeSpan.Zero, (sum, next) => sum + next))
            throw new InvalidOperationException("Rectify:Outbox:KeepProcessedFor must be at least as long as the whole Rectify:Bus:Redelivery schedule.");
        // A record of a handled message kept shorter than a redelivery can take would let a late duplicate apply twice.
        if (Outbox.KeepProcessedFor < TimeSpan.FromDays(1) || Outbox.KeepDispatchedFor < TimeSpan.Zero || Outbox.PruneEvery <= TimeSpan.Zero)
            throw new InvalidOperationException("Rectify:Outbox: KeepProcessedFor must be at least one day, KeepDispatchedFor not negative, PruneEvery above zero.");
        if (IssuerKeyPath is null && Auth.Authority is null)
            throw new InvalidOperationException(
                "Distributed mode needs Rectify:Auth:SigningKeyFile (the process hosting the identity service) or Rectify:Auth:Authority (every other process).");
        if (IssuerKeyPath is null && (Auth.ClientId is null || Auth.ClientSecret is null))
            throw new InvalidOperationException(
                "A process that trusts Rectify:Auth:Authority needs Rectify:Auth:ClientId and ClientSecret for the calls it makes as the system.");
    }
}
