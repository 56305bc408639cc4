namespace Rectify.Events.Reporting;

/// <summary>A township has not submitted and its report is due in DaysLeft days (催报).</summary>
public sealed record ReportDueSoon(string TownshipCode, string TownshipName, string CountyCode, string Period, DateOnly DueOn, int DaysLeft, string OccurrenceKey, DateTimeOffset OccurredAt) : IIntegrationEvent;
