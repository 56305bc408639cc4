using Rectify.Assessment.V1;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Assessment.Identification;

/// <summary>The county's review of one proposal, checked: the village, the decision, its reason, and an optional reason for overriding 直接认定.</summary>
public sealed record ReviewProposalInput(string CampaignId, OrgCode Village, bool Confirm, string Reason, string? OverrideReason)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static ReviewProposalInput Parse(ReviewProposalRequest request)
    {
        var v = new Violations();
        var village = v.Code("village_code", request.VillageCode);
        var reason = v.Text("reason", request.Reason, 1000);
        var overrideReason = v.Text("override_reason", request.OverrideReason, 1000, required: false);
        v.ThrowIfAny();
        return new(request.CampaignId, village!.Value, request.Confirm, reason!, overrideReason);
    }
}
