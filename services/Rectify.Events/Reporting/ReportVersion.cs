namespace Rectify.Events.Reporting;

/// <summary>
/// The order of a unit's report for a month across its revisions: each revision is submitted once and then reviewed
/// once (accepted or returned), and a return opens the next revision, so (revision, submitted or reviewed) orders every
/// event of the report. Events carry it as Version; an event written before versions has its revision to derive it from.
/// </summary>
public static class ReportVersion
{
    public static long Submitted(int revision) => 2L * revision - 1;

    public static long Reviewed(int revision) => 2L * revision;
}
