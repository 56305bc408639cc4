namespace Rectify.Platform;

/// <summary>
/// Section Rectify:Reporting: the monthly reporting calendar, like DHIS2's
/// timelyDays / expiryDays. Shared by the reporting service, which enforces it,
/// and the gateway, which counts by it.
/// </summary>
public sealed class ReportingOptions
{
    public const string Section = "Rectify:Reporting";

    /// <summary>On time when submitted by this day of the next month.</summary>
    public int DueDay { get; set; } = 5;
    /// <summary>Accepted late until this day of the next month; locked after, unless the county grants an exception (补报).</summary>
    public int LockDay { get; set; } = 15;
    /// <summary>Days before the due day when a township that has not submitted is reminded (催报).</summary>
    public int[] RemindDaysBefore { get; set; } = [3, 1];
    public bool ScheduleScans { get; set; } = true;
    public TimeOnly DailyScanAt { get; set; } = new(8, 0);
    /// <summary>
    /// How long the answer to a request with a client request id (a push, a county summary) is kept so that a retry gets
    /// it again instead of writing twice; then it is deleted. Longer than any township system retries one request.
    /// </summary>
    public TimeSpan KeepRequestRepliesFor { get; set; } = TimeSpan.FromDays(30);
}
