using Dapper;
using Grpc.Core;
using Rectify.Assessment;
using Rectify.Assessment.V1;
using Rectify.Kernel;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Tests.Measures;
using Rectify.Tests.Support;
using static Rectify.Tests.Assessment.AssessmentFixture;
using static Rectify.Tests.Measures.MeasuresFixture;

namespace Rectify.Tests.Assessment;

/// <summary>
/// Entering what already happened: an earlier year's targets recorded with the date and basis of the county's decision,
/// then their plans, ledgers and acceptances entered with the dates they happened (the fake clock stands at 2027-03-01).
/// </summary>
public abstract class PastCampaignSpec(DbProvider provider) : IAsyncLifetime
{
    private const string Basis = "县委组发〔2022〕40号《2022年度软弱涣散基层党组织集中整顿实施方案的通知》";
    private TestHost Host = null!;
    private AssessmentService.AssessmentServiceClient County = null!;
    private static readonly string A = Village(T1, 1), B = Village(T2, 2);

    public async ValueTask InitializeAsync()
    {
        Host = await AssessmentFixture.StartAsync(provider);
        await ImportCountyAsync(Host);
        County = Host.Assessment(AssessmentFixture.County, Role.Reviewer, "县委组织部审核员");
    }

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();

    private RecordPastTargetsRequest Past(params string[] villages) => new()
    {
        CountyCode = AssessmentFixture.County, Year = 2022, DecidedOn = D(2022, 4, 10), Basis = Basis, VillageCodes = { villages },
    };

    private Task<int> CountAsync(string table) =>
        Host.Get<Database<AssessmentModule>>().ReadAsync(c => c.ExecuteScalarAsync<int>($"SELECT COUNT(*) FROM {table}"));

    /// <summary>The township writes the 2022 plan once the measures service has learnt of the target.</summary>
    private async Task<Plan> PlanAsync(string village, string township)
    {
        var request = new CreatePlanRequest
        {
            VillageCode = village, CampaignYear = 2022, StartsOn = D(2022, 4, 20), BasicSituation = "2022年的整顿对象",
            Goals = { "建强基层组织" }, Phases = { new Phase { Name = "集中整顿", EndsOn = D(2022, 9, 30) }, new Phase { Name = "巩固提高", EndsOn = D(2022, 10, 31) } },
            Problems = { new ProblemInput { CategoryCode = "COLLECTIVE_ECONOMY", Description = "村级集体经济薄弱", Measures = { Measure("入股合作社发展花椒产业", new DateOnly(2022, 9, 30), false, "***") } } },
        };
        var client = Host.Measures(township, subject: "镇党委组织委员");
        // Until then the plan is refused (NOT_A_TARGET) and nothing written.
        return await Poll.Until(() => client.CreatePlanAsync(request).ResponseAsync);
    }

    [Fact]
    public async Task A_county_records_an_earlier_years_targets_with_the_date_and_basis_of_its_decision()
    {
        var recorded = await County.RecordPastTargetsAsync(Past(A, B));
        Assert.Equal([(A, "1镇1村", T1, "第101镇"), (B, "2镇2村", T2, "第102镇")], recorded.Targets.Select(t => (t.VillageCode, t.VillageName, t.TownshipCode, t.TownshipName)));
        Assert.Equal(("县委组织部审核员", Basis, new DateOnly(2022, 4, 10)), (recorded.RecordedBy, recorded.Basis, recorded.DecidedOn.ToDateOnly()));

        // The year's campaign record exists, marked as history: its branches are the recorded targets, nothing to assess.
        var campaign = await County.GetCampaignAsync(new GetCampaignRequest { CampaignId = recorded.CampaignId });
        Assert.True(campaign.EnteredAsHistory);
        Assert.Equal((2022, true, new DateOnly(2022, 12, 31)), (campaign.Year, campaign.Confirmed, campaign.Settings.EndsOn.ToDateOnly()));
        Assert.Equal([A, B], campaign.Branches.Select(b => b.VillageCode));
        var targets = (await County.ListTargetsAsync(new ListTargetsRequest { CampaignId = recorded.CampaignId })).Targets;
        Assert.All(targets, t => Assert.Equal((TargetStatus.Designated, new DateOnly(2022, 4, 10), Basis, "县委组织部审核员"), (t.Status, t.DecidedOn.ToDateOnly(), t.Basis, t.RecordedBy)));
        await Rpc.Refused(StatusCode.FailedPrecondition, () => County.RecordAssessmentAsync(new RecordAssessmentRequest
            { CampaignId = recorded.CampaignId, VillageCode = A, Votes = Votes(60, 30, 10), Committee = Committee(80) }));

        // TargetsDesignated reached the measures service: the township can write the 2022 plan.
        Assert.Equal(2022, (await PlanAsync(A, T1)).CampaignYear);

        // Another village later, in the same record; the same village twice is AlreadyExists.
        var later = Past(Village(T3, 3));
        later.DecidedOn = D(2022, 5, 6);
        Assert.Equal(recorded.CampaignId, (await County.RecordPastTargetsAsync(later)).CampaignId);
        await Rpc.Refused(StatusCode.AlreadyExists, () => County.RecordPastTargetsAsync(Past(B)));

        // Refusals change nothing.
        var before = (await CountAsync("campaigns"), await CountAsync("targets"), await CountAsync("outbox_messages"));
        await Rpc.Refused(StatusCode.PermissionDenied, () => Host.Assessment(AssessmentFixture.County, Role.Officer).RecordPastTargetsAsync(Past(Village(T1, 2))));
        await Rpc.Refused(StatusCode.PermissionDenied, () => Host.Assessment(T1, Role.Reviewer).RecordPastTargetsAsync(Past(Village(T1, 2))));
        var bad = Past(Village(T1, 2), "360732101201", Village(T1, 99), Village(T1, 2));
        bad.Year = 2027;
        bad.Basis = "";
        var refused = await Rpc.Refused(StatusCode.InvalidArgument, () => County.RecordPastTargetsAsync(bad));
        Assert.Equal(["basis", "village_codes[1]", "village_codes[3]", "year"], refused.Fields().Order());
        var late = Past(Village(T1, 2));
        late.DecidedOn = D(2023, 1, 5);
        Assert.Equal(["decided_on"], (await Rpc.Refused(StatusCode.InvalidArgument, () => County.RecordPastTargetsAsync(late))).Fields());
        Assert.Equal(["village_codes[0]"], (await Rpc.Refused(StatusCode.InvalidArgument, () => County.RecordPastTargetsAsync(Past(Village(T1, 99))))).Fields());
        Assert.Equal(before, (await CountAsync("campaigns"), await CountAsync("targets"), await CountAsync("outbox_messages")));

        // A year run in this system takes its targets from its own review, not from a past record.
        await County.CreateCampaignAsync(new CreateCampaignRequest { CountyCode = AssessmentFixture.County, Year = 2026 });
        var run = Past(Village(T1, 2));
        run.Year = 2026;
        run.DecidedOn = D(2026, 4, 1);
        Assert.Equal("CAMPAIGN_RUN_HERE", (await Rpc.Refused(StatusCode.FailedPrecondition, () => County.RecordPastTargetsAsync(run))).PreconditionType());
    }

