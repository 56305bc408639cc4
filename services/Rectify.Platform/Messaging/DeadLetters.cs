using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Rectify.Platform.Messaging;

/// <summary>The consumer queues of this process, as the bus declared them; filled while the bus is configured.</summary>
public sealed class ConsumerQueues
{
    private readonly ConcurrentDictionary<string, bool> _queues = new(StringComparer.Ordinal);

    public void Add(string queue) => _queues.TryAdd(queue, true);

    public IReadOnlyList<string> All => [.. _queues.Keys.Order(StringComparer.Ordinal)];
}

/// <summary>One queue's messages that used up their redeliveries (in &lt;queue&gt;_error).</summary>
public sealed record DeadLetterCount(string Queue, long Count);

/// <summary>
/// What sits in this process's error queues, and the one way to send it back. On RabbitMQ it asks the broker over a
/// connection of its own (this process's broker user): the counts survive restarts and are the broker's. The replay
/// takes each message with basic.get, publishes it to its queue's exchange and waits for the broker's confirm before
/// acknowledging it, so the replay loses nothing; a crash between the two can only repeat a message, which the
/// idempotent consumers ignore. Standalone (in-memory bus) has no broker: the bus is the process, so it counts what
/// was moved to _error since the start and cannot replay it (the messages' effects are in the log, see docs/messaging-faults.md).
/// </summary>
public sealed class DeadLetters(ConsumerQueues queues, Func<ConnectionFactory>? broker, ILogger<DeadLetters> logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<string, long> _inProcess = new(StringComparer.Ordinal);
    private IConnection? _connection;
    private IReadOnlyList<DeadLetterCount> _lastCounts = [];

    public bool CanReplay => broker is not null;

    /// <summary>Standalone: a message moved to an in-memory _error queue.</summary>
    public void MovedInProcess(string queue) => _inProcess.AddOrUpdate(queue, 1, (_, n) => n + 1);

    /// <summary>Every consumer queue of this process with the number of messages in its _error queue (zero included).</summary>
    public async Task<IReadOnlyList<DeadLetterCount>> CountAsync(CancellationToken ct)
    {
        if (broker is null)
            return _lastCounts = [.. queues.All.Select(q => new DeadLetterCount(q, _inProcess.GetValueOrDefault(q)))];
        var counts = new List<DeadLetterCount>();
        await _gate.WaitAsync(ct);
        try
        {
            var connection = await ConnectAsync(ct);
            foreach (var queue in queues.All)
                counts.Add(new DeadLetterCount(queue, await ErrorCountAsync(connection, queue, ct)));
        }
        finally { _gate.Release(); }
        return _lastCounts = counts;
    }

    /// <summary>The counts of the last look, for the gauge (which must not block on the broker).</summary>
    public IReadOnlyList<DeadLetterCount> LastCounts => _lastCounts;

    /// <summary>
    /// Moves every message now in the _error queue of <paramref name="queue"/> (or of every consumer queue) back to its
    /// queue, with a fresh redelivery schedule. Messages that fail again meanwhile wait in a delay queue, not in _error,
    /// and at most the number there at the start is moved, so the replay ends.
    /// </summary>
    public async Task<IReadOnlyList<DeadLetterCount>> ReplayAsync(string? queue, CancellationToken ct)
    {
        if (broker is null)
            throw new InvalidOperationException("Standalone mode keeps no dead letters to replay: the in-memory bus has no broker (see docs/messaging-faults.md).");
        var targets = queue is null ? queues.All : queues.All.Where(q => q == queue).ToList();
        var replayed = new List<DeadLetterCount>();
        await _gate.WaitAsync(ct);
        try
        {
            var connection = await ConnectAsync(ct);
            foreach (var target in targets)
                replayed.Add(new DeadLetterCount(target, await ReplayQueueAsync(connection, target, ct)));
        }
        finally { _gate.Release(); }
        return replayed;
    }

    private async Task<long> ReplayQueueAsync(IConnection connection, string queue, CancellationToken ct)
    {
        var waiting = await ErrorCountAsync(connection, queue, ct);
        if (waiting == 0) return 0;
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
        long moved = 0;
        while (moved < waiting && await channel.BasicGetAsync(queue + "_error", autoAck: false, ct) is { } message)
        {
            var properties = new BasicProperties(message.BasicProperties)
            {
                Headers = new Dictionary<string, object?>(message.BasicProperties.Headers ?? new Dictionary<string, object?>()),
            };
            // A fresh schedule, and no stale reason: if it fails again, the new failure says why.
            properties.Headers.Remove(MessageHeaders.RedeliveryCount);
            foreach (var key in properties.Headers.Keys.Where(k => k.StartsWith("MT-Fault-", StringComparison.Ordinal)).ToList())
                properties.Headers.Remove(key);
            try
            {
                // To the queue's own exchange (its name): the service's user may write there, not to the default exchange.
                await channel.BasicPublishAsync(queue, "", mandatory: true, properties, message.Body, ct);
            }
            catch (RabbitMQ.Client.Exceptions.PublishException e)
            {
                await channel.BasicNackAsync(message.DeliveryTag, multiple: false, requeue: true, ct);
                throw new InvalidOperationException($"{queue}: the broker did not take the replayed message{(e.IsReturn ? " (the queue's exchange routes nowhere: is its consumer running?)" : "")}.", e);
            }
            await channel.BasicAckAsync(message.DeliveryTag, multiple: false, ct);
            moved++;
        }
        if (moved > 0) logger.LogWarning("Replayed {Count} messages from {Queue}_error to {Queue}", moved, queue, queue);
        return moved;
    }

    /// <summary>The _error queue's depth; a queue that was never declared (nothing ever failed) holds none.</summary>
    private static async Task<long> ErrorCountAsync(IConnection connection, string queue, CancellationToken ct)
    {
        // A passive declare of a missing queue closes the channel: one channel per look.
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue + "_error", ct)).MessageCount;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return 0;
        }
    }

    private async Task<IConnection> ConnectAsync(CancellationToken ct)
    {
        if (_connection is { IsOpen: true }) return _connection;
        if (_connection is not null) await _connection.DisposeAsync();
        var factory = broker!();
        factory.ClientProvidedName = "rectify-dead-letters";
        _connection = await factory.CreateConnectionAsync(ct);
        return _connection;
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync();
        _gate.Dispose();
    }
}

