using Rectify.Assessment.V1;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Assessment.Identification;

/// <summary>A campaign's ranking, checked: the whole county's, or one township's when its code is given.</summary>
public sealed record GetRankingInput(string CampaignId, OrgCode? Township)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static GetRankingInput Parse(GetRankingRequest request)
    {
        var v = new Violations();
        var township = string.IsNullOrEmpty(request.TownshipCode) ? null : v.Code("township_code", request.TownshipCode);
        v.ThrowIfAny();
        return new(request.CampaignId, township);
    }
}
