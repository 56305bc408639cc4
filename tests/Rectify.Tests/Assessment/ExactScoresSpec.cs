using Dapper;
using Grpc.Core;
using Rectify.Assessment;
using Rectify.Assessment.V1;
using Rectify.Kernel;
using Rectify.Measures.V1;
using Rectify.Tests.Measures;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;
using static Rectify.Tests.Assessment.AssessmentFixture;

namespace Rectify.Tests.Assessment;

/// <summary>Fractional scores are stored and read exactly, on SQLite as on PostgreSQL.</summary>
public abstract class ExactScoresSpec(DbProvider provider) : IAsyncLifetime
{
    private TestHost _host = null!;
    private AssessmentService.AssessmentServiceClient _county = null!;
    private Campaign _campaign = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await StartAsync(provider);
        await ImportCountyAsync(_host);
        _county = _host.Assessment(County, Role.Reviewer);
        _campaign = await _county.CreateCampaignAsync(new CreateCampaignRequest { CountyCode = County, Year = 2027 });
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_fractional_committee_score_corrected_after_confirmation_keeps_the_ranking_and_proposals_readable()
    {
        await AssessAllAsync(_host, _campaign.Id, new() { [Village(T1, 1)] = new RecordAssessmentRequest { Votes = Votes(20, 40, 40), Committee = Committee(40) } });
        var proposals = await _county.ProposeTargetsAsync(new ProposeTargetsRequest { CampaignId = _campaign.Id });
        foreach (var p in proposals.Proposals)
            await _county.ReviewProposalAsync(new ReviewProposalRequest { CampaignId = _campaign.Id, VillageCode = p.Branch.VillageCode, Confirm = true, Reason = "县委确定", OverrideReason = "" });
        await _county.ConfirmTargetsAsync(new ConfirmTargetsRequest { CampaignId = _campaign.Id });

        var correction = new RecordAssessmentRequest
        {
            CampaignId = _campaign.Id, VillageCode = Village(T1, 1), Votes = Votes(20, 40, 40),
            Committee = new CommitteeScores { TeamOperation = 72.5, OrganizationalSystems = 0.1, CadreTeam = 100, VanguardRole = 0 },
        };
        var corrected = await _county.CorrectAssessmentAsync(new CorrectAssessmentRequest { Assessment = correction, Reason = "计分错误更正" });
        Assert.Equal((72.5, 0.1, 100.0, 0.0), (corrected.Committee.TeamOperation, corrected.Committee.OrganizationalSystems, corrected.Committee.CadreTeam, corrected.Committee.VanguardRole));

        var ranking = await _county.GetRankingAsync(new GetRankingRequest { CampaignId = _campaign.Id });
        var weakest = ranking.Branches.Single(b => b.Branch.VillageCode == Village(T1, 1)).Explanation;
        Assert.Equal(43.15, weakest.CommitteeScore);          // (72.5 + 0.1 + 100 + 0) / 4, exactly
        Assert.Equal(51.575, weakest.Composite);               // 60% × 50 + 43.15 × 0.5
        Assert.NotEmpty((await _county.ListProposalsAsync(new ListProposalsRequest { CampaignId = _campaign.Id })).Proposals);
    }