    [Fact]
    public async Task An_ended_campaigns_ledger_and_acceptance_are_entered_with_the_dates_they_happened_and_who_entered_them_when()
    {
        var campaign = (await County.RecordPastTargetsAsync(Past(A, B))).CampaignId;
        var township = Host.Measures(T1, subject: "镇党委组织委员");
        var village = Host.Measures(A, subject: "村党支部书记");
        var id = (await PlanAsync(A, T1)).Problems[0].Measures[0].Id;

        await village.RecordProgressAsync(new RecordProgressRequest { MeasureId = id, On = D(2022, 6, 1), Percent = 40, Note = "10万元入股开元农民专业合作社" });
        await village.CompleteMeasureAsync(new CompleteMeasureRequest { MeasureId = id, Note = "分红到账", OccurredOn = D(2022, 9, 20) });
        // History comes in the order it happened, never in the future.
        Assert.Equal(["occurred_on"], (await Rpc.Refused(StatusCode.InvalidArgument, () => township.CloseMeasureAsync(new CloseMeasureRequest { MeasureId = id, Verifier = "王五", OccurredOn = D(2022, 9, 1) }))).Fields());
        Assert.Equal(["occurred_on"], (await Rpc.Refused(StatusCode.InvalidArgument, () => township.CloseMeasureAsync(new CloseMeasureRequest { MeasureId = id, Verifier = "王五", OccurredOn = D(2027, 3, 2) }))).Fields());
        var closed = await township.CloseMeasureAsync(new CloseMeasureRequest { MeasureId = id, Verifier = "王五", OccurredOn = D(2022, 10, 10) });
        Assert.Equal((MeasureStatus.Closed, false), (closed.Status, closed.Overdue));

        var history = (await village.GetMeasureAsync(new GetMeasureRequest { MeasureId = id })).History;
        var enteredAt = new DateTimeOffset(2027, 3, 1, 10, 0, 0, TimeSpan.FromHours(8));
        Assert.Equal(
            [(MeasureChangeKind.Progressed, new DateOnly(2022, 6, 1), "村党支部书记"), (MeasureChangeKind.Completed, new DateOnly(2022, 9, 20), "村党支部书记"), (MeasureChangeKind.Closed, new DateOnly(2022, 10, 10), "镇党委组织委员")],
            history.Skip(1).Select(h => (h.Kind, h.On.ToDateOnly(), h.RecordedBy)));
        // The audit record: who entered each entry and when, beside the date it happened.
        Assert.All(history, h => Assert.Equal(enteredAt, h.RecordedAt.ToDateTimeOffset()));

        // 验收 as history: held in November 2022, passed, with its own date.
        var accepted = await County.RecordAcceptanceAsync(new RecordAcceptanceRequest
        {
            CampaignId = campaign, VillageCode = A, HeldOn = D(2022, 11, 20), Aspects = { new AspectScore { Aspect = "班子建设", Score = 88 } },
            Votes = Votes(80, 15, 5), NewDeadline = D(2023, 3, 31),
        });
        Assert.Equal((true, TargetStatus.Transformed, new DateOnly(2022, 11, 20)), (accepted.Passed, accepted.StatusAfter, accepted.HeldOn.ToDateOnly()));
        var target = (await County.ListTargetsAsync(new ListTargetsRequest { CampaignId = campaign })).Targets.Single(t => t.Branch.VillageCode == A);
        Assert.Equal([new DateOnly(2023, 2, 20), new DateOnly(2023, 5, 20)], target.LookBacksDue.Select(d => d.ToDateOnly()));

        // A failed 验收 entered as history reopens the measures on the day it was held, with its new deadline.
        var idB = (await PlanAsync(B, T2)).Problems[0].Measures[0].Id;
        var townshipB = Host.Measures(T2, subject: "镇党委组织委员");
        await townshipB.RecordProgressAsync(new RecordProgressRequest { MeasureId = idB, On = D(2022, 7, 1), Percent = 100 });
        await townshipB.CompleteMeasureAsync(new CompleteMeasureRequest { MeasureId = idB, OccurredOn = D(2022, 9, 25) });
        await townshipB.CloseMeasureAsync(new CloseMeasureRequest { MeasureId = idB, Verifier = "赵六", OccurredOn = D(2022, 10, 20) });
        Assert.Equal(["held_on"], (await Rpc.Refused(StatusCode.InvalidArgument, () => County.RecordAcceptanceAsync(new RecordAcceptanceRequest
            { CampaignId = campaign, VillageCode = B, Aspects = { new AspectScore { Aspect = "班子建设", Score = 60 } }, Votes = Votes(50, 20, 30), NewDeadline = D(2023, 3, 31) }))).Fields());
        var failed = await County.RecordAcceptanceAsync(new RecordAcceptanceRequest
        {
            CampaignId = campaign, VillageCode = B, HeldOn = D(2022, 11, 25), Aspects = { new AspectScore { Aspect = "班子建设", Score = 60 } },
            Votes = Votes(50, 20, 30), NewDeadline = D(2023, 3, 31),
        });
        Assert.Equal(TargetStatus.Reopened, failed.StatusAfter);
        var reopened = await Poll.Until(async () =>
        {
            var detail = await townshipB.GetMeasureAsync(new GetMeasureRequest { MeasureId = idB });
            return detail.Measure.Status == MeasureStatus.Reopened ? detail : throw new InvalidOperationException("not reopened yet");
        });
        Assert.Equal((new DateOnly(2023, 3, 31), 1), (reopened.Measure.Deadline.ToDateOnly(), reopened.Measure.ReopenCount));
        Assert.Equal((MeasureChangeKind.Reopened, new DateOnly(2022, 11, 25)), (reopened.History[^1].Kind, reopened.History[^1].On.ToDateOnly()));
    }

