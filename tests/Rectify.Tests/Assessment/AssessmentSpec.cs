using Dapper;
using Grpc.Core;
using Rectify.Assessment;
using Rectify.Assessment.V1;
using Rectify.Kernel;
using Rectify.Measures.V1;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Tests.Measures;
using Rectify.Tests.Support;
using static Rectify.Tests.Assessment.AssessmentFixture;

namespace Rectify.Tests.Assessment;

/// <summary>Identification and acceptance through gRPC and the bus, on SQLite and on PostgreSQL.</summary>
public abstract class AssessmentSpec(DbProvider provider) : IAsyncLifetime
{
    protected TestHost Host = null!;
    protected AssessmentService.AssessmentServiceClient CountyOffice = null!;
    protected Campaign Campaign = null!;

    public async ValueTask InitializeAsync()
    {
        Host = await StartAsync(provider);
        await ImportCountyAsync(Host);
        CountyOffice = Host.Assessment(County, Role.Reviewer);
        Campaign = await CountyOffice.CreateCampaignAsync(new CreateCampaignRequest { CountyCode = County, Year = 2027 });
    }

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();

    private static RecordAssessmentRequest Assess(Votes votes, double committee, params string[] findings)
    {
        var request = new RecordAssessmentRequest { Votes = votes, Committee = Committee(committee) };
        request.Findings.AddRange(findings.Select(f => new Finding { Code = f }));
        return request;
    }

    private async Task<string> Snapshot() =>
        await Host.Get<Database<AssessmentModule>>().ReadAsync(async c =>
        {
            var parts = new List<string>();
            foreach (var table in new[] { "campaigns", "assessments", "proposals", "targets", "reviews", "outbox_messages" })
                parts.Add($"{table}={await c.ExecuteScalarAsync<int>($"SELECT COUNT(*) FROM {table}")}");
            parts.Add("proposals=" + string.Join(",", await c.QueryAsync<string>("SELECT village_code || ':' || CAST(status AS VARCHAR(2)) FROM proposals ORDER BY village_code")));
            return string.Join(" ", parts);
        });

    [Fact]
    public async Task The_campaign_assesses_the_countys_villages_as_the_organizations_service_knows_them()
    {
        Assert.Equal(41, Campaign.Branches.Count);
        Assert.Equal(("第101镇", T1), (Campaign.Branches[0].TownshipName, Campaign.Branches[0].TownshipCode));
        Assert.Equal((0.5, 0.5, 0.1, 70.0, 0.5), (Campaign.Settings.SatisfactionWeight, Campaign.Settings.CommitteeWeight, Campaign.Settings.Quota, Campaign.Settings.PassScore, Campaign.Settings.OutrightFailDissatisfiedShare));
        Assert.Contains(Campaign.Settings.FindingRules, r => r.Code == "SECRETARY_VACANT" && r.AutoDesignation);
        await Rpc.Refused(StatusCode.AlreadyExists, () => CountyOffice.CreateCampaignAsync(new CreateCampaignRequest { CountyCode = County, Year = 2027 }));
    }

    [Fact]
    public async Task Ties_are_broken_by_satisfaction_then_committee_then_code_and_every_score_is_explained()
    {
        await AssessAllAsync(Host, Campaign.Id, new()
        {
            [Village(T2, 1)] = Assess(Votes(30, 30, 40), 80),               // 60% × 50 + 80 × 0.5 = 70
            [Village(T2, 2)] = Assess(Votes(40, 30, 30), 70),               // 70% × 50 + 70 × 0.5 = 70: higher satisfaction than v1
            [Village(T2, 3)] = Assess(Votes(40, 30, 30), 70),               // identical to v2: the code decides
            [Village(T2, 4)] = Assess(Votes(40, 30, 30), 70, "WEAK_TEAM"),  // 70 − 5 = 65
        });
        var ranking = await Host.Assessment(T2, subject: "第102镇党委").GetRankingAsync(new GetRankingRequest { CampaignId = Campaign.Id, TownshipCode = T2 });
        Assert.Equal([Village(T2, 4), Village(T2, 1), Village(T2, 2), Village(T2, 3)], ranking.Branches.Take(4).Select(b => b.Branch.VillageCode));
        Assert.Equal([1, 2, 3, 4], ranking.Branches.Take(4).Select(b => b.TownshipRank));
        var weakest = ranking.Branches[0].Explanation;
        Assert.Equal((0.7, 35.0, 35.0, 65.0), (weakest.SatisfactionRate, weakest.SatisfactionComponent, weakest.CommitteeComponent, weakest.Composite));
        Assert.Equal(("WEAK_TEAM", 5.0), (weakest.Deductions.Single().FindingCode, weakest.Deductions.Single().Points));
        Assert.Contains("综合得分 65", weakest.Text);
        Assert.Contains("扣分 班子不团结、战斗力不强 5", weakest.Text);
        Assert.Empty(ranking.Unassessed);
        // A township sees its own ranking, not the county's.
        await Rpc.Refused(StatusCode.PermissionDenied, () => Host.Assessment(T2).GetRankingAsync(new GetRankingRequest { CampaignId = Campaign.Id }));
    }

