using Microsoft.Extensions.Logging;
using Rectify.Platform.Hosting;
using Rectify.Platform.Storage;

namespace Rectify.Assessment.Acceptance;

/// <summary>Runs the look-back scan at start and then daily at the configured local time (the shared daily job).</summary>
public sealed class LookBackScheduler(LookBackScan scan, Database<AssessmentModule> database, TimeProvider clock, LookBackOptions options, ILogger<LookBackScheduler> logger) : DailyJob(database, clock, logger)
{
    protected override bool Enabled => options.ScheduleLookBackScans;
    protected override TimeOnly RunAt => options.LookBackScanAt;
    protected override Task RunAsync(CancellationToken ct) => scan.RunAsync(ct);
}
