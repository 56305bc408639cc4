using System.CommandLine;
using System.Globalization;
using Grpc.Core;
using Rectify.Assessment.V1;
using static Rectify.Cli.Define;

namespace Rectify.Cli;

public static class AssessmentCommands
{
    private const string Service = "rectify.assessment.v1.AssessmentService/";

    private static AssessmentService.AssessmentServiceClient Client(Ctx c) => new(c.Channel);

    public static IEnumerable<Verb> Verbs()
    {
        {
            var county = Arg("COUNTY_CODE", "the county");
            var year = Number("YEAR", "the campaign year");
            var settings = Text("--settings", "a CampaignSettings document in protobuf JSON (weights, quota, finding rules, pass score, look-back months)");
            var endsOn = DateOpt("--ends-on", "the campaign's last day (default the settings' or the year's end)");
            yield return Rpc("campaign-create", "open a county's campaign: every branch of the county to assess", [Service + "CreateCampaign"], [county, year, settings, endsOn],
                async c =>
                {
                    var request = new CreateCampaignRequest { CountyCode = c.Get(county), Year = c.Get(year) };
                    if (c.Get(settings) is { Length: > 0 } path) request.Settings = await Document<CampaignSettings>(path);
                    if (c.Get(endsOn) is { } last) (request.Settings ??= new CampaignSettings()).EndsOn = last;
                    return await Client(c).CreateCampaignAsync(request, c.Headers);
                });
        }
        {
            var county = Arg("COUNTY_CODE", "the county");
            var year = Number("YEAR", "the earlier campaign year");
            var decided = DateOpt("--decided-on", "the date of the county's decision", required: true);
            var basis = Text("--basis", "the decision's basis, e.g. 县委组发〔2022〕40号", required: true);
            var villages = Many("--village", "a village designated then (repeat, or a comma-separated list)");
            var endsOn = DateOpt("--ends-on", "the campaign's last day (default 31 December of the year)");
            yield return Rpc("past-targets", "record the targets a county designated in an earlier year, as history", [Service + "RecordPastTargets"], [county, year, decided, basis, villages, endsOn],
                async c => await Client(c).RecordPastTargetsAsync(new RecordPastTargetsRequest
                {
                    CountyCode = c.Get(county), Year = c.Get(year), DecidedOn = c.Get(decided), Basis = c.Get(basis),
                    VillageCodes = { Split(c.Get(villages)) }, EndsOn = c.Get(endsOn),
                }, c.Headers));
        }
        {
            var county = Arg("COUNTY_CODE", "the county");
            yield return Rpc("campaigns", "a county's campaigns and their ids", [Service + "ListCampaigns"], [county],
                async c => await Client(c).ListCampaignsAsync(new ListCampaignsRequest { CountyCode = c.Get(county) }, c.Headers));
        }
        {
            var id = Arg("CAMPAIGN_ID", "the campaign's id");
            yield return Rpc("campaign", "a campaign: its settings with every default filled in, its branches", [Service + "GetCampaign"], [id],
                async c => await Client(c).GetCampaignAsync(new GetCampaignRequest { CampaignId = c.Get(id) }, c.Headers));
        }
        foreach (var correct in new[] { false, true })
        {
            var campaign = Arg("CAMPAIGN_ID", "the campaign's id");
            var village = Arg("VILLAGE_CODE", "the branch's village");
            var satisfied = Int("--satisfied", "满意 votes");
            var basically = Int("--basically", "基本满意 votes");
            var dissatisfied = Int("--dissatisfied", "不满意 votes");
            var team = Real("--team-operation", "班子运行, 0-100");
            var systems = Real("--organizational-systems", "组织制度落实, 0-100");
            var cadres = Real("--cadre-team", "队伍建设, 0-100");
            var vanguard = Real("--vanguard-role", "先锋作用发挥, 0-100");
            var findings = Many("--finding", "a survey finding: a finding rule's CODE, or CODE=note");
            var reason = Text("--reason", "why the assessment is corrected", required: correct);
            Symbol[] symbols = [campaign, village, satisfied, basically, dissatisfied, team, systems, cadres, vanguard, findings, .. correct ? new Symbol[] { reason } : []];
            RecordAssessmentRequest Request(Ctx c) => new()
            {
                CampaignId = c.Get(campaign), VillageCode = c.Get(village), Votes = Votes(c.Get(satisfied), c.Get(basically), c.Get(dissatisfied)),
                Committee = new CommitteeScores { TeamOperation = c.Get(team), OrganizationalSystems = c.Get(systems), CadreTeam = c.Get(cadres), VanguardRole = c.Get(vanguard) },
                Findings = { c.Get(findings).Select(f => f.Split('=', 2) is [var code, var note] ? new Finding { Code = code, Note = note } : new Finding { Code = f }) },
            };
            yield return correct
                ? Rpc("correct-assessment", "correct a branch's assessment (a new revision, with the reason)", [Service + "CorrectAssessment"], symbols,
                    async c => await Client(c).CorrectAssessmentAsync(new CorrectAssessmentRequest { Assessment = Request(c), Reason = c.Get(reason) }, c.Headers))
                : Rpc("record-assessment", "record a branch's assessment: the masses' votes (两评), the committee's scores, survey findings (调研)", [Service + "RecordAssessment"], symbols,
                    async c => await Client(c).RecordAssessmentAsync(Request(c), c.Headers));
        }
        {
            var id = Arg("CAMPAIGN_ID", "the campaign's id");
            var township = Text("--township", "only this township's branches");
            yield return Rpc("ranking", "the ranking (排序), weakest first, each score explained", [Service + "GetRanking"], [id, township],
                async c => await Client(c).GetRankingAsync(new GetRankingRequest { CampaignId = c.Get(id), TownshipCode = c.Get(township) }, c.Headers));
        }
        {
            var id = Arg("CAMPAIGN_ID", "the campaign's id");
            var township = Text("--township", "only this township's branches");
            yield return Rpc("ranking-csv", "the ranking (排序) as CSV on stdout, written page by page as it arrives (a province's 25,000 branches)",
                [Service + "StreamRanking"], [id, township],
                async c =>
                {
                    using var call = Client(c).StreamRanking(new GetRankingRequest { CampaignId = c.Get(id), TownshipCode = c.Get(township) }, c.Headers, cancellationToken: c.Cancellation);
                    var output = Console.Out;
                    await output.WriteLineAsync("名次,乡镇内名次,村代码,村,乡镇代码,乡镇,满意率,乡镇党委评价,扣分,综合得分,直接认定,说明");
                    await foreach (var page in call.ResponseStream.ReadAllAsync(c.Cancellation))
                    {
                        foreach (var r in page.Branches)
                        {
                            var e = r.Explanation;
                            string[] fields =
                            [
                                r.Rank.ToString(CultureInfo.InvariantCulture), r.TownshipRank.ToString(CultureInfo.InvariantCulture),
                                r.Branch.VillageCode, r.Branch.VillageName, r.Branch.TownshipCode, r.Branch.TownshipName,
                                e.SatisfactionRate.ToString("0.####", CultureInfo.InvariantCulture), e.CommitteeScore.ToString("0.##", CultureInfo.InvariantCulture),
                                e.Deductions.Sum(d => d.Points).ToString("0.##", CultureInfo.InvariantCulture), e.Composite.ToString("0.##", CultureInfo.InvariantCulture),
                                string.Join(" ", e.AutoDesignationReasons), e.Text,
                            ];
                            await output.WriteLineAsync(string.Join(',', fields.Select(Csv)));
                        }
                        // Each page reaches the reader (a pipe, a file) as it arrives, not when the last one has.
                        await output.FlushAsync(c.Cancellation);
                    }
                    return new Google.Protobuf.WellKnownTypes.Empty(); // the CSV is the output
                });
        }
        {
            var id = Arg("CAMPAIGN_ID", "the campaign's id");
            yield return Rpc("propose-targets", "propose targets: each township's bottom quota and the 直接认定 branches", [Service + "ProposeTargets"], [id],
                async c => await Client(c).ProposeTargetsAsync(new ProposeTargetsRequest { CampaignId = c.Get(id) }, c.Headers));
        }
        {
            var id = Arg("CAMPAIGN_ID", "the campaign's id");
            yield return Rpc("proposals", "the townships' proposals and the county's decisions", [Service + "ListProposals"], [id],
                async c => await Client(c).ListProposalsAsync(new ListProposalsRequest { CampaignId = c.Get(id) }, c.Headers));
        }
        {
            var id = Arg("CAMPAIGN_ID", "the campaign's id");
            var village = Arg("VILLAGE_CODE", "the proposed branch's village");
            var confirm = Flag("--confirm", "confirm it as a target");
            var reject = Flag("--reject", "reject it (with --reason)");
            var reason = Text("--reason", "why (required to reject)");
            var overrideReason = Text("--override-reason", "why an auto-designated branch is rejected nonetheless");
            yield return Rpc("review-proposal", "the county's decision on a proposal: --confirm or --reject (reviewer)", [Service + "ReviewProposal"], [id, village, confirm, reject, reason, overrideReason],
                async c =>
                {
                    if (c.Get(confirm) == c.Get(reject)) throw new CliException("review-proposal needs one of --confirm or --reject");
                    return await Client(c).ReviewProposalAsync(new ReviewProposalRequest
                        { CampaignId = c.Get(id), VillageCode = c.Get(village), Confirm = c.Get(confirm), Reason = c.Get(reason), OverrideReason = c.Get(overrideReason) }, c.Headers);
                });
        }
        {
            var id = Arg("CAMPAIGN_ID", "the campaign's id");
            yield return Rpc("confirm-targets", "confirm the reviewed proposals as the campaign's targets (TargetsDesignated) (reviewer)", [Service + "ConfirmTargets"], [id],
                async c => await Client(c).ConfirmTargetsAsync(new ConfirmTargetsRequest { CampaignId = c.Get(id) }, c.Headers));
        }
        {
            var id = Arg("CAMPAIGN_ID", "the campaign's id");
            yield return Rpc("targets", "confirmed targets, their acceptances and look-backs due", [Service + "ListTargets"], [id],
                async c => await Client(c).ListTargetsAsync(new ListTargetsRequest { CampaignId = c.Get(id) }, c.Headers));
        }
        foreach (var lookBack in new[] { false, true })
        {
            var campaign = Arg("CAMPAIGN_ID", "the campaign's id");
            var village = Arg("VILLAGE_CODE", "the target village");
            var score = Real("--score", "the overall score 0-100 (综合测评), when no --aspect is given");
            var aspects = Many("--aspect", "an aspect's score, ASPECT=SCORE (e.g. 班子建设=85); the score is their mean");
            var satisfied = Int("--satisfied", "满意 votes");
            var basically = Int("--basically", "基本满意 votes");
            var dissatisfied = Int("--dissatisfied", "不满意 votes");
            var heldOn = DateOpt("--held-on", "the day it was held (default today)");
            var deadline = DateOpt("--deadline", "the new deadline for the measures if it fails (回炉)");
            Symbol[] symbols = [campaign, village, score, aspects, satisfied, basically, dissatisfied, heldOn, deadline];
            RecordAcceptanceRequest Request(Ctx c)
            {
                var request = new RecordAcceptanceRequest
                {
                    CampaignId = c.Get(campaign), VillageCode = c.Get(village), Votes = Votes(c.Get(satisfied), c.Get(basically), c.Get(dissatisfied)),
                    HeldOn = c.Get(heldOn), NewDeadline = c.Get(deadline),
                };
                foreach (var aspect in c.Get(aspects))
                    request.Aspects.Add(aspect.Split('=', 2) is [var name, var value] && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var points)
                        ? new AspectScore { Aspect = name, Score = points } : throw new CliException($"--aspect: {aspect} is not ASPECT=SCORE"));
                if (request.Aspects.Count == 0) request.Aspects.Add(new AspectScore { Aspect = "综合测评", Score = c.Get(score) });
                return request;
            }
            yield return lookBack
                ? Rpc("look-back", "record a look-back (回头看) of a transformed target; a failure sends it back (回炉) (reviewer)", [Service + "RecordLookBack"], symbols,
                    async c => await Client(c).RecordLookBackAsync(Request(c), c.Headers))
                : Rpc("accept", "record an acceptance (验收); refused with OPEN_MEASURES while a measure is open; a failure sends it back (回炉) (reviewer)", [Service + "RecordAcceptance"], symbols,
                    async c => await Client(c).RecordAcceptanceAsync(Request(c), c.Headers));
        }
    }

    /// <summary>A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180).</summary>
    private static string Csv(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"") + "\"";

    private static Votes Votes(int satisfied, int basically, int dissatisfied) =>
        new() { Satisfied = satisfied, BasicallySatisfied = basically, Dissatisfied = dissatisfied, Ballots = satisfied + basically + dissatisfied };
}