    private Task<string> SnapshotAsync() =>
        _host.Get<Database<AssessmentModule>>().ReadAsync(async c => string.Join(" ",
            await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM assessments"), await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM reviews"),
            await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM campaigns")));

    [Theory]
    [InlineData(-0.01)]
    [InlineData(100.01)]
    [InlineData(72.555)]
    [InlineData(0.001)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public async Task Scores_outside_0_to_100_or_finer_than_a_hundredth_are_refused_field_by_field_and_nothing_is_written(double bad)
    {
        var before = await SnapshotAsync();
        var request = new RecordAssessmentRequest
        {
            CampaignId = _campaign.Id, VillageCode = Village(T1, 1), Votes = Votes(6, 3, 1),
            Committee = new CommitteeScores { TeamOperation = bad, OrganizationalSystems = 72.5, CadreTeam = 0, VanguardRole = 100 },
        };
        Assert.Equal(["committee.team_operation"], (await Rpc.Refused(StatusCode.InvalidArgument, () => _county.RecordAssessmentAsync(request))).Fields());
        Assert.Equal(["settings.pass_score"], (await Rpc.Refused(StatusCode.InvalidArgument, () => _county.CreateCampaignAsync(
            new CreateCampaignRequest { CountyCode = County, Year = 2026, Settings = new CampaignSettings { PassScore = bad } }))).Fields());
        var acceptance = new RecordAcceptanceRequest
        {
            CampaignId = _campaign.Id, VillageCode = Village(T1, 1), Votes = Votes(6, 3, 1), NewDeadline = MeasuresFixture.D(2027, 9, 30),
            Aspects = { new AspectScore { Aspect = "班子建设", Score = 80 }, new AspectScore { Aspect = "为民办事", Score = bad } },
        };
        Assert.Equal(["aspects[1].score"], (await Rpc.Refused(StatusCode.InvalidArgument, () => _county.RecordAcceptanceAsync(acceptance))).Fields());
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Pass_marks_of_a_hundredth_and_of_100_are_kept_as_given()
    {
        foreach (var (year, pass) in new[] { (2025, 0.01), (2026, 100.0) })
        {
            var campaign = await _county.CreateCampaignAsync(new CreateCampaignRequest { CountyCode = County, Year = year, Settings = new CampaignSettings { PassScore = pass } });
            Assert.Equal(pass, campaign.Settings.PassScore);
        }
        Assert.Equal(["settings.pass_score"], (await Rpc.Refused(StatusCode.InvalidArgument, () => _county.CreateCampaignAsync(
            new CreateCampaignRequest { CountyCode = County, Year = 2024, Settings = new CampaignSettings { PassScore = 0 } }))).Fields());
    }

    [Fact]
    public async Task Whole_and_fractional_review_scores_read_back_exactly_and_a_mean_just_below_the_mark_fails()
    {
        await AssessAllAsync(_host, _campaign.Id, new() { [Village(T1, 1)] = new RecordAssessmentRequest { Votes = Votes(20, 40, 40), Committee = Committee(40) } });
        var proposals = await _county.ProposeTargetsAsync(new ProposeTargetsRequest { CampaignId = _campaign.Id });
        foreach (var p in proposals.Proposals)
            await _county.ReviewProposalAsync(new ReviewProposalRequest { CampaignId = _campaign.Id, VillageCode = p.Branch.VillageCode, Confirm = p.Branch.VillageCode == Village(T1, 1), Reason = "县委确定" });
        await _county.ConfirmTargetsAsync(new ConfirmTargetsRequest { CampaignId = _campaign.Id });
        var plan = await Poll.Until(() => MeasuresFixture.Measures(_host, T1).CreatePlanAsync(MeasuresFixture.SimplePlan(Village(T1, 1))).ResponseAsync);
        foreach (var id in plan.Problems.SelectMany(p => p.Measures).Select(m => m.Id))
        {
            await MeasuresFixture.Measures(_host, Village(T1, 1)).RecordProgressAsync(new RecordProgressRequest { MeasureId = id, Percent = 100 });
            await MeasuresFixture.Measures(_host, Village(T1, 1)).CompleteMeasureAsync(new CompleteMeasureRequest { MeasureId = id });
            await MeasuresFixture.Measures(_host, T1).CloseMeasureAsync(new CloseMeasureRequest { MeasureId = id, Verifier = "乡镇组织委员" });
        }
        MeasuresFixture.SetShanghai(_host, new DateTime(2027, 6, 20, 9, 0, 0));
        RecordAcceptanceRequest Review(Votes votes, params double[] aspects)
        {
            var r = new RecordAcceptanceRequest { CampaignId = _campaign.Id, VillageCode = Village(T1, 1), Votes = votes, NewDeadline = MeasuresFixture.D(2027, 12, 31) };
            r.Aspects.AddRange(aspects.Select((a, i) => new AspectScore { Aspect = $"方面{i}", Score = a }));
            return r;
        }
        // A whole mean first, then a fractional one and one a hair under the pass mark: SQLite gave these two storage types.
        var accepted = await _county.RecordAcceptanceAsync(Review(Votes(6, 3, 1), 70, 70));
        Assert.Equal((true, 70.0, 0.1), (accepted.Passed, accepted.Score, accepted.DissatisfiedShare));
        MeasuresFixture.SetShanghai(_host, new DateTime(2027, 9, 22, 9, 0, 0));
        var lookBack = await _county.RecordLookBackAsync(Review(Votes(2, 0, 1), 72.5, 0.1, 100));
        Assert.Equal((false, 57.53), (lookBack.Passed, lookBack.Score));           // 172.6 / 3 = 57.533…, rounded down
        var target = (await _county.ListTargetsAsync(new ListTargetsRequest { CampaignId = _campaign.Id })).Targets.Single();
        Assert.Equal([(70.0, 0.1), (57.53, 1.0 / 3)], target.Reviews.Select(r => (r.Score, r.DissatisfiedShare)));
    }

    [Fact]
    public void A_mean_of_69_995_is_69_99_and_fails_a_pass_mark_of_70()
    {
        var settings = Rectify.Assessment.Campaigns.Settings.From(null, 2027, new Rectify.Platform.Errors.Violations());
        var (passed, score, _, _) = Rectify.Assessment.Acceptance.AcceptanceService.Judge([7000, 6999], Votes(10, 0, 0), settings);
        Assert.Equal((false, 69.99), (passed, score));
    }
}

public sealed class ExactScoresOnSqlite() : ExactScoresSpec(DbProvider.Sqlite);

public sealed class ExactScoresOnPostgres() : ExactScoresSpec(DbProvider.Postgres);
