using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Reporting.V1;

namespace Rectify.Reporting.Reports;

/// <summary>A read of one report, checked: the unit, the month, and a revision (0 for the latest).</summary>
public sealed record GetReportInput(OrgCode Unit, Month Period, int Revision)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static GetReportInput Parse(GetReportRequest request)
    {
        var v = new Violations();
        var unit = v.Code("unit_code", request.UnitCode);
        var month = Month.From(v, "period", request.Period);
        v.Check(request.Revision >= 0, "revision", "must be 0 (the latest) or a revision number");
        v.ThrowIfAny();
        return new(unit!.Value, month!.Value, request.Revision);
    }
}
