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