    [Fact]
    public async Task Proposals_take_each_townships_bottom_quota_plus_every_auto_designated_branch_and_the_county_decides()
    {
        await AssessAllAsync(Host, Campaign.Id, new()
        {
            [Village(T1, 1)] = Assess(Votes(20, 40, 40), 40),
            [Village(T1, 2)] = Assess(Votes(20, 40, 40), 45),
            [Village(T2, 1)] = Assess(Votes(20, 40, 40), 40),
            [Village(T2, 9)] = Assess(Votes(20, 35, 45), 100),                  // 55% satisfied: designated directly, though ranked second
            [Village(T3, 1)] = Assess(Votes(20, 40, 40), 40),
            [Village(T3, 2)] = Assess(Votes(20, 40, 40), 45),
            [Village(T3, 15)] = Assess(Votes(60, 30, 10), 90, "SECRETARY_VACANT"), // high score, vacant secretary: designated directly
        });
        await Rpc.Refused(StatusCode.FailedPrecondition, () => CountyOffice.ConfirmTargetsAsync(new ConfirmTargetsRequest { CampaignId = Campaign.Id }));
        var proposals = await CountyOffice.ProposeTargetsAsync(new ProposeTargetsRequest { CampaignId = Campaign.Id });
        Assert.Equal([Village(T1, 1), Village(T1, 2), Village(T2, 1), Village(T2, 9), Village(T3, 1), Village(T3, 2), Village(T3, 15)],
            proposals.Proposals.Select(p => p.Branch.VillageCode).Order());
        var byCode = proposals.Proposals.ToDictionary(p => p.Branch.VillageCode);
        Assert.Equal((false, "SATISFACTION_BELOW_THRESHOLD"), (byCode[Village(T2, 9)].BottomQuota, byCode[Village(T2, 9)].AutoDesignationReasons.Single()));
        Assert.Equal((false, "SECRETARY_VACANT"), (byCode[Village(T3, 15)].BottomQuota, byCode[Village(T3, 15)].AutoDesignationReasons.Single()));
        Assert.True(byCode[Village(T1, 2)].BottomQuota);
        Assert.All(proposals.Proposals, p => Assert.Equal(ProposalStatus.Proposed, p.Status));

        var before = await Snapshot();
        Assert.Equal(["override_reason"], (await Rpc.Refused(StatusCode.InvalidArgument, () => CountyOffice.ReviewProposalAsync(
            new ReviewProposalRequest { CampaignId = Campaign.Id, VillageCode = Village(T3, 15), Confirm = false, Reason = "新书记已到任" }))).Fields());
        await Rpc.Refused(StatusCode.PermissionDenied, () => Host.Assessment(T3).ReviewProposalAsync(
            new ReviewProposalRequest { CampaignId = Campaign.Id, VillageCode = Village(T3, 1), Confirm = true, Reason = "乡镇自己确认" }));
        Assert.Equal(before, await Snapshot());

        var rejected = await CountyOffice.ReviewProposalAsync(new ReviewProposalRequest
        {
            CampaignId = Campaign.Id, VillageCode = Village(T3, 15), Confirm = false, Reason = "新书记已到任", OverrideReason = "书记空缺已于评议后补齐，经县委研究不列入",
        });
        Assert.Equal((ProposalStatus.Rejected, "书记空缺已于评议后补齐，经县委研究不列入", "县委组织部"), (rejected.Status, rejected.OverrideReason, rejected.ReviewedBy));
        foreach (var code in new[] { Village(T1, 1), Village(T1, 2), Village(T2, 1), Village(T2, 9), Village(T3, 1) })
            await CountyOffice.ReviewProposalAsync(new ReviewProposalRequest { CampaignId = Campaign.Id, VillageCode = code, Confirm = true, Reason = "经三级联评确定" });
        Assert.Equal("UNREVIEWED_PROPOSALS", (await Rpc.Refused(StatusCode.FailedPrecondition, () => CountyOffice.ConfirmTargetsAsync(new ConfirmTargetsRequest { CampaignId = Campaign.Id }))).PreconditionType());
        await CountyOffice.ReviewProposalAsync(new ReviewProposalRequest { CampaignId = Campaign.Id, VillageCode = Village(T3, 2), Confirm = false, Reason = "复核后分数有误" });

        var designation = await CountyOffice.ConfirmTargetsAsync(new ConfirmTargetsRequest { CampaignId = Campaign.Id });
        Assert.Equal(5, designation.Targets.Count);
        Assert.Equal("ALREADY_CONFIRMED", (await Rpc.Refused(StatusCode.FailedPrecondition, () => CountyOffice.ConfirmTargetsAsync(new ConfirmTargetsRequest { CampaignId = Campaign.Id }))).PreconditionType());

        // Confirmed: the scores freeze; a correction is a new, audited revision and changes no designation.
        var record = Assess(Votes(60, 30, 10), 90);
        record.CampaignId = Campaign.Id;
        record.VillageCode = Village(T1, 1);
        Assert.Equal("SCORES_FROZEN", (await Rpc.Refused(StatusCode.FailedPrecondition, () => CountyOffice.RecordAssessmentAsync(record))).PreconditionType());
        var corrected = await CountyOffice.CorrectAssessmentAsync(new CorrectAssessmentRequest { Assessment = record, Reason = "计票错误更正" });
        Assert.Equal((2, "计票错误更正"), (corrected.Revision, corrected.CorrectionReason));
        Assert.Equal(5, (await CountyOffice.ListTargetsAsync(new ListTargetsRequest { CampaignId = Campaign.Id })).Targets.Count);

        // TargetsDesignated reached the measures service: the targets can now have plans, and the rejected cannot.
        var township = MeasuresFixture.Measures(Host, T1);
        await Poll.Until(async () => await township.CreatePlanAsync(MeasuresFixture.SimplePlan(Village(T1, 1))));
        Assert.Equal("NOT_A_TARGET", (await Rpc.Refused(StatusCode.FailedPrecondition, () => MeasuresFixture.Measures(Host, T3).CreatePlanAsync(MeasuresFixture.SimplePlan(Village(T3, 2))))).PreconditionType());
    }

