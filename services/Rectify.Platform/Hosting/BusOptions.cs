namespace Rectify.Platform.Hosting;

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
    /// Gives this replica queues of its own (suffixed with the name), so each replica receives every event instead of
    /// competing for them: for gateway replicas, each with its own database. Keep it stable across restarts (a
    /// StatefulSet ordinal, gateway-0), or each restart leaves an orphan queue behind. Unset: replicas share the queues.
    /// </summary>
    public string? InstanceName { get; set; }
    /// <summary>
    /// The broker user that publishes each service's events (by service: "measures" → "rectify-measures"), where it
    /// differs from the default rectify-&lt;service&gt;. Consumers refuse an event whose user_id is not its owner's.
    /// </summary>
    public Dictionary<string, string> Publishers { get; set; } = [];

    /// <summary>Immediate retries in the consumer, before a redelivery: empty means 100 ms, 0.5 s, 2 s, 5 s.</summary>
    public List<TimeSpan> Retries { get; set; } = [];
    /// <summary>
    /// After the immediate retries, how long to wait before each redelivery of a message whose consumer still fails
    /// (a database down for minutes or hours); held by the broker, in one delay queue per interval. Empty: the default,
    /// 30 s, 2 min, 10 min, 30 min, then hourly for 24 h. When it is used up the message stays in &lt;queue&gt;_error.
    /// </summary>
    public List<TimeSpan> Redelivery { get; set; } = [];
    /// <summary>RabbitMQ: declare consumer queues (and their _error and delay queues) as quorum queues, replicated across the cluster.</summary>
    public bool QuorumQueues { get; set; } = true;
    /// <summary>Messages each consumer queue handles at once: keep it at or below the database pool.</summary>
    public int ConcurrentMessages { get; set; } = 8;

    /// <summary>
    /// Messages the broker sends ahead of the acknowledgements, per consumer queue: twice <see cref="ConcurrentMessages"/>,
    /// so a handler that finishes finds the next message waiting instead of a round trip to the broker. Unacknowledged
    /// messages go back to the queue if the process dies.
    /// </summary>
    public int Prefetch => ConcurrentMessages * 2;

    public static readonly IReadOnlyList<TimeSpan> DefaultRedelivery =
        [TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30), .. Enumerable.Repeat(TimeSpan.FromHours(1), 24)];

    public static readonly IReadOnlyList<TimeSpan> DefaultRetries =
        [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5)];

    /// <summary>The immediate retry intervals in force.</summary>
    public IReadOnlyList<TimeSpan> RetrySchedule => Retries.Count > 0 ? Retries : DefaultRetries;

    /// <summary>The redelivery intervals in force.</summary>
    public IReadOnlyList<TimeSpan> RedeliverySchedule => Redelivery.Count > 0 ? Redelivery : DefaultRedelivery;

    /// <summary>Refuses, at start, a schedule the broker cannot hold and a concurrency that would starve or flood the pool.</summary>
    public void Validate()
    {
        // The broker holds a delay as a queue's message TTL (milliseconds); below a second it is no backoff at all.
        foreach (var interval in Redelivery)
            if (interval < TimeSpan.FromSeconds(1) || interval > TimeSpan.FromDays(7))
                throw new InvalidOperationException($"Rectify:Bus:Redelivery: every interval must be between 1 second and 7 days (got {interval}).");
        // Immediate retries hold a consumer slot while they wait: short, and few.
        if (Retries.Count > 10 || Retries.Any(r => r <= TimeSpan.Zero || r > TimeSpan.FromMinutes(1)))
            throw new InvalidOperationException("Rectify:Bus:Retries: at most 10 intervals, each above zero and at most a minute.");
        if (Redelivery.Count > 100)
            throw new InvalidOperationException("Rectify:Bus:Redelivery: at most 100 intervals.");
        if (ConcurrentMessages is < 1 or > 100)
            throw new InvalidOperationException($"Rectify:Bus:ConcurrentMessages must be between 1 and 100 (got {ConcurrentMessages}).");
    }

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
