using Microsoft.Extensions.Logging;
using Rectify.Platform.Hosting;

namespace Rectify.Assessment.Acceptance;

/// <summary>Runs the look-back scan at start and then daily at the configured local time (the shared daily job).</summary>
public sealed class LookBackScheduler(LookBackScan scan, TimeProvider clock, LookBackOptions options, ILogger<LookBackScheduler> logger) : DailyJob(clock, logger)
{
    protected override bool Enabled => options.ScheduleLookBackScans;
    protected override TimeOnly RunAt => options.LookBackScanAt;
    protected override Task RunAsync(CancellationToken ct) => scan.RunAsync(ct);
}