    [Fact]
    public async Task Bad_assessments_and_settings_are_refused_field_by_field_and_nothing_is_written()
    {
        var before = await Snapshot();
        RecordAssessmentRequest Bad(string village, Votes votes, double committee, params string[] findings)
        {
            var r = Assess(votes, committee, findings);
            r.CampaignId = Campaign.Id;
            r.VillageCode = village;
            return r;
        }
        Assert.Equal(["village_code"], (await Rpc.Refused(StatusCode.InvalidArgument, () => Host.Assessment("360700000000").RecordAssessmentAsync(Bad("360732101201", Votes(1, 1, 1), 80)))).Fields());
        Assert.Equal(["votes"], (await Rpc.Refused(StatusCode.InvalidArgument, () => CountyOffice.RecordAssessmentAsync(Bad(Village(T1, 1), new Votes { Satisfied = 10, BasicallySatisfied = 5, Dissatisfied = 5, Ballots = 25 }, 80)))).Fields());
        Assert.Contains("votes", (await Rpc.Refused(StatusCode.InvalidArgument, () => CountyOffice.RecordAssessmentAsync(Bad(Village(T1, 1), new Votes { Satisfied = 10, BasicallySatisfied = 5, Dissatisfied = -5, Ballots = 10 }, 80)))).Fields());
        Assert.Equal(["committee.cadre_team", "committee.organizational_systems", "committee.team_operation", "committee.vanguard_role"],
            (await Rpc.Refused(StatusCode.InvalidArgument, () => CountyOffice.RecordAssessmentAsync(Bad(Village(T1, 1), Votes(1, 1, 1), 101)))).Fields().Order());
        Assert.Equal(["findings[0].code"], (await Rpc.Refused(StatusCode.InvalidArgument, () => CountyOffice.RecordAssessmentAsync(Bad(Village(T1, 1), Votes(1, 1, 1), 80, "NO_SUCH_FINDING")))).Fields());
        await Rpc.Refused(StatusCode.PermissionDenied, () => Host.Assessment(Village(T1, 1)).RecordAssessmentAsync(Bad(Village(T1, 1), Votes(1, 1, 1), 80)));
        var weights = await Rpc.Refused(StatusCode.InvalidArgument, () => CountyOffice.CreateCampaignAsync(new CreateCampaignRequest
        {
            CountyCode = County, Year = 2026, Settings = new CampaignSettings { SatisfactionWeight = 0.7, CommitteeWeight = 0.4, Quota = 1.5 },
        }));
        Assert.Equal(["settings.committee_weight", "settings.quota"], weights.Fields().Order());
        Assert.Equal(["settings.quota"], (await Rpc.Refused(StatusCode.InvalidArgument, () => CountyOffice.CreateCampaignAsync(new CreateCampaignRequest
        {
            CountyCode = County, Year = 2026, Settings = new CampaignSettings { Quota = 0 },
        }))).Fields());
        Assert.Equal("UNASSESSED_BRANCHES", (await Rpc.Refused(StatusCode.FailedPrecondition, () => CountyOffice.ProposeTargetsAsync(new ProposeTargetsRequest { CampaignId = Campaign.Id }))).PreconditionType());
        Assert.Equal(before, await Snapshot());
    }

