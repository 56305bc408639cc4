using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Reporting.V1;

namespace Rectify.Reporting.Reports;

/// <summary>A county's summary to the city, checked: its request id, the county, and a month that is over.</summary>
public sealed record SubmitCountySummaryInput(string RequestId, OrgCode County, Month Period)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static SubmitCountySummaryInput Parse(SubmitCountySummaryRequest request, DateOnly today)
    {
        var v = new Violations();
        var requestId = v.Text("client_request_id", request.ClientRequestId, 64);
        var county = v.Code("county_code", request.CountyCode);
        if (county is { } c) v.Check(c.Level == OrgLevel.County, "county_code", "must be a county's code");
        var month = Month.From(v, "period", request.Period);
        // The same months as its townships' submissions (ReportingCalendar.ForCountySummary).
        if (month is { } m)
            switch (ReportingCalendar.ForCountySummary(m, today))
            {
                case PeriodOpening.InFuture: v.Add("period", $"{m} is in the future"); break;
                case PeriodOpening.NotOver: v.Add("period", $"{m} is not over yet: its summary can be submitted from {ReportingCalendar.SubmissionsOpenOn(m):yyyy-MM-dd}, like its townships' reports"); break;
            }
        v.ThrowIfAny();
        return new(requestId!, county!.Value, month!.Value);
    }
}
