using Rectify.Assessment.Campaigns;
using Rectify.Assessment.V1;
using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Assessment.Identification;

/// <summary>
/// A branch's assessment (两评), checked on its own: a village's code, ballots that add up and four committee scores
/// from 0 to 100 in hundredths. The findings are checked against the campaign's rules by the method.
/// </summary>
public sealed record RecordAssessmentInput(string CampaignId, OrgCode Village, Votes Votes, RecordAssessmentInput.Scores Committee, IReadOnlyList<Finding> Findings)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static RecordAssessmentInput Parse(RecordAssessmentRequest request)
    {
        var v = new Violations();
        var input = Collect(v, request);
        v.ThrowIfAny();
        return input!;
    }

    /// <summary>Adds the request's violations to <paramref name="v"/>; the input when <paramref name="v"/> holds none.</summary>
    internal static RecordAssessmentInput? Collect(Violations v, RecordAssessmentRequest request)
    {
        var village = v.Code("village_code", request.VillageCode);
        if (village is { } code) v.Check(code.Level == OrgLevel.Village, "village_code", "must be a village's code");
        IdentificationService.CheckVotes(v, "votes", request.Votes);
        var committee = request.Committee;
        Scores? scores = null;
        if (v.Check(committee is not null, "committee", "is required"))
        {
            int Score(double value, string field)
            {
                var hundredths = Hundredths.From(value);
                v.Check(hundredths is not null, $"committee.{field}", Hundredths.Rule);
                return hundredths ?? 0;
            }
            scores = new(Score(committee!.TeamOperation, "team_operation"), Score(committee.OrganizationalSystems, "organizational_systems"),
                Score(committee.CadreTeam, "cadre_team"), Score(committee.VanguardRole, "vanguard_role"));
        }
        return v.Any ? null : new(request.CampaignId, village!.Value, request.Votes, scores!, request.Findings);
    }

    /// <summary>The committee's four scores in hundredths of a point.</summary>
    public sealed record Scores(int TeamOperation, int OrganizationalSystems, int CadreTeam, int VanguardRole);

}
