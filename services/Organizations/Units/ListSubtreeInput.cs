using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Organizations.Units;

/// <summary>One page of the units below a unit, checked: the root's code, a known level (unspecified: all), the page.</summary>
public sealed record ListSubtreeInput(OrgCode Code, bool IncludeClosed, OrgLevel Level, UnitPage Page)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static ListSubtreeInput Parse(ListSubtreeRequest request)
    {
        var v = new Violations();
        var code = v.Code("code", request.Code);
        var page = UnitPage.Read(v, request.Page);
        v.Known("level", request.Level, unspecifiedMeansAny: true);
        v.ThrowIfAny();
        return new(code!.Value, request.IncludeClosed, request.Level, page);
    }
}
