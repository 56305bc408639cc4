namespace Rectify.Events.Reporting;

/// <summary>A report's timeliness in events, numbered as the proto's rectify.reporting.v1.Timeliness (held so by a test).</summary>
public enum Timeliness
{
    Unspecified = 0,
    Pending = 1, // not submitted, the due day has not passed
    OnTime = 2,  // submitted by day N of the next month
    Late = 3,    // submitted after day N (up to day M, or under an exception)
    Missing = 4, // not submitted and day N has passed
}
