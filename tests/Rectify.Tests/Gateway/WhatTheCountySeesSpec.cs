using Grpc.Core;
using Rectify.Common.V1;
using Rectify.Gateway;
using Rectify.Gateway.V1;
using Rectify.Kernel;
using Rectify.Measures.V1;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;
using static Rectify.Tests.Measures.MeasuresFixture;

namespace Rectify.Tests.Gateway;

/// <summary>
/// What the county sees, on both databases: each target's phase by the shared rule in the gateway and the ledger,
/// earlier months as they were then, a version per subtree, and names beside codes. The host runs measures and the
/// gateway only, so every name the gateway shows comes from the designation.
/// </summary>
public abstract class WhatTheCountySeesSpec(DbProvider provider) : IAsyncLifetime
{
    private TestHost _host = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await TestHost.StartAsync(provider, [new Rectify.Measures.MeasuresModule(), new GatewayModule()],
            new Dictionary<string, string?> { ["Rectify:Measures:ScheduleScans"] = "false" });
        SetShanghai(_host, new DateTime(2027, 3, 1, 10, 0, 0));
        await DesignateAsync(_host, (TargetA1, "上坪村", "铁山垅镇"), (TargetA2, "黄屋村", "铁山垅镇"), (TargetB1, "石门村", "盘古山镇"));
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private static Period P(int year, int month) => new() { Year = year, Month = month };

    private Task<Progress> Until(string org, Period period, Func<Progress, bool> condition) => GatewaySpec.Until(_host, org, period, condition);

    private Task<Progress> Get(string org, Period period) =>
        new ProgressService.ProgressServiceClient(_host.As(org)).GetProgressAsync(new GetProgressRequest { UnitCode = org, Period = period }).ResponseAsync;

    private static Dictionary<string, int> Phases(Progress p) => p.Targets.ByPhase.ToDictionary(x => x.Phase, x => x.Targets);

    /// <summary>A1's plan starts on 1 April; its phases end on 30 September, 15 October and 31 October; the campaign on 31 December.</summary>
    private async Task<Plan> PlanA1Async()
    {
        var request = SimplePlan(TargetA1);
        request.StartsOn = D(2027, 4, 1);
        return await _host.Measures(TownshipA).CreatePlanAsync(request);
    }

    private async Task<string?> LedgerPhaseAsync(string village) =>
        (await _host.Measures(County, Role.Viewer).GetLedgerCountsAsync(new GetLedgerCountsRequest { ScopeCode = County, CampaignYear = Year }))
            .Targets.SingleOrDefault(t => t.VillageCode == village)?.Phase;

    [Fact]
    public async Task A_targets_phase_follows_its_plans_phases_and_the_campaigns_end_alike_in_the_gateway_and_the_ledger()
    {
        await PlanA1Async();
        SetShanghai(_host, new DateTime(2027, 3, 10, 9, 0, 0));
        var march = await Until(County, P(2027, 3), p => p.Measures.Total == 3 && p.Targets.ByPhase.Count == 2);
        Assert.Equal(new Dictionary<string, int> { ["未开始"] = 1, ["未制定方案"] = 2 }, Phases(march));
        Assert.Equal("未开始", await LedgerPhaseAsync(TargetA1));

        SetShanghai(_host, new DateTime(2027, 11, 15, 9, 0, 0));
        Assert.Equal(1, Phases(await Get(County, P(2027, 9)))["集中整顿"]); // as of 30 September, the day it ends
        Assert.Equal(1, Phases(await Get(County, P(2027, 10)))["巩固提高"]); // as of 31 October
        // After the last phase, while the campaign runs to 31 December: awaiting acceptance, not 整顿期满.
        var november = await Get(County, P(2027, 11));
        Assert.Equal(new Dictionary<string, int> { ["待验收"] = 1, ["未制定方案"] = 2 }, Phases(november));
        Assert.Equal(1, november.Children.Single(c => c.UnitCode == TownshipA).Targets.ByPhase.Single(x => x.Phase == "待验收").Targets);
        Assert.Equal("待验收", await LedgerPhaseAsync(TargetA1));

        SetShanghai(_host, new DateTime(2028, 1, 5, 9, 0, 0));
        Assert.Equal(1, Phases(await Get(County, P(2027, 12)))["待验收"]); // as of 31 December, the campaign's last day
        Assert.Equal("整顿期满", await LedgerPhaseAsync(TargetA1));
    }

