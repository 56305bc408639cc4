using Microsoft.Extensions.Logging;
using Rectify.Platform.Hosting;

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

/// <summary>Runs the deadline scan at start (catching up on missed days) and then daily at the configured local time.</summary>
public sealed class DeadlineScheduler(DeadlineScan scan, TimeProvider clock, MeasuresOptions options, ILogger<DeadlineScheduler> logger) : DailyJob(clock, logger)
{
    protected override bool Enabled => options.ScheduleScans;
    protected override TimeOnly RunAt => options.DailyScanAt;
    protected override Task RunAsync(CancellationToken ct) => scan.RunAsync(ct);
}
