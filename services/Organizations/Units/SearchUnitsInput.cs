using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Organizations.Units;

/// <summary>A search of unit names within a scope (the caller's own unit unless named), checked.</summary>
public sealed record SearchUnitsInput(string Query, OrgCode Within, bool IncludeClosed, OrgLevel Level, UnitPage Page)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static SearchUnitsInput Parse(SearchUnitsRequest request, OrgCode callerOrg)
    {
        var v = new Violations();
        var query = v.Text("query", request.Query, 50);
        var within = string.IsNullOrEmpty(request.WithinCode) ? callerOrg : v.Code("within_code", request.WithinCode);
        var page = UnitPage.Read(v, request.Page);
        v.Known("level", request.Level, unspecifiedMeansAny: true);
        v.ThrowIfAny();
        return new(query!, within!.Value, request.IncludeClosed, request.Level, page);
    }
}
