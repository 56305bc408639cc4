using Rectify.Assessment.Campaigns;
using Rectify.Assessment.Identification;
using Rectify.Assessment.V1;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Assessment.Acceptance;

/// <summary>
/// A target's 验收 or 回头看, checked on its own: the village, the day it was held (today unless given, never in the
/// future), 1 to 20 scored aspects, ballots that add up, and the new deadline should it fail. The deadline's window
/// depends on the campaign and is checked by the method.
/// </summary>
public sealed record RecordAcceptanceInput(
    string CampaignId, OrgCode Village, DateOnly HeldOn, bool HeldOnGiven, IReadOnlyList<AspectScore> Aspects, Votes Votes, DateOnly NewDeadline)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static RecordAcceptanceInput Parse(RecordAcceptanceRequest request, DateOnly today)
    {
        var v = new Violations();
        var village = v.Code("village_code", request.VillageCode);
        var heldOn = v.Date("held_on", request.HeldOn, required: false) ?? today;
        v.Check(heldOn <= today, "held_on", "must not be in the future");
        v.Check(request.Aspects.Count is > 0 and <= 20, "aspects", "must score 1 to 20 aspects");
        for (var i = 0; i < request.Aspects.Count; i++)
        {
            v.Text($"aspects[{i}].aspect", request.Aspects[i].Aspect, 50);
            v.Check(Hundredths.From(request.Aspects[i].Score) is not null, $"aspects[{i}].score", Hundredths.Rule);
        }
        IdentificationService.CheckVotes(v, "votes", request.Votes);
        var newDeadline = v.Date("new_deadline", request.NewDeadline);
        v.ThrowIfAny();
        return new(request.CampaignId, village!.Value, heldOn, request.HeldOn is not null, request.Aspects, request.Votes, newDeadline!.Value);
    }
}
