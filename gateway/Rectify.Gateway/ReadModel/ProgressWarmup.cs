using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Hosting;

namespace Rectify.Gateway.ReadModel;

/// <summary>
/// Counts the nation's progress, and with it every unit's, for the months dashboards open on — the current month (the
/// overview) and the one before it (the month whose reports are reviewed) — once the model is loaded and again at each
/// day's start, when every kept answer expires. The first dashboard of the day then reads kept answers instead of waiting
/// while every county is counted (1.4 s for a nation); later changes recount only their own path.
/// </summary>
public sealed class ProgressWarmup(ProgressModel model, TimeProvider clock, ILogger<ProgressWarmup> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the start: the host serves while the counting runs.
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            var today = clock.Today();
            var started = Stopwatch.GetTimestamp();
            try
            {
                foreach (var month in new[] { Month.Of(today), Month.Of(today).Previous })
                    model.Keep(OrgCode.Nation, month, today);
                log.LogInformation("Progress for {Today} counted ahead of the dashboards in {Elapsed:0} ms", today, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            catch (Exception e)
            {
                // Never out of the background service, which would stop the host: the first query counts instead.
                log.LogError(e, "Counting progress ahead of the dashboards failed; queries count it as they come");
            }
            try { await Task.Delay(DailyJob.UntilNextRun(clock.Now(), TimeOnly.MinValue), clock, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }
}
