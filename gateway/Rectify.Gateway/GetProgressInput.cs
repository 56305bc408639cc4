using Rectify.Gateway.V1;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Gateway;

/// <summary>A unit and a month whose progress to show (GetProgress, WatchProgress, GetDashboard), checked: a unit's code and a month not in the future.</summary>
public sealed record GetProgressInput(OrgCode Unit, Month Period)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static GetProgressInput Parse(GetProgressRequest request, DateOnly today)
    {
        var v = new Violations();
        var unit = v.Code("unit_code", request.UnitCode);
        var month = Month.From(v, "period", request.Period);
        if (month is { } m) v.Check(m <= Month.Of(today), "period", $"{m} is in the future");
        v.ThrowIfAny();
        return new(unit!.Value, month!.Value);
    }
}
