using Rectify.Kernel;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Organizations.Units;

/// <summary>A request that names one unit by its code (GetUnit, GetUnitHistory), checked.</summary>
public sealed record UnitKey(OrgCode Code)
{
    public static UnitKey Parse(GetUnitRequest request) => Parse(request.Code);

    public static UnitKey Parse(GetUnitHistoryRequest request) => Parse(request.Code);

    private static UnitKey Parse(string code)
    {
        var v = new Violations();
        var parsed = v.Code("code", code);
        v.ThrowIfAny();
        return new(parsed!.Value);
    }
}
