using Rectify.Kernel;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Measures.Ledger;

/// <summary>The unit whose ledger is exported, the campaign year (0: every year) and a known format, checked.</summary>
public sealed record ExportLedgerInput(OrgCode Scope, int CampaignYear, ExportFormat Format)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static ExportLedgerInput Parse(ExportLedgerRequest request)
    {
        var v = new Violations();
        var scope = v.Code("scope_code", request.ScopeCode);
        v.Check(Enum.IsDefined(request.Format), "format", "must be xlsx or csv");
        v.ThrowIfAny();
        return new(scope!.Value, request.CampaignYear, request.Format);
    }
}
