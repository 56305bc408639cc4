using Dapper;
using Microsoft.Extensions.Time.Testing;
using Rectify.Common.V1;
using Rectify.Gateway;
using Rectify.Gateway.V1;
using Rectify.Host;
using Rectify.Kernel;
using Rectify.Platform.Storage;
using Rectify.Reporting.Demo;
using Rectify.Tests.Support;

namespace Rectify.Tests.Gateway;

/// <summary>
/// The demo county after a year of work (reports on time, late, returned and accepted; measures closed, overdue and
/// reopened; targets transformed and reopened), served by one host with every module. Each test starts gateways of its
/// own against it: a gateway-only host on a new database, whose events never arrive, so all it knows it rebuilt.
/// </summary>
public abstract class ReadModelRebuildTests(DbProvider provider) : IAsyncLifetime
{
    private const string County = DemoReports.CountyCode;
    private static readonly string Nation = OrgCode.Nation.Value;
    private readonly FakeTimeProvider _october20 = new(new DateTimeOffset(2027, 10, 20, 10, 0, 0, TimeSpan.FromHours(8)));
    private TestHost _services = null!;

    public async ValueTask InitializeAsync()
    {
        _services = await TestHost.StartAsync(provider, ServiceCatalog.All, new Dictionary<string, string?>
        {
            ["Rectify:Demo"] = "true", ["Rectify:Measures:ScheduleScans"] = "false",
        }, clock: _october20);
        // The live read model has caught up with the demo's year (DemoYearTests shows what it holds).
        await Poll.Until(async () =>
        {
            var p = await Progress(_services, County, 10);
            return p.Targets.Reopened == 1 && p.Targets.Transformed == 2 && p.Trend.Where(m => m.Period.Month is >= 4 and <= 9).All(m => m.Reports.Received > 0)
                ? true : throw new InvalidOperationException($"the gateway has not caught up: {p}");
        }, "the live read model to catch up with the demo", TimeSpan.FromMinutes(3));
        await _services.SettledAsync(TimeSpan.FromMinutes(1));
    }

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();

    /// <summary>A gateway alone on a new database, reading the services of <see cref="_services"/>.</summary>
    private Task<TestHost> EmptyGatewayAsync(bool rebuildWhenEmpty, TestStorage? storage = null) =>
        TestHost.StartAsync(provider, [new GatewayModule()], new Dictionary<string, string?>
        {
            ["Rectify:Gateway:RebuildWhenEmpty"] = rebuildWhenEmpty ? "true" : "false",
            ["Rectify:Endpoints:organizations"] = _services.GrpcUrl, ["Rectify:Endpoints:assessment"] = _services.GrpcUrl,
            ["Rectify:Endpoints:measures"] = _services.GrpcUrl, ["Rectify:Endpoints:reporting"] = _services.GrpcUrl,
        }, clock: _october20, storage: storage);

    private static async Task<Progress> Progress(TestHost host, string unit, int month)
    {
        var progress = await new ProgressService.ProgressServiceClient(host.As(unit)).GetProgressAsync(new GetProgressRequest { UnitCode = unit, Period = new Period { Year = 2027, Month = month } });
        progress.Version = 0; // the model's own sequence, not data
        return progress;
    }

    private static ReadModelService.ReadModelServiceClient ReadModel(TestHost host, string unit) => new(host.As(unit, Kernel.Role.Admin));

    /// <summary>The county and each of its townships, every month of the campaign so far, trend included.</summary>
    private static async Task<List<Progress>> ViewsAsync(TestHost host)
    {
        var views = new List<Progress>();
        var county = await Progress(host, County, 10);
        var units = new[] { County }.Concat(county.Children.Select(c => c.UnitCode)).ToList();
        foreach (var unit in units)
            foreach (var month in new[] { 4, 7, 10 })
                views.Add(await Progress(host, unit, month));
        return views;
    }

