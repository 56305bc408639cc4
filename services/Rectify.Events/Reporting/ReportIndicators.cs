namespace Rectify.Events.Reporting;

/// <summary>A report's indicators (三会一课, trainings, members developed, 为民办实事, disputes mediated, income to date).</summary>
public sealed record ReportIndicators(int MeetingsHeld, int Trainings, int MembersDeveloped, int ServicesForPeople, int DisputesMediated, long CollectiveIncomeToDateYuan);
