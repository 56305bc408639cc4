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
