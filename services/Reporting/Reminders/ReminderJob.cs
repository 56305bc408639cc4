using Microsoft.Extensions.Logging;
using Rectify.Platform;
using Rectify.Platform.Hosting;
using Rectify.Platform.Storage;

namespace Rectify.Reporting.Reminders;

/// <summary>Runs the reminder scan at start and daily at the configured local time.</summary>
public sealed class ReminderJob(ReminderScan scan, Database<ReportingModule> database, TimeProvider clock, ReportingOptions options, ILogger<ReminderJob> logger) : DailyJob(database, clock, logger)
{
    protected override bool Enabled => options.ScheduleScans;
    protected override TimeOnly RunAt => options.DailyScanAt;
    protected override Task RunAsync(CancellationToken ct) => scan.RunAsync(ct);
}
