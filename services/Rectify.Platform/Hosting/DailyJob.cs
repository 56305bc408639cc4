using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rectify.Kernel;
using Rectify.Platform.Storage;

namespace Rectify.Platform.Hosting;

/// <summary>
/// A job that runs at start (to catch up) and then every day at a local
/// (Asia/Shanghai) time, on the injected clock, so a fake clock drives it in tests.
/// A failed run is logged and tried again at the next time. With several replicas of a service on one database, a run
/// holds the job's lease while it works and releases it when done; a replica that finds it held looks again after
/// <see cref="HoldFor"/> (the jobs catch up from what they recorded, so a later run finds the work done). A restarted
/// replica therefore runs its catch-up at start, and a holder that died frees the job when its lease expires. The next
/// run is due at the first run time after the last run began, so a run that outlasts its run time is followed at once.
/// </summary>
public abstract class DailyJob(Database database, TimeProvider clock, ILogger logger) : BackgroundService
{
    /// <summary>Far longer than a run takes, far shorter than a day.</summary>
    public static readonly TimeSpan HoldFor = TimeSpan.FromMinutes(10);

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
            var wait = (TimeSpan?)null;
            var began = clock.Now();
            try
            {
                if (await _lease.TryAcquireAsync(stoppingToken))
                    try { await RunAsync(stoppingToken); }
                    finally { await _lease.ReleaseAsync(CancellationToken.None); }
                else
                {
                    wait = HoldFor;
                    logger.LogInformation("{Job}: another replica is running it; looking again in {Wait}", GetType().Name, HoldFor);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested) { logger.LogError(e, "{Job} failed; it runs again at the next scheduled time", GetType().Name); }
            // Due from when this run began, not when it ended: a run that outlasts its run time (a long catch-up at start)
            // would otherwise skip that day's run.
            var next = began + UntilNextRun(began, RunAt) - clock.Now();
            if (next < TimeSpan.Zero) next = TimeSpan.Zero;
            try { await Task.Delay(wait is { } w && w < next ? w : next, clock, stoppingToken); }
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
