using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using System.Diagnostics;
using System.Text.Json;
using OpenTelemetry;
using Rectify.Platform.Hosting;
using Rectify.Platform.Storage;

namespace Rectify.Platform.Outbox;

/// <summary>
/// Publishes a service's committed outbox rows to the bus, oldest first, and
/// marks them dispatched. A row is marked only after the broker accepted it, so
/// a crash in between publishes it again on restart: consumers are idempotent
/// on the message id, which is the row's. With several replicas of a service on one database, only the holder of
/// the "outbox-relay" lease relays (in id order); the others look at the lease at each poll and take over when the
/// holder stops (released) or dies (expired after <see cref="LeaseFor"/>).
/// </summary>
public sealed class OutboxRelay<TService>(Database<TService> database, IBus bus, TimeProvider clock, ILogger<OutboxRelay<TService>> logger)
    : BackgroundService
{
    /// <summary>Rows claimed and in flight at once: the more in flight, the more the broker's confirms are pipelined.</summary>
    public const int BatchSize = 1000;
    // Mechanism timing, not domain time: how often to look without a doorbell, and how long to back off when the broker refuses.
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);
    /// <summary>How long a relay that stopped renewing keeps the others waiting: the takeover time when a replica dies.</summary>
    public static readonly TimeSpan LeaseFor = TimeSpan.FromSeconds(15);

    private readonly Lease _lease = new(database, "outbox-relay", LeaseFor, clock);

    /// <summary>This relay's name in job_leases (who relays is visible there).</summary>
    public string LeaseHolder => _lease.Holder;

    private sealed record Row(long Id, string MessageId, string MessageType, string Payload, string? TraceParent);

    private static readonly ActivitySource Tracing = new("Rectify.Outbox");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(250);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await _lease.TryAcquireAsync(stoppingToken))
                    while (await RelayBatchAsync(stoppingToken) == BatchSize && _lease.Held) { }
                backoff = TimeSpan.FromMilliseconds(250);
                await Outbox.Doorbell(database).WaitAsync(PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Outbox relay of {Service} failed; retrying in {Backoff}", database.Service, backoff);
                await Task.Delay(backoff, stoppingToken).ContinueWith(_ => { }, CancellationToken.None);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await _lease.ReleaseOnStopAsync(logger, cancellationToken);
    }

    /// <summary>Publishes one row with its id as the message id, in the trace of the write that stored it.</summary>
    private async Task PublishAsync(Row row, CancellationToken ct)
    {
        var type = EventTypes.Resolve(row.MessageType);
        var message = JsonSerializer.Deserialize(row.Payload, type, EventTypes.Json)!;
        var messageId = Guid.Parse(row.MessageId);
        // MassTransit's publish span and the consumers' follow from this one.
        using var relay = Tracing.StartActivity($"outbox relay {type.Name}", ActivityKind.Internal, row.TraceParent);
        relay?.SetTag("rectify.service", database.Service);
        relay?.SetTag("messaging.message.id", row.MessageId);
        await bus.Publish(message, type, Pipe.Execute<PublishContext>(context => context.MessageId = messageId), ct);
    }

    /// <summary>Publishes one batch of pending rows; returns how many it published.</summary>
    public async Task<int> RelayBatchAsync(CancellationToken ct)
    {
        List<Row> pending;
        // Looking every second is not a trace of its own.
        using (SuppressInstrumentationScope.Begin())
            pending = (await database.ReadAsync(session => session.QueryAsync<Row>($"""
                SELECT id AS Id, message_id AS MessageId, message_type AS MessageType, payload AS Payload, trace_parent AS TraceParent
                FROM outbox_messages
                WHERE dispatched_at IS NULL
                ORDER BY id
                {database.Sql.Limit("@BatchSize")}
                """, new { BatchSize }), ct)).ToList();
        if (pending.Count == 0) return 0;
        // The whole batch is in flight at once, so the broker's confirms come back pipelined instead of one round
        // trip per row; each row is marked only once its own publish was confirmed.
        var publishes = pending.Select(row => PublishAsync(row, ct)).ToList();
        try { await Task.WhenAll(publishes); }
        catch (Exception) { /* each task's outcome is looked at below */ }
        var confirmed = pending.Where((_, i) => publishes[i].IsCompletedSuccessfully).Select(r => r.Id).ToList();
        if (confirmed.Count > 0)
            await database.WriteAsync(session => session.ExecuteAsync(
                $"UPDATE outbox_messages SET dispatched_at = @Now WHERE {database.Sql.InList("id", "@Ids")}",
                new { Now = clock.GetUtcNow().UtcDateTime, Ids = confirmed }), ct);
        // A refused publish fails the batch after the confirmed ones are marked: only the refused rows go out again.
        if (publishes.FirstOrDefault(p => !p.IsCompletedSuccessfully) is { } failed) await failed;
        return pending.Count;
    }
}
