using Dapper;
using Rectify.Kernel;
using Rectify.Measures;
using Rectify.Measures.Deadlines;
using Rectify.Measures.Ledger;
using Rectify.Measures.V1;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;
using static Rectify.Tests.Measures.MeasuresFixture;

namespace Rectify.Tests.Measures;

/// <summary>
/// The per-target counts kept with each measure change (target_measure_counts) against a recount of the measures
/// themselves: after every kind of change, on a later day (overdue counted again when read), after the daily refresh,
/// after a rebuild, and with changes of one target's measures racing each other.
/// </summary>
public abstract class TargetMeasureCountsSpec(DbProvider provider) : IAsyncLifetime
{
    private TestHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await StartAsync(provider);

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private Database<MeasuresModule> Database => _host.Get<Database<MeasuresModule>>();

    private DateOnly Today => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(_host.Clock.GetUtcNow(), ShanghaiTime.Zone).DateTime);

    /// <summary>Each target's figures counted from the measures, as GetLedgerCounts grouped them before the counts were kept.</summary>
    private Task<List<string>> Recount() => Database.ReadAsync(async c => (await c.QueryAsync<string>($"""
        SELECT village_code || ' ' || CAST(COUNT(*) AS VARCHAR(10)) || ' ' || CAST(SUM(CASE WHEN status = 3 THEN 1 ELSE 0 END) AS VARCHAR(10))
               || ' ' || CAST(SUM(CASE WHEN status = 4 THEN 1 ELSE 0 END) AS VARCHAR(10))
               || ' ' || CAST(SUM(CASE WHEN {Database.Sql.InList("status", "@open")} AND deadline < @today THEN 1 ELSE 0 END) AS VARCHAR(10))
               || ' ' || CAST(SUM(CASE WHEN status = 5 THEN 1 ELSE 0 END) AS VARCHAR(10))
        FROM measures GROUP BY village_code, campaign_year ORDER BY village_code
        """, new { today = Today, open = MeasureRules.OpenStatuses })).ToList());

    private async Task<List<string>> Answered()
    {
        var counts = await _host.Measures(County, Role.Viewer).GetLedgerCountsAsync(new GetLedgerCountsRequest { ScopeCode = County });
        return counts.Targets.Select(t => $"{t.VillageCode} {t.Counts.Total} {t.Counts.Completed} {t.Counts.Closed} {t.Counts.Overdue} {t.Counts.Reopened}").ToList();
    }

    /// <summary>The kept rows themselves, for a day they are all of.</summary>
    private Task<List<string>> Kept() => Database.ReadAsync(async c => (await c.QueryAsync<string>("""
        SELECT village_code || ' ' || CAST(total AS VARCHAR(10)) || ' ' || CAST(completed AS VARCHAR(10)) || ' ' || CAST(closed AS VARCHAR(10))
               || ' ' || CAST(overdue AS VARCHAR(10)) || ' ' || CAST(reopened AS VARCHAR(10))
        FROM target_measure_counts WHERE overdue_on = @today ORDER BY village_code
        """, new { today = Today })).ToList());

    [Fact]
    public async Task The_kept_counts_agree_with_a_recount_after_each_change_on_a_later_day_after_the_daily_refresh_and_a_rebuild()
    {
        var a1 = await _host.Measures(TownshipA).CreatePlanAsync(SimplePlan(TargetA1));
        await _host.Measures(TownshipA).CreatePlanAsync(SimplePlan(TargetA2));
        var b1 = await _host.Measures(TownshipB).CreatePlanAsync(SimplePlan(TargetB1));
        Assert.Equal(await Recount(), await Answered());
        Assert.Equal(await Recount(), await Kept());

        var village = _host.Measures(TargetA1);
        foreach (var m in a1.Problems[0].Measures)
        {
            await village.RecordProgressAsync(new RecordProgressRequest { MeasureId = m.Id, Percent = 100 });
            await village.CompleteMeasureAsync(new CompleteMeasureRequest { MeasureId = m.Id });
        }
        var closed = a1.Problems[0].Measures[0].Id;
        await _host.Measures(TownshipA, Role.Reviewer).CloseMeasureAsync(new CloseMeasureRequest { MeasureId = closed, Verifier = "谢德明" });
        await _host.Measures(TownshipA, Role.Reviewer).ReopenMeasureAsync(new ReopenMeasureRequest { MeasureId = a1.Problems[0].Measures[1].Id, Reason = "复查未达标", NewDeadline = D(2027, 5, 20) });
        Assert.Equal(await Recount(), await Answered());
        Assert.Equal(await Recount(), await Kept());

        // A later day: 05-20 and 05-31 are past, and the rows still say 1 March: overdue is counted again when read.
        SetShanghai(_host, new DateTime(2027, 6, 1, 9, 0, 0));
        var recount = await Recount();
        Assert.Contains(recount, r => r.Split(' ')[4] != "0");
        Assert.Equal(recount, await Answered());
        Assert.Empty(await Kept());

        // A change on the new day brings its target's row to the day; the daily refresh the others.
        await _host.Measures(TargetB1).RecordProgressAsync(new RecordProgressRequest { MeasureId = b1.Problems[1].Measures[0].Id, Percent = 30 });
        Assert.Equal([TargetB1], (await Kept()).Select(k => k.Split(' ')[0]));
        Assert.Equal(2, await _host.Get<DeadlineScan>().RefreshCountsAsync(CancellationToken.None));
        Assert.Equal(recount, await Kept());
        Assert.Equal(recount, await Answered());

        await Database.WriteAsync(s => s.ExecuteAsync("UPDATE target_measure_counts SET total = 99, overdue = 7"));
        Assert.NotEqual(recount, await Answered());
        await TargetMeasureCounts.RebuildAsync(Database, Today);
        Assert.Equal(recount, await Kept());
        Assert.Equal(recount, await Answered());
    }

    /// <summary>Totals-only (what the gateway's reconciliation asks) against the full answer, at every level from the nation to a village.</summary>
    private async Task TotalsOnlyAgreeWithTheFullAnswer(int year)
    {
        string[] scopes = [OrgCode.Nation.Value, "360000000000", "360700000000", County, TownshipA, TargetA1];
        foreach (var scope in scopes)
        {
            var client = _host.Measures(scope, Role.Viewer);
            var full = await client.GetLedgerCountsAsync(new GetLedgerCountsRequest { ScopeCode = scope, CampaignYear = year });
            var totals = await client.GetLedgerCountsAsync(new GetLedgerCountsRequest { ScopeCode = scope, CampaignYear = year, TotalsOnly = true });
            Assert.Equal(full.Total, totals.Total);
            Assert.Equal(full.Children, totals.Children);
            Assert.Equal(full.ScopeCode, totals.ScopeCode);
            Assert.Equal(full.AsOf, totals.AsOf);
            Assert.Empty(totals.Targets);
        }
    }

    [Fact]
    public async Task Totals_only_equal_the_full_answers_total_and_children_with_overdue_and_closed_measures_of_today_and_of_another_day()
    {
        var a1 = await _host.Measures(TownshipA).CreatePlanAsync(SimplePlan(TargetA1));
        await _host.Measures(TownshipA).CreatePlanAsync(SimplePlan(TargetA2));
        var b1 = await _host.Measures(TownshipB).CreatePlanAsync(SimplePlan(TargetB1));
        var village = _host.Measures(TargetA1);
        foreach (var m in a1.Problems[0].Measures)
        {
            await village.RecordProgressAsync(new RecordProgressRequest { MeasureId = m.Id, Percent = 100 });
            await village.CompleteMeasureAsync(new CompleteMeasureRequest { MeasureId = m.Id });
        }
        await _host.Measures(TownshipA, Role.Reviewer).CloseMeasureAsync(new CloseMeasureRequest { MeasureId = a1.Problems[0].Measures[0].Id, Verifier = "谢德明" });
        await _host.Measures(TownshipA, Role.Reviewer).ReopenMeasureAsync(new ReopenMeasureRequest { MeasureId = a1.Problems[0].Measures[1].Id, Reason = "复查未达标", NewDeadline = D(2027, 5, 20) });
        await TotalsOnlyAgreeWithTheFullAnswer(0);

        // A later day: every kept row is of 1 March, so overdue is counted again from the measures in both answers.
        SetShanghai(_host, new DateTime(2027, 6, 1, 9, 0, 0));
        var county = await _host.Measures(County, Role.Viewer).GetLedgerCountsAsync(new GetLedgerCountsRequest { ScopeCode = County, TotalsOnly = true });
        Assert.True(county.Total.Overdue > 0 && county.Total.Closed > 0 && county.Total.Reopened > 0, county.Total.ToString());
        Assert.Equal(2, county.Children.Count);
        Assert.All(county.Children, c => Assert.NotEqual("", c.Name));
        await TotalsOnlyAgreeWithTheFullAnswer(0);
        await TotalsOnlyAgreeWithTheFullAnswer(Year);

        // One row brought to the day by a change, the others still of 1 March: kept and recounted rows in one answer.
        await _host.Measures(TargetB1).RecordProgressAsync(new RecordProgressRequest { MeasureId = b1.Problems[1].Measures[0].Id, Percent = 30 });
        await TotalsOnlyAgreeWithTheFullAnswer(0);
        await _host.Get<DeadlineScan>().RefreshCountsAsync(CancellationToken.None);
        await TotalsOnlyAgreeWithTheFullAnswer(0);
        await TotalsOnlyAgreeWithTheFullAnswer(Year - 1);
    }

    [Fact]
    public async Task Changes_of_one_targets_measures_at_the_same_time_are_all_counted()
    {
        var plan = await _host.Measures(TownshipA).CreatePlanAsync(SimplePlan(TargetA1));
        var ids = plan.Problems.SelectMany(p => p.Measures).Select(m => m.Id).ToList();
        var village = _host.Measures(TargetA1);
        await Task.WhenAll(ids.Select(id => village.RecordProgressAsync(new RecordProgressRequest { MeasureId = id, Percent = 100 }).ResponseAsync));
        await Task.WhenAll(ids.Select(id => village.CompleteMeasureAsync(new CompleteMeasureRequest { MeasureId = id }).ResponseAsync));
        Assert.Equal([$"{TargetA1} 3 3 0 0 0"], await Kept());
        Assert.Equal(await Recount(), await Answered());
    }
}

public sealed class TargetMeasureCountsOnSqlite() : TargetMeasureCountsSpec(DbProvider.Sqlite);

public sealed class TargetMeasureCountsOnPostgres() : TargetMeasureCountsSpec(DbProvider.Postgres);
