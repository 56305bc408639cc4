using Rectify.Assessment.V1;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Assessment.Campaigns;

/// <summary>A county whose campaigns are listed, checked.</summary>
public sealed record ListCampaignsInput(OrgCode County)
{
    public static ListCampaignsInput Parse(ListCampaignsRequest request)
    {
        var v = new Violations();
        var county = v.Code("county_code", request.CountyCode);
        v.ThrowIfAny();
        return new(county!.Value);
    }
}
