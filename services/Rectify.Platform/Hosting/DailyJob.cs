using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rectify.Kernel;

namespace Rectify.Platform.Hosting;

/// <summary>
/// A job that runs at start (to catch up) and then every day at a local
/// (Asia/Shanghai) time, on the injected clock, so a fake clock drives it in tests.
/// A failed run is logged and tried again at the next time.
/// </summary>
public abstract class DailyJob(TimeProvider clock, ILogger logger) : BackgroundService
{
    protected abstract bool Enabled { get; }
    protected abstract TimeOnly RunAt { get; }
    protected abstract Task RunAsync(CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try { await RunAsync(stoppingToken); }
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
