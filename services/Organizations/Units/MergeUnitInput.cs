using Rectify.Kernel;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Organizations.Units;

/// <summary>A merger (合并) of one unit into another, checked: two different codes, the date, an optional reason.</summary>
public sealed record MergeUnitInput(OrgCode Code, OrgCode Into, DateOnly EffectiveOn, string? Reason)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static MergeUnitInput Parse(MergeUnitRequest request)
    {
        var v = new Violations();
        var code = v.Code("code", request.Code);
        var into = v.Code("into_code", request.IntoCode);
        var effectiveOn = v.Date("effective_on", request.EffectiveOn);
        var reason = v.Text("reason", request.Reason, 500, required: false);
        if (code is not null && into is not null) v.Check(code != into, "into_code", "must differ from code");
        v.ThrowIfAny();
        return new(code!.Value, into!.Value, effectiveOn!.Value, reason);
    }
}
