using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Reporting.V1;

namespace Rectify.Reporting.Reports;

/// <summary>A read of the reports expected under a unit for a month, checked: the scope and the month.</summary>
public sealed record ListReportsInput(OrgCode Scope, Month Period)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static ListReportsInput Parse(ListReportsRequest request)
    {
        var v = new Violations();
        var scope = v.Code("scope_code", request.ScopeCode);
        var month = Month.From(v, "period", request.Period);
        v.ThrowIfAny();
        return new(scope!.Value, month!.Value);
    }
}
