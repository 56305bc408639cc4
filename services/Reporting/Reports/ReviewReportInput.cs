using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Reporting.V1;

namespace Rectify.Reporting.Reports;

/// <summary>
/// A decision on a unit's submitted report (AcceptReport, ReturnReport), checked: the unit, the month, and the reason,
/// which a return must give ("" when an acceptance gives none).
/// </summary>
public sealed record ReviewReportInput(OrgCode Unit, Month Period, string Reason)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static ReviewReportInput Parse(ReviewReportRequest request, bool accept)
    {
        var v = new Violations();
        var unit = v.Code("unit_code", request.UnitCode);
        var month = Month.From(v, "period", request.Period);
        var reason = v.Text("reason", request.Reason, 1000, required: !accept, multiline: true);
        v.ThrowIfAny();
        return new(unit!.Value, month!.Value, reason ?? "");
    }
}
