using Microsoft.Extensions.Logging;
using Rectify.Platform.Hosting;
using Rectify.Platform.Storage;

namespace Rectify.Measures.Deadlines;

/// <summary>Runs the deadline scan at start (catching up on missed days) and then daily at the configured local time.</summary>
public sealed class DeadlineScheduler(DeadlineScan scan, Database<MeasuresModule> database, TimeProvider clock, MeasuresOptions options, ILogger<DeadlineScheduler> logger) : DailyJob(database, clock, logger)
{
    protected override bool Enabled => options.ScheduleScans;
    protected override TimeOnly RunAt => options.DailyScanAt;
    protected override Task RunAsync(CancellationToken ct) => scan.RunAsync(ct);
}