    [Fact]
    public async Task A_running_campaigns_ledger_is_dated_the_day_it_changes_and_cannot_be_backdated()
    {
        await Host.DesignateForYearAsync(2027, (A, "1镇1村", "第101镇"));
        var township = Host.Measures(T1, subject: "镇党委组织委员");
        var plan = await township.CreatePlanAsync(new CreatePlanRequest
        {
            VillageCode = A, CampaignYear = 2027, StartsOn = D(2027, 1, 10), BasicSituation = "2027年的整顿对象", Goals = { "建强基层组织" },
            Phases = { new Phase { Name = "集中整顿", EndsOn = D(2027, 9, 30) } },
            Problems = { new ProblemInput { CategoryCode = "WEAK_LEADERSHIP", Description = "组织动员力弱", Measures = { Measure("落实坐班制度", new DateOnly(2027, 6, 30), false, "***") } } },
        });
        var id = plan.Problems[0].Measures[0].Id;
        await township.RecordProgressAsync(new RecordProgressRequest { MeasureId = id, On = D(2027, 2, 1), Percent = 60 });
        var refused = await Rpc.Refused(StatusCode.InvalidArgument, () => township.CompleteMeasureAsync(new CompleteMeasureRequest { MeasureId = id, OccurredOn = D(2027, 2, 20) }));
        Assert.Equal(["occurred_on"], refused.Fields());
        Assert.Equal(MeasureStatus.InProgress, (await township.GetMeasureAsync(new GetMeasureRequest { MeasureId = id })).Measure.Status);
        var completed = await township.CompleteMeasureAsync(new CompleteMeasureRequest { MeasureId = id });
        Assert.Equal(MeasureStatus.Completed, completed.Status);
        Assert.Equal(new DateOnly(2027, 3, 1), (await township.GetMeasureAsync(new GetMeasureRequest { MeasureId = id })).History[^1].On.ToDateOnly());
    }
}

public sealed class PastCampaignOnSqlite() : PastCampaignSpec(DbProvider.Sqlite);

public sealed class PastCampaignOnPostgres() : PastCampaignSpec(DbProvider.Postgres);
