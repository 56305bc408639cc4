using Microsoft.Extensions.Logging;
using Rectify.Measures.Evidence;
using Rectify.Platform.Hosting;
using Rectify.Platform.Storage;

namespace Rectify.Measures.Deadlines;

/// <summary>
/// Runs the deadline scan at start (catching up on missed days) and then daily at the configured local time; the same daily run
/// removes evidence uploads left unfinished for more than a day, and brings the targets' overdue counts to the new day.
/// </summary>
public sealed class DeadlineScheduler(DeadlineScan scan, EvidenceStore evidence, Database<MeasuresModule> database, TimeProvider clock, MeasuresOptions options, ILogger<DeadlineScheduler> logger) : DailyJob(database, clock, logger)
{
    protected override bool Enabled => options.ScheduleScans;
    protected override TimeOnly RunAt => options.DailyScanAt;
    protected override async Task RunAsync(CancellationToken ct)
    {
        await scan.RunAsync(ct);
        await evidence.RemoveStaleUploadsAsync(ct);
        await scan.RefreshCountsAsync(ct);
    }
}
