namespace Rectify.Measures.Deadlines;

/// <summary>Settings of section Rectify:Measures.</summary>
public sealed class MeasuresOptions
{
    public const string Section = "Rectify:Measures";

    /// <summary>Run the deadline scan by itself (at start, then daily).</summary>
    public bool ScheduleScans { get; set; } = true;
    /// <summary>The local (Asia/Shanghai) time of the daily scan.</summary>
    public TimeOnly DailyScanAt { get; set; } = new(6, 0);

    /// <summary>The largest evidence photo, in bytes (10 MiB).</summary>
    public long EvidenceMaxBytes { get; set; } = 10 * 1024 * 1024;
    /// <summary>The most photos a measure holds.</summary>
    public int EvidencePerMeasure { get; set; } = 20;
}
