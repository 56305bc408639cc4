using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using Rectify.Platform.Storage;

namespace Rectify.Platform.Outbox;

/// <summary>What waits in each hosted service's outbox: how many rows are not yet relayed, and how old the oldest is.</summary>
public sealed class OutboxBacklog(IReadOnlyList<Database> databases, TimeProvider clock)
{
    public sealed record Reading(string Service, long Pending, TimeSpan OldestAge);

    /// <summary>Counts on the pending index (dispatched_at IS NULL), so it stays cheap however long the outbox is.</summary>
    public async Task<IReadOnlyList<Reading>> ReadAsync(CancellationToken ct)
    {
        var readings = new List<Reading>(databases.Count);
        // Polling is not a trace of its own.
        using var quiet = SuppressInstrumentationScope.Begin();
        foreach (var database in databases)
        {
            var (pending, oldest) = await database.ReadAsync(async s => (
                await s.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outbox_messages WHERE dispatched_at IS NULL"),
                await s.ExecuteScalarAsync<object>("SELECT MIN(occurred_at) FROM outbox_messages WHERE dispatched_at IS NULL")), ct);
            var age = Instant(oldest) is { } at ? clock.GetUtcNow() - at : TimeSpan.Zero;
            readings.Add(new Reading(database.Service, pending, age < TimeSpan.Zero ? TimeSpan.Zero : age));
        }
        return readings;
    }

    /// <summary>A stored UTC instant: a DateTime from the servers, text from SQLite (an aggregate has no declared type there).</summary>
    private static DateTimeOffset? Instant(object? value) => value switch
    {
        DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
        string s => DateTimeOffset.Parse(s, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal),
        _ => null,
    };
}

/// <summary>
/// Meter "Rectify.Outbox": rectify.outbox.pending and rectify.outbox.oldest_pending_age per service, sampled in the
/// background (a scrape never waits on a database).
/// </summary>
public sealed class OutboxGauges : BackgroundService
{
    private readonly OutboxBacklog _backlog;
    private readonly TimeSpan _every;
    private volatile IReadOnlyList<OutboxBacklog.Reading> _latest = [];

    public OutboxGauges(OutboxBacklog backlog, TimeSpan every, IMeterFactory meters)
    {
        _backlog = backlog;
        _every = every;
        // From the host's factory, so the gauges go with the host.
        var meter = meters.Create("Rectify.Outbox");
        meter.CreateObservableGauge("rectify.outbox.pending", () => _latest.Select(r => new Measurement<long>(r.Pending, new KeyValuePair<string, object?>("service", r.Service))),
            unit: "{message}", description: "Outbox rows not yet relayed to the bus.");
        meter.CreateObservableGauge("rectify.outbox.oldest_pending_age", () => _latest.Select(r => new Measurement<double>(r.OldestAge.TotalSeconds, new KeyValuePair<string, object?>("service", r.Service))),
            unit: "s", description: "Age of the oldest outbox row not yet relayed (0 when none waits).");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Mechanism timing (a wall-clock period), not domain time.
        using var timer = new PeriodicTimer(_every);
        do
        {
            try { _latest = await _backlog.ReadAsync(stoppingToken); }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception) { /* the database is down: the health check says so; keep the last reading */ }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).AsTask().ContinueWith(t => !t.IsCanceled && t.Result, CancellationToken.None));
    }
}
