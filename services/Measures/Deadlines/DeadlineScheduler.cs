using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rectify.Platform;

namespace Rectify.Measures.Deadlines;

/// <summary>Settings of section Rectify:Measures.</summary>
public sealed class MeasuresOptions
{
    public const string Section = "Rectify:Measures";

    /// <summary>Run the deadline scan by itself (at start, then daily).</summary>
    public bool ScheduleScans { get; set; } = true;
    /// <summary>The local (Asia/Shanghai) time of the daily scan.</summary>
    public TimeOnly DailyScanAt { get; set; } = new(6, 0);
}

/// <summary>Runs the deadline scan at start (catching up on missed days) and then daily at the configured local time, on the injected clock.</summary>
public sealed class DeadlineScheduler(DeadlineScan scan, TimeProvider clock, MeasuresOptions options, ILogger<DeadlineScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.ScheduleScans) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try { await scan.RunAsync(stoppingToken); }
            catch (Exception e) when (e is not OperationCanceledException) { logger.LogError(e, "The deadline scan failed; it runs again at the next scheduled time"); }
            try { await Task.Delay(UntilNextRun(clock.Now(), options.DailyScanAt), clock, stoppingToken); }
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
