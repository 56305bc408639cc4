using Rectify.Kernel;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Organizations.Units;

/// <summary>A unit's closing (撤销), checked: its code, the date and the reason.</summary>
public sealed record CloseUnitInput(OrgCode Code, DateOnly ClosedOn, string Reason)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static CloseUnitInput Parse(CloseUnitRequest request)
    {
        var v = new Violations();
        var code = v.Code("code", request.Code);
        var closedOn = v.Date("closed_on", request.ClosedOn);
        var reason = v.Text("reason", request.Reason, 500);
        v.ThrowIfAny();
        return new(code!.Value, closedOn!.Value, reason!);
    }
}
