using System.Net;
using System.Net.Http.Headers;
using Grpc.Core;
using Rectify.Common.V1;
using Rectify.Gateway;
using Rectify.Gateway.V1;
using Rectify.Kernel;
using Rectify.Organizations.V1;
using Rectify.Platform.Hosting;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Reporting;
using Rectify.Reporting.V1;
using Rectify.Tests.Measures;
using Rectify.Tests.Reporting;
using Rectify.Tests.Support;
using static Rectify.Tests.Measures.MeasuresFixture;

namespace Rectify.Tests.Gateway;

/// <summary>
/// The whole monthly path as counties and cities see it: a township pushes, the county accepts, the county's
/// summary goes up, and the gateway's aggregates — kept from events — show each step.
/// </summary>
public sealed class GatewaySpec : IAsyncLifetime
{
    private const string City = "360700000000", OtherCounty = "360732000000";
    private static readonly Period March = new() { Year = 2027, Month = 3 };
    private TestHost _host = null!;

    internal static ServiceModule[] Modules() =>
        [new Rectify.Organizations.OrganizationsModule(), new Rectify.Measures.MeasuresModule(), new ReportingModule(), new GatewayModule()];

    public async ValueTask InitializeAsync()
    {
        _host = await TestHost.StartAsync(DbProvider.Sqlite, Modules(),
            new Dictionary<string, string?> { ["Rectify:Measures:ScheduleScans"] = "false", ["Rectify:Reporting:ScheduleScans"] = "false" });
        await PrepareAsync(_host);
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    /// <summary>The tree (a city with two counties), three targets in two townships, and a plan with three measures.</summary>
    internal static async Task PrepareAsync(TestHost host, TestHost? ledger = null)
    {
        ledger ??= host;
        using (var import = ledger.Organizations("000000000000", Role.Service).ImportUnits())
        {
            foreach (var (code, name, parent) in new[] { ("360000000000", "江西省", ""), (City, "赣州市", "360000000000"), (County, "于都县", City), (OtherCounty, "兴国县", City),
                         (TownshipA, "铁山垅镇", County), (TownshipB, "盘古山镇", County), (TargetA1, "上坪村", TownshipA), (TargetA2, "黄屋村", TownshipA), (TargetB1, "石门村", TownshipB) })
                await import.RequestStream.WriteAsync(new ImportUnitRow { Code = code, Name = name, ParentCode = parent });
            await import.RequestStream.CompleteAsync();
            await import;
        }
        SetShanghai(ledger, new DateTime(2027, 3, 1, 10, 0, 0));
        if (host != ledger) SetShanghai(host, new DateTime(2027, 3, 1, 10, 0, 0));
        await DesignateAsync(ledger, (TargetA1, "上坪村", "铁山垅镇"), (TargetA2, "黄屋村", "铁山垅镇"), (TargetB1, "石门村", "盘古山镇"));
        await ledger.Measures(TownshipA).CreatePlanAsync(SimplePlan(TargetA1, new DateOnly(2027, 3, 20)));
    }

    private static ProgressService.ProgressServiceClient Gateway(TestHost host, string org) => new(host.As(org));

    /// <summary>Polls the gateway until the condition holds: the read model follows the events within a moment.</summary>
    internal static Task<Progress> Until(TestHost host, string org, Period period, Func<Progress, bool> condition,
        [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(condition))] string what = "")
    {
        var client = Gateway(host, org);
        return Poll.Until(async () =>
        {
            var progress = await client.GetProgressAsync(new GetProgressRequest { UnitCode = org, Period = period });
            return condition(progress) ? progress : throw new InvalidOperationException($"the gateway shows {progress}");
        }, $"the gateway to show {what} to {org}");
    }

    private static VillageEntry Entry(string village) => new()
    {
        VillageCode = village, WorkDone = "召开支委会", NextMonthPlan = "推进产业路",
        Indicators = new Indicators { MeetingsHeld = 4, Trainings = 1, ServicesForPeople = 3, DisputesMediated = 2, CollectiveIncomeToDateYuan = 20_000 },
    };

    [Fact]
    public async Task A_push_an_acceptance_and_the_county_summary_show_in_the_county_and_city_views()
    {
        SetShanghai(_host, new DateTime(2027, 4, 3, 9, 0, 0));
        // Events arrive in any order: wait until the townships' names are in too.
        var county = await Until(_host, County, March, p => p.Targets.Total == 3 && p.Measures.Total == 3 && p.Children.Count == 2 && p.Children.All(c => c.UnitName.Length > 0));
        Assert.Equal((2, 0, 2), (county.Reports.Expected, county.Reports.Received, county.Reports.Pending));
        Assert.Equal((3, 3), (county.Measures.Total, county.Measures.Overdue));
        Assert.Equal([TownshipA, TownshipB], county.Children.Select(c => c.UnitCode));
        Assert.Equal(("铁山垅镇", 2), (county.Children[0].UnitName, county.Children[0].Targets.Total));
        Assert.Equal(3, county.Trend.Count);

        var township = _host.Reporting(TownshipA);
        var push = new PushReportRequest { ClientRequestId = "gw-1", TownshipCode = TownshipA, Period = March, Submit = true, Villages = { Entry(TargetA1), Entry(TargetA2) } };
        await township.PushReportAsync(push);
        county = await Until(_host, County, March, p => p.Reports.Received == 1);
        Assert.Equal((1, 0, 8), (county.Reports.OnTime, county.Reports.Accepted, county.Indicators.MeetingsHeld));
        Assert.Equal(1, county.Children.Single(c => c.UnitCode == TownshipA).Reports.Received);

        var countyReporting = _host.Reporting(County, role: Rectify.Kernel.Role.Reviewer);
        await countyReporting.AcceptReportAsync(new ReviewReportRequest { UnitCode = TownshipA, Period = March });
        await Until(_host, County, March, p => p.Reports.Accepted == 1);

        SetShanghai(_host, new DateTime(2027, 4, 16, 9, 0, 0)); // 盘古山镇 never reported: missing
        await countyReporting.SubmitCountySummaryAsync(new SubmitCountySummaryRequest { ClientRequestId = "gw-county", CountyCode = County, Period = March });
        var city = await Until(_host, City, March, p => p.Reports.CountySummariesReceived == 1);
        Assert.Equal((2, 1, 1, 1), (city.Reports.Expected, city.Reports.Received, city.Reports.Missing, city.Reports.CountySummariesExpected));
        Assert.Equal([County, OtherCounty], city.Children.Select(c => c.UnitCode));
        Assert.Equal(0, city.Children[1].Targets.Total);
    }

