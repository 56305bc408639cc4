namespace Rectify.Notifications.Delivery;

/// <summary>Section Rectify:Notifications.</summary>
public sealed class NotificationsOptions
{
    public const string Section = "Rectify:Notifications";

    /// <summary>Send deliveries (off only in tests that stop between receiving and sending).</summary>
    public bool SendDeliveries { get; set; } = true;
    public int MaxAttempts { get; set; } = 6;
    /// <summary>The first retry waits this long; each next one twice as long.</summary>
    public TimeSpan FirstRetryAfter { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>Final failures in a row after which a channel is marked failing and skipped.</summary>
    public int FailuresBeforeMarking { get; set; } = 3;
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);
    public int Parallelism { get; set; } = 16;
    public bool ScheduleDigest { get; set; } = true;
    /// <summary>
    /// How long a delivery of a bundled kind (Bundles) waits for the day's other occurrences of its kind and unit, so
    /// that they go to the contact as one message; a scan's events arrive within seconds. Zero sends at once (what is
    /// waiting at that moment still goes together).
    /// </summary>
    public TimeSpan BundleWindow { get; set; } = TimeSpan.FromMinutes(5);
    public TimeOnly DigestAt { get; set; } = new(9, 0);
}
