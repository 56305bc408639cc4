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
/// The per-unit counts (unit_measure_counts) against the per-target rows they sum: after every kind of measure change, on a
/// later day (a unit not of today is not answered as is), after the daily refresh, with changes of several targets racing,
/// when the rows are wrong (totals-only reads them), and on a database upgraded with target rows and no unit rows.
/// </summary>
public abstract class UnitMeasureCountsSpec(DbProvider provider) : IAsyncLifetime
{
    private TestHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await StartAsync(provider);

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private Database<MeasuresModule> Database => _host.Get<Database<MeasuresModule>>();

    private DateOnly Today => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(_host.Clock.GetUtcNow(), ShanghaiTime.Zone).DateTime);

    private sealed class Row
    {
        public string Code { get; set; } = "";
        public int CampaignYear { get; set; }
        public long Targets { get; set; }
        public long Total { get; set; }
        public long Completed { get; set; }
        public long Closed { get; set; }
        public long Reopened { get; set; }
        public long Overdue { get; set; }
        public DateOnly? OverdueOn { get; set; }
    }

    private Task<List<Row>> TargetRows() => Database.ReadAsync(async c => (await c.QueryAsync<Row>("""
        SELECT village_code AS Code, campaign_year AS CampaignYear, total AS Total, completed AS Completed, closed AS Closed, reopened AS Reopened,
               overdue AS Overdue, overdue_on AS OverdueOn, 1 AS Targets
        FROM target_measure_counts
        """)).ToList());

    private Task<List<Row>> UnitRows() => Database.ReadAsync(async c => (await c.QueryAsync<Row>("""
        SELECT unit_code AS Code, campaign_year AS CampaignYear, total AS Total, completed AS Completed, closed AS Closed, reopened AS Reopened,
               overdue AS Overdue, overdue_on AS OverdueOn, targets AS Targets
        FROM unit_measure_counts ORDER BY unit_code, campaign_year
        """)).ToList());

    /// <summary>
    /// Every unit's counters equal the sums of its targets' rows, and a unit of a day has every target of that day and their
    /// overdue summed; returns how many units are of today.
    /// </summary>
    private async Task<int> UnitsAgreeWithTheirTargets()
    {
        var targets = await TargetRows();
        var units = await UnitRows();
        var expected = targets
            .SelectMany(t => new[] { 9, 6, 4, 2 }.Select(length => (Unit: t.Code[..length].PadRight(12, '0'), Target: t)))
            .GroupBy(x => (x.Unit, x.Target.CampaignYear))
            .OrderBy(g => g.Key.Unit, StringComparer.Ordinal).ThenBy(g => g.Key.CampaignYear)
            .Select(g => $"{g.Key.Unit} {g.Key.CampaignYear} targets {g.Count()} total {g.Sum(x => x.Target.Total)} completed {g.Sum(x => x.Target.Completed)} closed {g.Sum(x => x.Target.Closed)} reopened {g.Sum(x => x.Target.Reopened)}")
            .ToList();
        Assert.Equal(expected, units.Select(u => $"{u.Code} {u.CampaignYear} targets {u.Targets} total {u.Total} completed {u.Completed} closed {u.Closed} reopened {u.Reopened}").ToList());
        foreach (var unit in units.Where(u => u.OverdueOn is not null))
        {
            var under = targets.Where(t => t.CampaignYear == unit.CampaignYear && t.Code.StartsWith(OrgCode.Parse(unit.Code).Prefix, StringComparison.Ordinal)).ToList();
            Assert.All(under, t => Assert.True(t.OverdueOn == unit.OverdueOn || t.Total == 0, $"{t.Code} is of {t.OverdueOn}, its unit {unit.Code} of {unit.OverdueOn}"));
            Assert.Equal(under.Sum(t => t.Overdue), unit.Overdue);
        }
        return units.Count(u => u.OverdueOn == Today);
    }

    /// <summary>Totals-only (the gateway's reconciliation) against the full answer at every level from the nation to a village.</summary>
    private async Task TotalsOnlyAgreeWithTheFullAnswer()
    {
        string[] scopes = [OrgCode.Nation.Value, "360000000000", "360700000000", County, TownshipA, TargetA1];
        foreach (var year in new[] { 0, Year, Year - 1 })
        foreach (var scope in scopes)
        {
            var client = _host.Measures(scope, Role.Viewer);
            var full = await client.GetLedgerCountsAsync(new GetLedgerCountsRequest { ScopeCode = scope, CampaignYear = year });
            var totals = await client.GetLedgerCountsAsync(new GetLedgerCountsRequest { ScopeCode = scope, CampaignYear = year, TotalsOnly = true });
            Assert.Equal(full.Total, totals.Total);
            Assert.Equal(full.Children, totals.Children);
            Assert.Empty(totals.Targets);
        }
    }

    private async Task<(Plan A1, Plan A2, Plan B1)> PlansWithEveryKindOfChange()
    {
        var a1 = await _host.Measures(TownshipA).CreatePlanAsync(SimplePlan(TargetA1));
        var a2 = await _host.Measures(TownshipA).CreatePlanAsync(SimplePlan(TargetA2));
        var b1 = await _host.Measures(TownshipB).CreatePlanAsync(SimplePlan(TargetB1));
        var village = _host.Measures(TargetA1);
        foreach (var m in a1.Problems[0].Measures)
        {
            await village.RecordProgressAsync(new RecordProgressRequest { MeasureId = m.Id, Percent = 100 });
            await village.CompleteMeasureAsync(new CompleteMeasureRequest { MeasureId = m.Id });
        }
        var reviewer = _host.Measures(TownshipA, Role.Reviewer);
        await reviewer.CloseMeasureAsync(new CloseMeasureRequest { MeasureId = a1.Problems[0].Measures[0].Id, Verifier = "谢德明" });
        await reviewer.ReopenMeasureAsync(new ReopenMeasureRequest { MeasureId = a1.Problems[0].Measures[1].Id, Reason = "复查未达标", NewDeadline = D(2027, 5, 20) });
        return (a1, a2, b1);
    }

    [Fact]
    public async Task Every_units_counters_equal_its_targets_rows_after_each_kind_of_change_a_day_change_and_the_daily_refresh()
    {
        var (_, a2, b1) = await PlansWithEveryKindOfChange();
        // Two townships, the county, the city and the province: all of today, answered from their rows.
        Assert.Equal(5, await UnitsAgreeWithTheirTargets());
        await TotalsOnlyAgreeWithTheFullAnswer();

        // A later day: no unit is of it, so none is answered as is (05-20 and 05-31 are past: overdue differs from 1 March).
        SetShanghai(_host, new DateTime(2027, 6, 1, 9, 0, 0));
        Assert.Equal(0, await UnitsAgreeWithTheirTargets());
        await TotalsOnlyAgreeWithTheFullAnswer();

        // A change on the new day (a progress report: no count changes) brings B1's row to the day and takes its units off 1 March.
        await _host.Measures(TargetB1).RecordProgressAsync(new RecordProgressRequest { MeasureId = b1.Problems[1].Measures[0].Id, Percent = 30 });
        Assert.Equal(0, await UnitsAgreeWithTheirTargets());
        Assert.Equal(["360731101000"], (await UnitRows()).Where(u => u.OverdueOn is not null).Select(u => u.Code));
        await TotalsOnlyAgreeWithTheFullAnswer();

        // The daily refresh brings every target and every unit to the day.
        await _host.Get<DeadlineScan>().RefreshCountsAsync(CancellationToken.None);
        Assert.Equal(5, await UnitsAgreeWithTheirTargets());
        Assert.Contains(await UnitRows(), u => u.Overdue > 0);
        await TotalsOnlyAgreeWithTheFullAnswer();

        // Changes on the day keep the units of it: an overdue measure completed, one closed, one reopened.
        var overdue = a2.Problems[1].Measures[0].Id;
        await _host.Measures(TargetA2).RecordProgressAsync(new RecordProgressRequest { MeasureId = overdue, Percent = 100 });
        await _host.Measures(TargetA2).CompleteMeasureAsync(new CompleteMeasureRequest { MeasureId = overdue });
        var reviewer = _host.Measures(TownshipA, Role.Reviewer);
        await reviewer.CloseMeasureAsync(new CloseMeasureRequest { MeasureId = overdue, Verifier = "谢德明" });
        await reviewer.ReopenMeasureAsync(new ReopenMeasureRequest { MeasureId = overdue, Reason = "复查未达标", NewDeadline = D(2027, 6, 20) });
        Assert.Equal(5, await UnitsAgreeWithTheirTargets());
        await TotalsOnlyAgreeWithTheFullAnswer();
    }

    [Fact]
    public async Task Changes_of_several_targets_under_the_same_units_at_the_same_time_are_all_counted()
    {
        var plans = new[]
        {
            (TargetA1, await _host.Measures(TownshipA).CreatePlanAsync(SimplePlan(TargetA1))),
            (TargetA2, await _host.Measures(TownshipA).CreatePlanAsync(SimplePlan(TargetA2))),
            (TargetB1, await _host.Measures(TownshipB).CreatePlanAsync(SimplePlan(TargetB1))),
        };
        var measures = plans.SelectMany(p => p.Item2.Problems.SelectMany(x => x.Measures).Select(m => (Village: p.Item1, m.Id))).ToList();
        await Task.WhenAll(measures.Select(m => _host.Measures(m.Village).RecordProgressAsync(new RecordProgressRequest { MeasureId = m.Id, Percent = 100 }).ResponseAsync));
        await Task.WhenAll(measures.Select(m => _host.Measures(m.Village).CompleteMeasureAsync(new CompleteMeasureRequest { MeasureId = m.Id }).ResponseAsync));
        Assert.Equal(5, await UnitsAgreeWithTheirTargets());
        Assert.Equal(["360731000000 9 9"], (await UnitRows()).Where(u => u.Code == County).Select(u => $"{u.Code} {u.Total} {u.Completed}"));
        await TotalsOnlyAgreeWithTheFullAnswer();
    }

    [Fact]
    public async Task Totals_above_a_township_are_read_from_the_unit_rows_and_a_rebuild_sums_them_again()
    {
        await PlansWithEveryKindOfChange();
        await Database.WriteAsync(s => s.ExecuteAsync("UPDATE unit_measure_counts SET total = 99"));
        var county = _host.Measures(County, Role.Viewer);
        Assert.Equal(99, (await county.GetLedgerCountsAsync(new GetLedgerCountsRequest { ScopeCode = County, TotalsOnly = true })).Total.Total);
        Assert.Equal(9, (await county.GetLedgerCountsAsync(new GetLedgerCountsRequest { ScopeCode = County })).Total.Total);

        await TargetMeasureCounts.RebuildAsync(Database, Today);
        Assert.Equal(5, await UnitsAgreeWithTheirTargets());
        await TotalsOnlyAgreeWithTheFullAnswer();
    }

    /// <summary>The database of the round before: target rows, no unit table; the migration creates and fills it.</summary>
    private async Task UpgradeAsync()
    {
        await Database.WriteAsync(async s =>
        {
            await s.ExecuteAsync("DROP TABLE unit_measure_counts");
            await s.ExecuteAsync("""DELETE FROM "VersionInfo" WHERE "Version" = 202701260901""");
        });
        await Migrator.MigrateAsync(Database, typeof(MeasuresModule).Assembly);
    }

    [Fact]
    public async Task An_upgraded_database_with_target_rows_and_no_unit_rows_answers_as_before()
    {
        var (_, _, b1) = await PlansWithEveryKindOfChange();
        await UpgradeAsync();
        Assert.Equal(5, await UnitsAgreeWithTheirTargets());
        await TotalsOnlyAgreeWithTheFullAnswer();

        // Target rows of two days: the units over both are of neither, and answered from the target rows until the daily refresh.
        SetShanghai(_host, new DateTime(2027, 6, 1, 9, 0, 0));
        await _host.Measures(TargetB1).RecordProgressAsync(new RecordProgressRequest { MeasureId = b1.Problems[1].Measures[0].Id, Percent = 30 });
        await UpgradeAsync();
        Assert.Equal(1, await UnitsAgreeWithTheirTargets());
        Assert.Equal([TownshipA], (await UnitRows()).Where(u => u.OverdueOn == PlanStart).Select(u => u.Code));
        await TotalsOnlyAgreeWithTheFullAnswer();
        await _host.Get<DeadlineScan>().RefreshCountsAsync(CancellationToken.None);
        Assert.Equal(5, await UnitsAgreeWithTheirTargets());
        await TotalsOnlyAgreeWithTheFullAnswer();
    }
}

public sealed class UnitMeasureCountsOnSqlite() : UnitMeasureCountsSpec(DbProvider.Sqlite);

public sealed class UnitMeasureCountsOnPostgres() : UnitMeasureCountsSpec(DbProvider.Postgres);