    [Fact]
    public async Task WatchProgress_pushes_the_county_an_update_after_a_township_push()
    {
        SetShanghai(_host, new DateTime(2027, 4, 3, 9, 0, 0));
        await Until(_host, County, March, p => p.Measures.Total == 3);
        using var watch = Gateway(_host, County).WatchProgress(new GetProgressRequest { UnitCode = County, Period = March }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(await watch.ResponseStream.MoveNext(TestContext.Current.CancellationToken));
        Assert.Equal(0, watch.ResponseStream.Current.Reports.Received);

        await _host.Reporting(TownshipA).PushReportAsync(new PushReportRequest { ClientRequestId = "watch-1", TownshipCode = TownshipA, Period = March, Submit = true, Villages = { Entry(TargetA1), Entry(TargetA2) } });
        var received = 0;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        while (received == 0 && await watch.ResponseStream.MoveNext(timeout.Token)) received = watch.ResponseStream.Current.Reports.Received;
        Assert.Equal(1, received);
    }

    [Fact]
    public async Task A_county_never_sees_a_sibling_county_over_gRPC_or_JSON()
    {
        await Rpc.Refused(StatusCode.PermissionDenied, () => Gateway(_host, County).GetProgressAsync(new GetProgressRequest { UnitCode = OtherCounty, Period = March }));
        await Rpc.Refused(StatusCode.PermissionDenied, () => Gateway(_host, TownshipA).GetProgressAsync(new GetProgressRequest { UnitCode = County, Period = March }));
        Assert.Equal(["period"], (await Rpc.Refused(StatusCode.InvalidArgument, () => Gateway(_host, County).GetProgressAsync(new GetProgressRequest { UnitCode = County, Period = new Period { Year = 2027, Month = 13 } }))).Fields());

        await Until(_host, County, March, p => p.UnitName == "于都县" && p.Targets.Total == 3);
        using var http = new HttpClient { BaseAddress = new Uri(_host.HttpUrl) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"/v1/progress/{County}/2027/3")).StatusCode);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestHost.Token(County));
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync($"/v1/progress/{OtherCounty}/2027/3")).StatusCode);
        using var json = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync($"/v1/progress/{County}/2027/3"));
        Assert.Equal("于都县", json.RootElement.GetProperty("unitName").GetString());
        Assert.Equal(3, json.RootElement.GetProperty("targets").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_unit_closed_mid_campaign_leaves_the_gateways_denominator_from_the_next_month()
    {
        SetShanghai(_host, new DateTime(2027, 5, 2, 9, 0, 0));
        await _host.Organizations("000000000000", Role.Service).CloseUnitAsync(new CloseUnitRequest { Code = TargetB1, ClosedOn = D(2027, 3, 20), Reason = "撤并" });
        var april = await Until(_host, County, new Period { Year = 2027, Month = 4 }, p => p.Targets.Total == 2);
        Assert.Equal(1, april.Reports.Expected);
        var march = await Gateway(_host, County).GetProgressAsync(new GetProgressRequest { UnitCode = County, Period = March });
        Assert.Equal((3, 2), (march.Targets.Total, march.Reports.Expected));
    }

    [Fact]
    public async Task The_dashboard_names_the_part_it_could_not_read_when_a_service_is_down()
    {
        await using var lonely = await TestHost.StartAsync(DbProvider.Sqlite, [new GatewayModule()], new Dictionary<string, string?>
        {
            ["Rectify:Endpoints:measures"] = "http://127.0.0.1:9", ["Rectify:Endpoints:reporting"] = _host.GrpcUrl,
        });
        SetShanghai(lonely, new DateTime(2027, 4, 3, 9, 0, 0));
        var dashboard = await Gateway(lonely, County).GetDashboardAsync(new GetProgressRequest { UnitCode = County, Period = March });
        Assert.NotNull(dashboard.Progress);
        var measures = dashboard.Parts.Single(p => p.Name == "overdue_measures");
        Assert.False(measures.Available);
        Assert.StartsWith("Unavailable", measures.Problem);
        Assert.True(dashboard.Parts.Single(p => p.Name == "reports").Available);
        Assert.Equal(2, dashboard.Reports.Count);
    }
}
