using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Organizations.Units;

/// <summary>The units below a unit, streamed, checked: the root's code and a known level (unspecified: all).</summary>
public sealed record StreamSubtreeInput(OrgCode Code, bool IncludeClosed, OrgLevel Level)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static StreamSubtreeInput Parse(StreamSubtreeRequest request)
    {
        var v = new Violations();
        var code = v.Code("code", request.Code);
        v.Check(Enum.IsDefined(request.Level), "level", "is not a known value");
        v.ThrowIfAny();
        return new(code!.Value, request.IncludeClosed, request.Level);
    }
}
