using Rectify.Kernel;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Organizations.Units;

/// <summary>A unit's new name, checked; effective today unless a date is given.</summary>
public sealed record RenameUnitInput(OrgCode Code, string NewName, DateOnly EffectiveOn, string? Reason)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static RenameUnitInput Parse(RenameUnitRequest request, DateOnly today)
    {
        var v = new Violations();
        var code = v.Code("code", request.Code);
        var name = v.Text("new_name", request.NewName, UnitService.MaxNameLength);
        var effectiveOn = v.Date("effective_on", request.EffectiveOn, required: false) ?? today;
        var reason = v.Text("reason", request.Reason, 500, required: false);
        v.ThrowIfAny();
        return new(code!.Value, name!, effectiveOn, reason);
    }
}