/// <summary>Degraded while any message sits in an error queue of this process, naming the queues and their counts.</summary>
public sealed class DeadLetterHealthCheck(DeadLetters deadLetters) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        IReadOnlyList<DeadLetterCount> counts;
        try
        {
            counts = await deadLetters.CountAsync(ct);
        }
        catch (Exception e) when (e is BrokerUnreachableException or OperationInterruptedException or AlreadyClosedException or IOException)
        {
            return HealthCheckResult.Degraded("error queues: the broker cannot be asked", e);
        }
        var waiting = counts.Where(c => c.Count > 0).ToList();
        return waiting.Count == 0
            ? HealthCheckResult.Healthy("no dead letters")
            : HealthCheckResult.Degraded(
                "dead letters: " + string.Join(", ", waiting.Select(c => $"{c.Queue}_error {c.Count}")) + " (rectify-cli dead-letters, dead-letters-replay)",
                data: waiting.ToDictionary(c => c.Queue + "_error", c => (object)c.Count));
    }
}

/// <summary>The rectify.messaging.dead_letters gauge: the error-queue depths of the last look (health checks and the RPC look).</summary>
public static class DeadLetterGauge
{
    private static readonly List<DeadLetters> Sources = [];

    static DeadLetterGauge() =>
        MessagingMetrics.Meter.CreateObservableGauge("rectify.messaging.dead_letters", Observe, unit: "{message}",
            description: "Messages in a consumer queue's _error queue: they used up their redeliveries or were refused.");

    public static void Track(DeadLetters deadLetters)
    {
        lock (Sources) Sources.Add(deadLetters);
    }

    public static void Untrack(DeadLetters deadLetters)
    {
        lock (Sources) Sources.Remove(deadLetters);
    }

    private static IEnumerable<Measurement<long>> Observe()
    {
        List<DeadLetters> sources;
        lock (Sources) sources = [.. Sources];
        return sources.SelectMany(s => s.LastCounts).Select(c => new Measurement<long>(c.Count, new KeyValuePair<string, object?>("queue", c.Queue)));
    }
}

/// <summary>Looks at the error queues every half minute, so the gauge stays current without anyone asking.</summary>
public sealed class DeadLetterMonitor(DeadLetters deadLetters, TimeProvider clock, ILogger<DeadLetterMonitor> logger) : Microsoft.Extensions.Hosting.BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        DeadLetterGauge.Track(deadLetters);
        try
        {
            using var timer = new PeriodicTimer(Interval, clock);
            do
            {
                try
                {
                    var waiting = (await deadLetters.CountAsync(stoppingToken)).Where(c => c.Count > 0).ToList();
                    if (waiting.Count > 0)
                        logger.LogWarning("Dead letters waiting: {Queues}", string.Join(", ", waiting.Select(c => $"{c.Queue}_error {c.Count}")));
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(e, "Could not count the error queues");
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        finally { DeadLetterGauge.Untrack(deadLetters); }
    }
}
