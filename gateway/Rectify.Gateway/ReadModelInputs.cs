using Rectify.Gateway.V1;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Gateway;

/// <summary>The subtree to rebuild (RebuildReadModel), checked: a unit's code, 000000000000 for everything.</summary>
public sealed record RebuildReadModelInput(OrgCode Unit)
{
    public static RebuildReadModelInput Parse(RebuildReadModelRequest request)
    {
        var v = new Violations();
        var unit = v.Code("unit_code", request.UnitCode);
        v.ThrowIfAny();
        return new(unit!.Value);
    }
}

/// <summary>The unit and campaign year to reconcile (Reconcile), checked: a unit's code, and 0 (this year) or a year from 2000 to next year.</summary>
public sealed record ReconcileInput(OrgCode Unit, int CampaignYear)
{
    public static ReconcileInput Parse(ReconcileRequest request, DateOnly today)
    {
        var v = new Violations();
        var unit = v.Code("unit_code", request.UnitCode);
        var year = request.CampaignYear == 0 ? today.Year : request.CampaignYear;
        v.Check(year >= 2000 && year <= today.Year + 1, "campaign_year", $"must be 0 (this year) or a campaign year from 2000 to {today.Year + 1}");
        v.ThrowIfAny();
        return new(unit!.Value, year);
    }
}