    /// <summary>The read model's tables as text, in a fixed order: what both gateways must hold alike (not their own write counts or times).</summary>
    private static Task<List<string>> TablesAsync(TestHost host) => host.Get<Database<GatewayModule>>().ReadAsync(async c =>
    {
        var rows = new List<string>();
        async Task Add(string table, string sql)
        {
            foreach (var row in (await c.QueryAsync<dynamic>(sql)).Cast<IDictionary<string, object?>>())
                rows.Add(table + ": " + string.Join(", ", row.Select(p => $"{p.Key}={Normal(p.Value)}")));
        }
        await Add("unit", "SELECT code, name, parent_code, closed_on FROM rm_units ORDER BY code");
        // Not the target's version: a passed look-back (回头看) moves it without an event (its status stays), so the live row
        // may hold an older version of the same status than the rebuilt one.
        await Add("target", "SELECT village_code, campaign_year, village_name, status, designated_on, campaign_ends_on, facts_version FROM rm_targets ORDER BY village_code, campaign_year");
        await Add("plan", "SELECT village_code, campaign_year, phases, starts_on, campaign_ends_on FROM rm_plans ORDER BY village_code, campaign_year");
        // Not completed_on and closed_on: read only for a measure without history, and the live projection loses the
        // completion's date when the completion is consumed after the (newer) closing; the rebuild has it from the history.
        await Add("measure", "SELECT id, village_code, campaign_year, deadline, status, version FROM rm_measures ORDER BY id");
        await Add("history", "SELECT measure_id, at, status, on_date, deadline FROM rm_measure_history ORDER BY measure_id, at, status");
        await Add("report", "SELECT unit_code, period, kind, status, timeliness, totals, version, totals_version FROM rm_reports ORDER BY unit_code, period");
        return rows;
    });