    [Fact]
    public async Task A_measure_completed_in_May_and_reopened_in_August_counts_as_completed_in_June_and_July_and_not_in_August()
    {
        var plan = await PlanA1Async();
        var measures = plan.Problems.SelectMany(p => p.Measures).ToList();
        var (road, meetings) = (measures.Single(m => m.Description == "整修产业路").Id, measures.Single(m => m.Description == "落实三会一课").Id);
        var township = _host.Measures(TownshipA);

        SetShanghai(_host, new DateTime(2027, 5, 20, 9, 0, 0));
        foreach (var id in new[] { road, meetings })
        {
            await township.RecordProgressAsync(new RecordProgressRequest { MeasureId = id, On = D(2027, 5, 20), Percent = 80, Note = "推进中" });
            await township.CompleteMeasureAsync(new CompleteMeasureRequest { MeasureId = id, Note = "完成" });
        }
        await township.CloseMeasureAsync(new CloseMeasureRequest { MeasureId = meetings, Verifier = "李明" });

        SetShanghai(_host, new DateTime(2027, 8, 10, 9, 0, 0));
        foreach (var id in new[] { road, meetings })
            await township.ReopenMeasureAsync(new ReopenMeasureRequest { MeasureId = id, Reason = "回头看发现问题反弹", NewDeadline = D(2027, 9, 30) });

        SetShanghai(_host, new DateTime(2027, 9, 2, 9, 0, 0));
        // The events arrive in any order: wait until the reopening (no longer overdue) and the completions (June) are in.
        var august = await Until(County, P(2027, 8), p => p.Measures is { Total: 3, Completed: 0, Closed: 0, Overdue: 0 }
            && p.Trend.Count == 8 && p.Trend[5] is { MeasuresCompleted: 1, MeasuresClosed: 1 });
        var trend = august.Trend.ToDictionary(t => t.Period.Month);
        Assert.Equal(8, trend.Count);
        // April: both open and not yet due. May to July: 整修产业路 completed, 落实三会一课 closed, as they were then.
        Assert.Equal((0, 0), (trend[4].MeasuresCompleted, trend[4].MeasuresClosed));
        foreach (var month in new[] { 5, 6, 7 })
            Assert.True((1, 1, 0) == (trend[month].MeasuresCompleted, trend[month].MeasuresClosed, trend[month].MeasuresOverdue), $"{month}: {august}");
        // August: both reopened with a deadline of 30 September; neither completed, closed nor overdue.
        Assert.Equal((0, 0, 0), (trend[8].MeasuresCompleted, trend[8].MeasuresClosed, trend[8].MeasuresOverdue));
        // A past month asked by itself is counted as it was then too.
        var june = await Get(County, P(2027, 6));
        Assert.Equal((3, 1, 1, 0), (june.Measures.Total, june.Measures.Completed, june.Measures.Closed, june.Measures.Overdue));
    }

