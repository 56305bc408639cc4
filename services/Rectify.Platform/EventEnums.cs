namespace Rectify.Platform;

/// <summary>
/// The one place where a proto enum becomes the events contract's enum of the same meaning. The numbers are equal by
/// construction (tests/Rectify.Tests/Events/EventEnumParityTests.cs holds them so), so each is a cast, done here only.
/// </summary>
public static class EventEnums
{
    public static Events.Measures.MeasureStatus ToEvent(this Measures.V1.MeasureStatus status) => (Events.Measures.MeasureStatus)(int)status;

    public static Events.Reporting.ReportKind ToEvent(this Reporting.V1.ReportKind kind) => (Events.Reporting.ReportKind)(int)kind;

    public static Events.Reporting.Timeliness ToEvent(this Reporting.V1.Timeliness timeliness) => (Events.Reporting.Timeliness)(int)timeliness;

    public static Events.Organizations.OrgLevel ToEvent(this Common.V1.OrgLevel level) => (Events.Organizations.OrgLevel)(int)level;
}
