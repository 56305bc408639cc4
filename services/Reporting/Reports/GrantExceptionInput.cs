using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Reporting.V1;

namespace Rectify.Reporting.Reports;

/// <summary>A late submission (补报) granted to a township, checked: a month that is over, a reason, and a last day within the look-back year.</summary>
public sealed record GrantExceptionInput(OrgCode Township, Month Period, string Reason, DateOnly Until)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static GrantExceptionInput Parse(GrantExceptionRequest request, DateOnly today)
    {
        var v = new Violations();
        var township = v.Code("township_code", request.TownshipCode);
        var month = Month.From(v, "period", request.Period);
        var reason = v.Text("reason", request.Reason, 1000, multiline: true);
        // 补报 makes up a month that is over: a month still running or to come has no report to make up yet.
        if (month is { } m) v.Check(ReportingCalendar.IsOver(m, today), "period", $"{m} is not over yet: an exception (补报) is for a past month");
        // From today to the end of the year after the period's: a report is made up within its campaign or the look-back (回头看) year.
        var until = month is { } p
            ? v.DateWithin("until", request.Until, today, new DateOnly(p.Year + 1, 12, 31), $"from today to the end of {p.Year + 1}, the look-back year of {p}")
            : v.Date("until", request.Until);
        v.ThrowIfAny();
        return new(township!.Value, month!.Value, reason!, until!.Value);
    }
}
