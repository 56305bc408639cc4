using Rectify.Kernel;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Measures.Ledger;

/// <summary>The unit whose subtree is counted, the campaign year (0: every year) and whether the per-target rows are left out, checked.</summary>
public sealed record GetLedgerCountsInput(OrgCode Scope, int CampaignYear, bool TotalsOnly)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static GetLedgerCountsInput Parse(GetLedgerCountsRequest request, DateOnly today)
    {
        var v = new Violations();
        var scope = v.Code("scope_code", request.ScopeCode);
        LedgerQueries.CampaignYear(v, "campaign_year", request.CampaignYear, today);
        v.ThrowIfAny();
        return new(scope!.Value, request.CampaignYear, request.TotalsOnly);
    }
}