    // SQLite and PostgreSQL return dates and numbers as different types: compare their text.
    private static string Normal(object? value) => value switch
    {
        null => "null",
        DateTime d => d.ToString("yyyy-MM-dd HH:mm:ss.ffffff"),
        string s when DateTime.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal, out var d) && s.Length >= 10 && s[4] == '-'
            => d.ToString("yyyy-MM-dd HH:mm:ss.ffffff"),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };

    private static void SameRows(List<string> live, List<string> rebuilt) =>
        Assert.True(live.SequenceEqual(rebuilt), $"{live.Count} live rows, {rebuilt.Count} rebuilt; only live:{Environment.NewLine}{string.Join(Environment.NewLine, live.Except(rebuilt).Take(20))}{Environment.NewLine}only rebuilt:{Environment.NewLine}{string.Join(Environment.NewLine, rebuilt.Except(live).Take(20))}");

    [Fact]
    public async Task A_gateway_on_a_new_database_rebuilt_by_the_rpc_shows_what_the_live_one_shows()
    {
        var live = await ViewsAsync(_services);
        var liveTables = await TablesAsync(_services);
        Assert.True(live[0].Measures.Closed > 0 && live[0].Measures.Overdue > 0 && live[0].Reports.Received > 0, $"the demo's county has work to show: {live[0]}");

        await using var gateway = await EmptyGatewayAsync(rebuildWhenEmpty: false);
        Assert.Equal(0, (await Progress(gateway, County, 10)).Targets.Total); // nothing until rebuilt: its events went elsewhere

        var result = await ReadModel(gateway, Nation).RebuildReadModelAsync(new RebuildReadModelRequest { UnitCode = Nation });
        Assert.True(result.Targets > 0 && result.Measures > 0 && result.Reports > 0 && result.StatusChanges > result.Measures, $"the services sent their state: {result}");
        SameRows(liveTables, await TablesAsync(gateway));
        Assert.Equal(live, await ViewsAsync(gateway));

        // Again: nothing newer, nothing changes.
        var again = await ReadModel(gateway, Nation).RebuildReadModelAsync(new RebuildReadModelRequest { UnitCode = Nation });
        Assert.Equal(0, again.RowsChanged);
        Assert.Equal(live, await ViewsAsync(gateway));
    }

    [Fact]
    public async Task A_gateway_that_starts_empty_rebuilds_by_itself()
    {
        var live = await ViewsAsync(_services);
        await using var gateway = await EmptyGatewayAsync(rebuildWhenEmpty: true);
        await Poll.Until(async () => (await ViewsAsync(gateway)).SequenceEqual(live) ? true : throw new InvalidOperationException("not rebuilt yet"),
            "the empty gateway to rebuild at start", TimeSpan.FromMinutes(2));
        SameRows(await TablesAsync(_services), await TablesAsync(gateway));
    }

    [Fact]
    public async Task A_gateway_that_started_empty_still_rebuilds_after_events_arrived_first_or_a_restart()
    {
        var live = await ViewsAsync(_services);
        await using var storage = TestStorage.Create(provider);
        // It starts empty without rebuilding, and an event arrives (as queued events do the moment the bus starts): the
        // read model is no longer empty, but the rebuild it owes is recorded.
        await using (var first = await EmptyGatewayAsync(rebuildWhenEmpty: false, storage))
        {
            await first.PublishAsync(new Rectify.Events.Organizations.UnitRegistered(County, "于都县", Rectify.Events.Organizations.OrgLevel.County, "360700000000", DateTimeOffset.UtcNow));
            await Poll.Until(async () => await first.Get<Database<GatewayModule>>().ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM rm_units")) > 0
                ? true : throw new InvalidOperationException("not consumed yet"), "the first event in the new read model");
        }
        await using var gateway = await EmptyGatewayAsync(rebuildWhenEmpty: true, storage);
        await Poll.Until(async () => (await ViewsAsync(gateway)).SequenceEqual(live) ? true : throw new InvalidOperationException("not rebuilt yet"),
            "the owed rebuild at the next start", TimeSpan.FromMinutes(2));
        await Poll.Until(async () => await gateway.Get<Database<GatewayModule>>().ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM rm_rebuild_pending")) == 0
            ? true : throw new InvalidOperationException("still marked"), "the mark cleared once rebuilt");
    }

    [Fact]
    public async Task Reconcile_agrees_after_a_normal_run_and_names_the_figures_a_lost_row_changes()
    {
        var readModel = ReadModel(_services, County);
        var normal = await readModel.ReconcileAsync(new ReconcileRequest { UnitCode = County });
        // On PostgreSQL this found a lost update in the live projection (a review and its submission consumed at once).
        Assert.True(normal.Agrees, normal.ToString());
        Assert.Equal(2027, normal.CampaignYear);
        Assert.True(normal.Figures.Single(f => f.Name == "measures.closed").Service > 0 && normal.Figures.Single(f => f.Name == "reports.accepted").Service > 0, normal.ToString());

        // A closed measure's row and an accepted report's row go missing from the gateway's database.
        var db = _services.Get<Database<GatewayModule>>();
        await db.WriteAsync(async s =>
        {
            var measure = await s.QueryFirstOrDefaultAsync<string>("SELECT id FROM rm_measures WHERE status = 4 AND village_code LIKE '360731%' ORDER BY id");
            await s.ExecuteAsync("DELETE FROM rm_measures WHERE id = @measure", new { measure });
            var report = await s.QueryFirstOrDefaultAsync<ReportKey>("SELECT unit_code AS UnitCode, period AS Period FROM rm_reports WHERE status = 3 AND kind = 1 AND unit_code LIKE '360731%' ORDER BY unit_code, period");
            await s.ExecuteAsync("DELETE FROM rm_reports WHERE unit_code = @UnitCode AND period = @Period", report);
        });
        var broken = await readModel.ReconcileAsync(new ReconcileRequest { UnitCode = County, CampaignYear = 2027 });
        Assert.False(broken.Agrees);
        var differing = broken.Figures.Where(f => !f.Agrees).ToDictionary(f => f.Name, f => f.Service - f.Gateway);
        Assert.All(differing.Values, missing => Assert.Equal(1, missing));
        var timeliness = Assert.Single(differing.Keys, k => k is "reports.on_time" or "reports.late");
        Assert.Equal(new[] { "measures.closed", "measures.total", "reports.accepted", "reports.total", timeliness }.Order(), differing.Keys.Order());

        // The operator's rebuild of the county brings them back.
        await readModel.RebuildReadModelAsync(new RebuildReadModelRequest { UnitCode = County });
        var repaired = await readModel.ReconcileAsync(new ReconcileRequest { UnitCode = County });
        Assert.True(repaired.Agrees, repaired.ToString());
    }
}

public sealed record ReportKey(string UnitCode, string Period);

public sealed class ReadModelRebuildOnSqlite() : ReadModelRebuildTests(DbProvider.Sqlite);

public sealed class ReadModelRebuildOnPostgres() : ReadModelRebuildTests(DbProvider.Postgres);
