using Rectify.Kernel;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Organizations.Units;

/// <summary>The direct children of a unit, checked.</summary>
public sealed record ListChildrenInput(OrgCode Code, bool IncludeClosed)
{
    public static ListChildrenInput Parse(ListChildrenRequest request)
    {
        var v = new Violations();
        var code = v.Code("code", request.Code);
        v.ThrowIfAny();
        return new(code!.Value, request.IncludeClosed);
    }
}