    [Fact]
    public async Task A_change_in_one_township_leaves_another_townships_version_unchanged_and_pushes_nothing_to_its_watcher()
    {
        var plan = await PlanA1Async();
        SetShanghai(_host, new DateTime(2027, 5, 20, 9, 0, 0));
        var may = P(2027, 5);
        await Until(County, may, p => p.Measures.Total == 3 && p.Targets.Total == 3 && p.Targets.ByPhase.Count == 2);
        var (a, b) = (await Get(TownshipA, may), await Get(TownshipB, may));
        Assert.Equal(b.Version, (await Get(TownshipB, may)).Version); // nothing changed, nothing moved

        var ct = TestContext.Current.CancellationToken;
        using var watch = new ProgressService.ProgressServiceClient(_host.As(TownshipB)).WatchProgress(new GetProgressRequest { UnitCode = TownshipB, Period = may }, cancellationToken: ct);
        Assert.True(await watch.ResponseStream.MoveNext(ct));
        Assert.Equal(b.Version, watch.ResponseStream.Current.Version);

        // A change in township A: its version and the county's move, township B's does not.
        var county = await Get(County, may);
        await _host.Measures(TownshipA).RecordProgressAsync(new RecordProgressRequest { MeasureId = plan.Problems[0].Measures[0].Id, On = D(2027, 5, 20), Percent = 30 });
        await Until(TownshipA, may, p => p.Version != a.Version);
        Assert.NotEqual(county.Version, (await Get(County, may)).Version);
        Assert.Equal(b.Version, (await Get(TownshipB, may)).Version);
        using (var quiet = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            quiet.CancelAfter(TimeSpan.FromSeconds(1));
            var pushed = await Record.ExceptionAsync(async () => Assert.Fail($"B's watcher got an update: {(await watch.ResponseStream.MoveNext(quiet.Token) ? watch.ResponseStream.Current : null)}"));
            Assert.True(pushed is RpcException { StatusCode: StatusCode.Cancelled } or OperationCanceledException, $"expected silence, got {pushed}");
        }

        // A change in township B reaches B's watcher with a new version.
        using var watchAgain = new ProgressService.ProgressServiceClient(_host.As(TownshipB)).WatchProgress(new GetProgressRequest { UnitCode = TownshipB, Period = may }, cancellationToken: ct);
        Assert.True(await watchAgain.ResponseStream.MoveNext(ct));
        await _host.Measures(TownshipB).CreatePlanAsync(SimplePlan(TargetB1));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        Assert.True(await watchAgain.ResponseStream.MoveNext(timeout.Token));
        Assert.NotEqual(b.Version, watchAgain.ResponseStream.Current.Version);
    }

    [Fact]
    public async Task Township_rows_in_counts_the_ledger_and_the_gateway_show_names_beside_codes()
    {
        await PlanA1Async();
        await _host.Measures(TownshipB).CreatePlanAsync(SimplePlan(TargetB1));
        var counts = await _host.Measures(County, Role.Viewer).GetLedgerCountsAsync(new GetLedgerCountsRequest { ScopeCode = County, CampaignYear = Year });
        Assert.Equal([(TownshipA, "铁山垅镇"), (TownshipB, "盘古山镇")], counts.Children.Select(c => (c.Code, c.Name)));
        Assert.Equal([(TargetA1, "上坪村", TownshipA, "铁山垅镇"), (TargetB1, "石门村", TownshipB, "盘古山镇")],
            counts.Targets.Select(t => (t.VillageCode, t.VillageName, t.TownshipCode, t.TownshipName)));
        var villages = await _host.Measures(TownshipA, Role.Viewer).GetLedgerCountsAsync(new GetLedgerCountsRequest { ScopeCode = TownshipA, CampaignYear = Year });
        Assert.Equal([(TargetA1, "上坪村")], villages.Children.Select(c => (c.Code, c.Name)));

        var ledger = await _host.Measures(County, Role.Viewer).ListMeasuresAsync(new ListMeasuresRequest { ScopeCode = County, Sort = MeasureSort.Village });
        Assert.Equal(6, ledger.Measures.Count);
        Assert.All(ledger.Measures, m => Assert.Equal(m.VillageCode.StartsWith("360731101", StringComparison.Ordinal) ? (TownshipA, "铁山垅镇") : (TownshipB, "盘古山镇"), (m.TownshipCode, m.TownshipName)));

        // No organizations service in this host: the gateway names the townships and villages from the designation.
        var county = await Until(County, P(2027, 3), p => p.Measures.Total == 6 && p.Children.Count == 2 && p.Children.All(c => c.UnitName.Length > 0));
        Assert.Equal([(TownshipA, "铁山垅镇"), (TownshipB, "盘古山镇")], county.Children.Select(c => (c.UnitCode, c.UnitName)));
        var townshipA = await Until(TownshipA, P(2027, 3), p => p.Children.Count == 2);
        Assert.Equal("铁山垅镇", townshipA.UnitName);
        Assert.Equal([(TargetA1, "上坪村"), (TargetA2, "黄屋村")], townshipA.Children.Select(c => (c.UnitCode, c.UnitName)));
    }
}

public sealed class WhatTheCountySeesOnSqlite() : WhatTheCountySeesSpec(DbProvider.Sqlite);

public sealed class WhatTheCountySeesOnPostgres() : WhatTheCountySeesSpec(DbProvider.Postgres);