    /// <summary>Designates one target (T1's first village), gives it a plan of three measures, and returns their ids.</summary>
    private async Task<List<string>> DesignateWithPlanAsync()
    {
        await AssessAllAsync(Host, Campaign.Id, new() { [Village(T1, 1)] = Assess(Votes(20, 40, 40), 40) });
        var proposals = await CountyOffice.ProposeTargetsAsync(new ProposeTargetsRequest { CampaignId = Campaign.Id });
        foreach (var p in proposals.Proposals)
            await CountyOffice.ReviewProposalAsync(new ReviewProposalRequest { CampaignId = Campaign.Id, VillageCode = p.Branch.VillageCode, Confirm = p.Branch.VillageCode == Village(T1, 1), Reason = "县委确定" });
        await CountyOffice.ConfirmTargetsAsync(new ConfirmTargetsRequest { CampaignId = Campaign.Id });
        var plan = await Poll.Until(() => MeasuresFixture.Measures(Host, T1).CreatePlanAsync(MeasuresFixture.SimplePlan(Village(T1, 1))).ResponseAsync);
        return plan.Problems.SelectMany(p => p.Measures).Select(m => m.Id).ToList();
    }

    private async Task CloseAllAsync(IEnumerable<string> measures)
    {
        var village = MeasuresFixture.Measures(Host, Village(T1, 1));
        foreach (var id in measures)
        {
            await village.RecordProgressAsync(new RecordProgressRequest { MeasureId = id, Percent = 100 });
            await village.CompleteMeasureAsync(new CompleteMeasureRequest { MeasureId = id });
            await MeasuresFixture.Measures(Host, T1).CloseMeasureAsync(new CloseMeasureRequest { MeasureId = id, Verifier = "乡镇组织委员" });
        }
    }

    private RecordAcceptanceRequest Acceptance(double score, Votes votes) => new()
    {
        CampaignId = Campaign.Id, VillageCode = Village(T1, 1), Votes = votes, NewDeadline = MeasuresFixture.D(2027, 9, 30),
        Aspects = { new AspectScore { Aspect = "班子建设", Score = score }, new AspectScore { Aspect = "为民办事", Score = score } },
    };

