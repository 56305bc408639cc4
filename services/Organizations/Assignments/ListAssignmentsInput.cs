using Rectify.Kernel;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Organizations.Assignments;

/// <summary>A village's assignments for a campaign year, checked.</summary>
public sealed record ListAssignmentsInput(OrgCode Village, int Year, bool IncludeRemoved)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static ListAssignmentsInput Parse(ListAssignmentsRequest request)
    {
        var v = new Violations();
        var code = v.Code("village_code", request.VillageCode);
        v.Check(request.Year is >= 2000 and <= 9999, "year", "must be a campaign year");
        v.ThrowIfAny();
        return new(code!.Value, request.Year, request.IncludeRemoved);
    }
}
