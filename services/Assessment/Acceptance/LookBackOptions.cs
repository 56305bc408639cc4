namespace Rectify.Assessment.Acceptance;

/// <summary>Settings of section Rectify:Assessment.</summary>
public sealed class LookBackOptions
{
    public const string Section = "Rectify:Assessment";

    /// <summary>Run the look-back scan by itself (at start, then daily).</summary>
    public bool ScheduleLookBackScans { get; set; } = true;
    /// <summary>The local (Asia/Shanghai) time of the daily scan.</summary>
    public TimeOnly LookBackScanAt { get; set; } = new(6, 0);
}
