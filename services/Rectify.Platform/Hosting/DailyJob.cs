using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rectify.Kernel;
using Rectify.Platform.Storage;

namespace Rectify.Platform.Hosting;

/// <summary>
/// A job that runs at start (to catch up) and then every day at a local
/// (Asia/Shanghai) time, on the injected clock, so a fake clock drives it in tests.
/// A failed run is logged and tried again at the next time. With several replicas of a service on one database, a run
/// takes the job's lease first and holds it for <see cref="HoldFor"/>: the other replicas, waking at the same time,
/// skip it; if the holder dies, the next scheduled run of another replica finds the lease expired and runs.
/// </summary>
public abstract class DailyJob(Database database, TimeProvider clock, ILogger logger) : BackgroundService
{
    /// <summary>Far longer than a run takes, far shorter than a day.</summary>
    public static readonly TimeSpan HoldFor = TimeSpan.FromHours(1);

    private Lease? _lease;

    protected abstract bool Enabled { get; }
    protected abstract TimeOnly RunAt { get; }
    protected abstract Task RunAsync(CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            _lease ??= new Lease(database, "job:" + GetType().Name, HoldFor, clock);
            try
            {
                if (await _lease.TryAcquireAsync(stoppingToken)) await RunAsync(stoppingToken);
                else logger.LogInformation("{Job}: another replica holds it; skipped here", GetType().Name);
            }
            catch (Exception e) when (e is not OperationCanceledException) { logger.LogError(e, "{Job} failed; it runs again at the next scheduled time", GetType().Name); }
            try { await Task.Delay(UntilNextRun(clock.Now(), RunAt), clock, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    public static TimeSpan UntilNextRun(DateTimeOffset now, TimeOnly at)
    {
        var todayAt = new DateTimeOffset(DateOnly.FromDateTime(now.DateTime).ToDateTime(at), now.Offset);
        var next = todayAt > now ? todayAt : todayAt.AddDays(1);
        return next - now;
    }
}
