using Rectify.Assessment.V1;
using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Assessment.Campaigns;

/// <summary>A county's campaign to open, checked: a county's code, a year from 2000 to next year, and its settings.</summary>
public sealed record CreateCampaignInput(OrgCode County, int Year, Settings Settings)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static CreateCampaignInput Parse(CreateCampaignRequest request, DateOnly today)
    {
        var v = new Violations();
        var county = v.Code("county_code", request.CountyCode);
        if (county is { } c) v.Check(c.Level == OrgLevel.County, "county_code", "must be a county's code");
        v.Check(request.Year >= 2000 && request.Year <= today.Year + 1, "year", $"must be between 2000 and {today.Year + 1}");
        var settings = Settings.From(request.Settings, request.Year, v);
        v.ThrowIfAny();
        return new(county!.Value, request.Year, settings);
    }
}
