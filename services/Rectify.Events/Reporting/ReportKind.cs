namespace Rectify.Events.Reporting;

/// <summary>Which report an event is about, numbered as the proto's rectify.reporting.v1.ReportKind (held so by a test).</summary>
public enum ReportKind
{
    Unspecified = 0,
    Township = 1,      // 乡镇月报 to the county
    CountySummary = 2, // 县级汇总 to the city
}
