namespace Rectify.Events.Reporting;

/// <summary>A township's report was not submitted by its due day; one event per township and period.</summary>
public sealed record ReportMissing(string TownshipCode, string TownshipName, string CountyCode, string Period, DateOnly DueOn, DateOnly LockedAfter, string OccurrenceKey, DateTimeOffset OccurredAt) : IIntegrationEvent;