    [Fact]
    public async Task A_target_is_accepted_only_with_every_measure_closed_then_transformed_and_a_failed_look_back_reopens_it()
    {
        var measures = await DesignateWithPlanAsync();
        MeasuresFixture.SetShanghai(Host, new DateTime(2027, 6, 20, 9, 0, 0));
        var before = await Snapshot();
        Assert.Equal("OPEN_MEASURES", (await Rpc.Refused(StatusCode.FailedPrecondition, () => CountyOffice.RecordAcceptanceAsync(Acceptance(90, Votes(80, 15, 5))))).PreconditionType());
        Assert.Equal(before, await Snapshot());

        await CloseAllAsync(measures);
        // 70 is the pass mark, and exactly half the votes dissatisfied is not more than half.
        var accepted = await CountyOffice.RecordAcceptanceAsync(Acceptance(70, Votes(30, 20, 50)));
        Assert.Equal((true, TargetStatus.Transformed, 0.5), (accepted.Passed, accepted.StatusAfter, accepted.DissatisfiedShare));
        var target = (await CountyOffice.ListTargetsAsync(new ListTargetsRequest { CampaignId = Campaign.Id })).Targets.Single();
        Assert.Equal([(2027, 9, 20), (2027, 12, 20)], target.LookBacksDue.Select(d => (d.Year, d.Month, d.Day)));
        await Rpc.Refused(StatusCode.FailedPrecondition, () => CountyOffice.RecordAcceptanceAsync(Acceptance(90, Votes(80, 15, 5))));

        MeasuresFixture.SetShanghai(Host, new DateTime(2027, 9, 22, 9, 0, 0));
        var lookBack = Acceptance(60, Votes(50, 20, 30));
        lookBack.NewDeadline = MeasuresFixture.D(2027, 11, 30);
        var failed = await CountyOffice.RecordLookBackAsync(lookBack);
        Assert.Equal((false, TargetStatus.Reopened), (failed.Passed, failed.StatusAfter));
        Assert.Contains("低于合格线", failed.Reasons.Single());
        await WaitForReopenedAsync(measures, new DateOnly(2027, 11, 30));
    }

    [Fact]
    public async Task A_failed_acceptance_sends_the_target_back_and_reopens_its_measures_with_the_new_deadline()
    {
        var measures = await DesignateWithPlanAsync();
        await CloseAllAsync(measures);
        MeasuresFixture.SetShanghai(Host, new DateTime(2027, 6, 20, 9, 0, 0));
        // A score of 95 cannot save it: 50.1% of the votes are dissatisfied.
        var result = await CountyOffice.RecordAcceptanceAsync(Acceptance(95, new Votes { Satisfied = 400, BasicallySatisfied = 99, Dissatisfied = 501, Ballots = 1000 }));
        Assert.Equal((false, TargetStatus.Reopened), (result.Passed, result.StatusAfter));
        Assert.Contains("直接判定不合格", result.Reasons.Single());
        await WaitForReopenedAsync(measures, new DateOnly(2027, 9, 30));
        var target = (await CountyOffice.ListTargetsAsync(new ListTargetsRequest { CampaignId = Campaign.Id })).Targets.Single();
        Assert.Equal(TargetStatus.Reopened, target.Status);

        // Sent back, it cannot be accepted again until its reopened measures are closed again.
        Assert.Equal("OPEN_MEASURES", (await Rpc.Refused(StatusCode.FailedPrecondition, () => CountyOffice.RecordAcceptanceAsync(Acceptance(69.99, Votes(80, 15, 5))))).PreconditionType());
    }

    private async Task WaitForReopenedAsync(List<string> measures, DateOnly deadline)
    {
        var county = MeasuresFixture.Measures(Host, County);
        await Poll.Until(async () =>
        {
            foreach (var id in measures)
            {
                var m = (await county.GetMeasureAsync(new GetMeasureRequest { MeasureId = id })).Measure;
                if (m.Status != MeasureStatus.Reopened) throw new InvalidOperationException($"{id} is {m.Status}");
                Assert.Equal((deadline.Year, deadline.Month, deadline.Day), (m.Deadline.Year, m.Deadline.Month, m.Deadline.Day));
            }
            return true;
        });
    }

}

public sealed class AssessmentOnSqlite() : AssessmentSpec(DbProvider.Sqlite);

public sealed class AssessmentOnPostgres() : AssessmentSpec(DbProvider.Postgres);
