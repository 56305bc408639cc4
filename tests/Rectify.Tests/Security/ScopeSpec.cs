using Grpc.Core;
using Rectify.Assessment.V1;
using Rectify.Kernel;
using Rectify.Measures.V1;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Tests.Measures;
using Rectify.Tests.Support;
using static Rectify.Tests.Assessment.AssessmentFixture;

namespace Rectify.Tests.Security;

/// <summary>
/// Regressions of issue 9's scope defects, over real gRPC on SQLite and PostgreSQL: id probes that named the owner's unit,
/// a campaign read that returned the whole county to a township or a village, and a village writing its own plan.
/// </summary>
public abstract class ScopeSpec(DbProvider provider) : IAsyncLifetime
{
    private const string OtherCounty = "360732000000";
    private TestHost _host = null!;
    private Campaign _campaign = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await StartAsync(provider);
        await ImportCountyAsync(_host);
        _campaign = await _host.Assessment(County).CreateCampaignAsync(new CreateCampaignRequest { CountyCode = County, Year = MeasuresFixture.Year });
        await MeasuresFixture.DesignateAsync(_host, (MeasuresFixture.TargetA1, "1镇1村", "第101镇"));
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    /// <summary>The refusal for <paramref name="id"/>, with the id itself blanked out so two refusals compare.</summary>
    private static async Task<(StatusCode, string)> RefusalAsync(string id, Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        return (e.StatusCode, e.Status.Detail.Replace(id, "{id}"));
    }

    [Fact]
    public async Task An_id_outside_the_callers_subtree_is_answered_exactly_as_an_unknown_id()
    {
        var plan = await _host.Measures(T1).CreatePlanAsync(MeasuresFixture.SimplePlan(MeasuresFixture.TargetA1));
        var measure = plan.Problems[0].Measures[0].Id;
        var unknown = Guid.NewGuid().ToString();
        var otherTownship = _host.Measures(T2);
        var missing = await RefusalAsync(unknown, () => otherTownship.GetMeasureAsync(new GetMeasureRequest { MeasureId = unknown }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.Item1);
        Assert.Equal(missing, await RefusalAsync(measure, () => otherTownship.GetMeasureAsync(new GetMeasureRequest { MeasureId = measure }).ResponseAsync));
        Assert.Equal(missing, await RefusalAsync(measure, () => otherTownship.CloseMeasureAsync(new CloseMeasureRequest { MeasureId = measure, Verifier = "外乡" }).ResponseAsync));
        Assert.Equal(StatusCode.NotFound, (await RefusalAsync(plan.Id, () => otherTownship.GetPlanAsync(new GetPlanRequest { PlanId = plan.Id }).ResponseAsync)).Item1);

        var otherCounty = _host.Assessment(OtherCounty, Role.Reviewer);
        var noCampaign = await RefusalAsync(unknown, () => otherCounty.GetCampaignAsync(new GetCampaignRequest { CampaignId = unknown }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, noCampaign.Item1);
        Assert.Equal(noCampaign, await RefusalAsync(_campaign.Id, () => otherCounty.GetCampaignAsync(new GetCampaignRequest { CampaignId = _campaign.Id }).ResponseAsync));
        Assert.Equal(noCampaign, await RefusalAsync(_campaign.Id, () => otherCounty.ListTargetsAsync(new ListTargetsRequest { CampaignId = _campaign.Id }).ResponseAsync));
        Assert.Equal(noCampaign, await RefusalAsync(_campaign.Id, () => otherCounty.ConfirmTargetsAsync(new ConfirmTargetsRequest { CampaignId = _campaign.Id }).ResponseAsync));
        // Naming the other county's village as well says nothing more than NotFound for the campaign.
        Assert.Equal(noCampaign, await RefusalAsync(_campaign.Id, () => _host.Assessment("360732100000").RecordAssessmentAsync(new RecordAssessmentRequest
            { CampaignId = _campaign.Id, VillageCode = "360732100201", Votes = Votes(8, 1, 1), Committee = Committee(80) }).ResponseAsync));
    }

    [Fact]
    public async Task A_township_reads_only_its_own_villages_of_the_campaign_and_a_village_only_itself()
    {
        var county = await _host.Assessment(County, Role.Viewer).GetCampaignAsync(new GetCampaignRequest { CampaignId = _campaign.Id });
        Assert.Equal(Villages.Values.Sum(), county.Branches.Count);

        var township = await _host.Assessment(T1, Role.Viewer).GetCampaignAsync(new GetCampaignRequest { CampaignId = _campaign.Id });
        Assert.Equal(Villages[T1], township.Branches.Count);
        Assert.All(township.Branches, b => Assert.Equal(T1, b.TownshipCode));

        var village = await _host.Assessment(Village(T1, 3), Role.Viewer).GetCampaignAsync(new GetCampaignRequest { CampaignId = _campaign.Id });
        Assert.Equal([Village(T1, 3)], village.Branches.Select(b => b.VillageCode));
        Assert.Equal((_campaign.CountyCode, _campaign.Year), (village.CountyCode, village.Year));
    }

    [Fact]
    public async Task A_village_may_not_write_its_own_plan_the_unit_above_it_does()
    {
        var refused = await Rpc.Refused(StatusCode.PermissionDenied, () => _host.Measures(MeasuresFixture.TargetA1).CreatePlanAsync(MeasuresFixture.SimplePlan(MeasuresFixture.TargetA1)));
        Assert.DoesNotContain(T2, refused.Status.Detail);
        await Rpc.Refused(StatusCode.NotFound, () => _host.Measures(MeasuresFixture.TargetA1).GetPlanAsync(
            new GetPlanRequest { VillageYear = new VillageYear { VillageCode = MeasuresFixture.TargetA1, CampaignYear = MeasuresFixture.Year } }));
        var plan = await _host.Measures(T1).CreatePlanAsync(MeasuresFixture.SimplePlan(MeasuresFixture.TargetA1));
        // The village still reports progress on its plan, but adds no measure to it.
        var measure = plan.Problems[0].Measures[0].Id;
        await _host.Measures(MeasuresFixture.TargetA1).RecordProgressAsync(new RecordProgressRequest { MeasureId = measure, Percent = 30, Note = "已开工" });
        await Rpc.Refused(StatusCode.PermissionDenied, () => _host.Measures(MeasuresFixture.TargetA1).AddMeasureAsync(new AddMeasureRequest
            { PlanId = plan.Id, ProblemId = plan.Problems[0].Id, Measure = MeasuresFixture.Measure("自加措施", new DateOnly(2027, 6, 30), persons: "村支书") }));
    }
}

public sealed class ScopeOnSqlite() : ScopeSpec(DbProvider.Sqlite);

public sealed class ScopeOnPostgres() : ScopeSpec(DbProvider.Postgres);
