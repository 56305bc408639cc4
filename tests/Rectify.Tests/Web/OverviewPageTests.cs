using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Grpc.Core;
using OpenQA.Selenium;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Reporting.V1;
using Rectify.Tests.Support;

namespace Rectify.Tests.Web;

/// <summary>
/// The overview of any unit (#/overview/{code}/{yyyy-mm}) in a real browser on the demo suite: the county's figures equal
/// the gateway's own JSON, drilling down by clicking to a village and its target, a township's push showing on the open
/// county page without a reload, and the city seeing its county. Data changed here: only last month's report of a township
/// that missed it and has no demo account (chosen from the demo's reports), which no other scenario reads.
/// </summary>
[Collection("web")]
public sealed class OverviewPageTests(DemoSuite suite)
{
    private const string City = "360700000000", County = "360731000000", Xinbei = "360731203000", Hekeng = "360731203210";

    private Month ThisMonth => Month.Of(suite.Host.Clock.Today());
    private string MonthParam => $"{ThisMonth.Year}-{ThisMonth.Number:00}";

    private async Task<JsonElement> DashboardAsync(string unit)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{suite.Url}/v1/dashboard/{unit}/{ThisMonth.Year}/{ThisMonth.Number}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestHost.Token(unit, Role.Reviewer));
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.Clone();
    }

    private static double Figure(JsonElement e, string path)
    {
        foreach (var part in path.Split('.'))
            if (!e.TryGetProperty(part, out e)) return 0;
        return e.ValueKind == JsonValueKind.String ? double.Parse(e.GetString()!, CultureInfo.InvariantCulture) : e.GetDouble();
    }

    /// <summary>What a KPI card shows, as a number: 1,234 → 1234, 45.6% → 0.456.</summary>
    private static double Shown(string text) =>
        text.EndsWith('%') ? double.Parse(text.TrimEnd('%'), CultureInfo.InvariantCulture) / 100 : double.Parse(text.Replace(",", ""), CultureInfo.InvariantCulture);

    /// <summary>Every KPI card's figure equals the one in the gateway's JSON (the rate to the 0.1% it is shown with).</summary>
    private static void KpisEqual(Browser browser, JsonElement progress)
    {
        var cards = browser.Driver.FindElements(By.CssSelector("#kpis [data-kpi]"));
        Assert.True(cards.Count >= 15, $"{cards.Count} KPI cards");
        foreach (var card in cards)
        {
            var key = card.GetDomAttribute("data-kpi")!;
            var shown = Shown(card.FindElement(By.CssSelector(".value")).Text);
            var expected = Figure(progress, key);
            if (key.EndsWith("Rate", StringComparison.Ordinal)) Assert.Equal(Math.Round(expected, 3), shown, 3);
            else Assert.True(expected == shown, $"{key}: the page shows {shown}, the gateway says {expected}");
        }
    }

    private void OpenOverview(Browser browser, string unit)
    {
        browser.Open($"{suite.Url}/#/overview/{unit}/{MonthParam}");
        browser.WaitFor($"#overview[data-unit='{unit}']");
        // The first chart drawn: the page marks it for the benchmarks.
        browser.Until(d => (bool)browser.Script("return performance.getEntriesByName('rectify:chart-drawn').length > 0")!, what: "no chart drawn");
    }

    [Fact]
    public async Task The_county_reviewer_sees_the_county_s_figures_equal_to_the_gateway_s_JSON()
    {
        using var browser = Browser.Start();
        browser.SignIn(suite.Url, "county.reviewer", DemoSuite.Password);
        Assert.Contains($"#/overview/{County}/{MonthParam}", browser.Driver.Url);
        browser.WaitFor($"#overview[data-unit='{County}']");
        browser.Until(d => (bool)browser.Script("return performance.getEntriesByName('rectify:chart-drawn').length > 0")!, what: "no chart drawn");
        var dashboard = await DashboardAsync(County);
        var progress = dashboard.GetProperty("progress");
        KpisEqual(browser, progress);

        var children = progress.GetProperty("children").EnumerateArray().ToList();
        Assert.NotEmpty(children);
        var rows = browser.Driver.FindElements(By.CssSelector("#children tbody tr"));
        Assert.Equal(children.Count, rows.Count);
        foreach (var child in children)
        {
            var code = child.GetProperty("unitCode").GetString()!;
            var row = browser.Driver.FindElement(By.XPath($"//table[@id='children']//tr[.//a[@data-child='{code}']]"));
            var cells = row.FindElements(By.TagName("td")).Select(c => c.Text).ToList();
            Assert.Equal(child.GetProperty("unitName").GetString(), cells[1]);
            Assert.Equal(Figure(child, "targets.total"), Shown(cells[2]));
            Assert.Equal($"{Figure(child, "measures.closed") + Figure(child, "measures.completed"):#,0}/{Figure(child, "measures.total"):#,0}", cells[3]);
            Assert.Equal(Figure(child, "measures.overdue"), Shown(cells[5]));
        }
        // The lagging first: completion rates never fall down the table.
        var rates = rows.Select(r => Shown(r.FindElements(By.TagName("td"))[4].Text)).ToList();
        Assert.Equal(rates.Order().ToList(), rates);
        Assert.Equal(dashboard.GetProperty("overdueMeasures").GetArrayLength(), browser.Driver.FindElements(By.CssSelector("#overdue a[data-measure]")).Count);
        Assert.Equal(5, browser.Driver.FindElements(By.CssSelector("[data-chart] canvas")).Count);
        browser.Screenshot("overview-office");
    }

    [Fact]
    public void Drilling_down_by_clicking_county_to_新陂乡_to_禾坑村_reaches_its_target_link()
    {
        using var browser = Browser.Start();
        browser.SignIn(suite.Url, "county.reviewer", DemoSuite.Password);
        browser.WaitFor($"#overview[data-unit='{County}']");
        browser.WaitFor($"a[data-child='{Xinbei}']").Click();
        browser.WaitFor($"#overview[data-unit='{Xinbei}']");
        browser.WaitFor("#targets a[data-target]");
        Assert.Equal("于都县", browser.WaitFor($".crumbs a[data-crumb='{County}']").Text);
        browser.Until(d => (bool)browser.Script("return performance.getEntriesByName('rectify:chart-drawn').length > 0")!);
        browser.Script("window.scrollTo(0, 0);");
        browser.Screenshot("overview-township-office");
        browser.WaitFor($"a[data-child='{Hekeng}']").Click();
        browser.WaitFor($"#overview[data-unit='{Hekeng}']");
        var target = browser.WaitFor($"#targets a[data-target='{Hekeng}']");
        Assert.EndsWith($"#/target/{Hekeng}-{DemoCampaignYear}", target.GetDomAttribute("href"));
        Assert.Equal("新陂乡", browser.WaitFor($".crumbs a[data-crumb='{Xinbei}']").Text);
        // Breadcrumbs start at the person's own unit, never above it.
        Assert.Empty(browser.Driver.FindElements(By.CssSelector($".crumbs [data-crumb='{City}']")));
    }

    private int DemoCampaignYear => ThisMonth.Number >= 4 ? ThisMonth.Year : ThisMonth.Year - 1;

    [Fact]
    public async Task A_township_s_submitted_report_shows_on_the_open_county_overview_without_a_reload()
    {
        // This month's report cannot be submitted before the month is over: the latest month's that a township missed,
        // after the county grants it a 补报 exception. The township is one without a demo account (not 新陂乡 or 贡江镇).
        var county = new ReportingService.ReportingServiceClient(suite.Host.As(County, Role.Reviewer));
        Month last = ThisMonth;
        string? township = null;
        for (var month = ThisMonth.Previous; township is null && month.Number != 3; month = month.Previous)
        {
            var expected = await county.ListReportsAsync(new ListReportsRequest { ScopeCode = County, Period = month.ToProto() }, cancellationToken: TestContext.Current.CancellationToken);
            (township, last) = (expected.Reports.FirstOrDefault(r => r.Timeliness == Timeliness.Missing && r.UnitCode is not Xinbei and not "360731100000")?.UnitCode, month);
        }
        Assert.NotNull(township);
        // A report covers every village of the township under rectification.
        var villages = (await DashboardAsync(township)).GetProperty("progress").GetProperty("children").EnumerateArray()
            .Where(c => Figure(c, "targets.total") > 0).Select(c => c.GetProperty("unitCode").GetString()!).ToList();

        using var browser = Browser.Start();
        browser.SignIn(suite.Url, "county.reviewer", DemoSuite.Password);
        browser.Open($"{suite.Url}/#/overview/{County}/{last.Year}-{last.Number:00}");
        browser.WaitFor($"#overview[data-unit='{County}']");
        browser.Until(d => browser.Driver.FindElement(By.Id("live")).GetDomAttribute("data-state") == "on", what: "the live stream never connected");
        var received = Shown(browser.WaitFor("[data-kpi='reports.received'] .value").Text);
        browser.Script("window.__stillTheSamePage = 'yes';");

        await county.GrantExceptionAsync(new GrantExceptionRequest { TownshipCode = township, Period = last.ToProto(), Reason = "山洪断网，准予补报", Until = suite.Host.Clock.Today().AddDays(7).ToProto() }, cancellationToken: TestContext.Current.CancellationToken);
        var reporting = new ReportingService.ReportingServiceClient(suite.Host.As(township, Role.Officer));
        await reporting.PushReportAsync(new PushReportRequest
        {
            ClientRequestId = $"overview-live-{Guid.NewGuid():N}", TownshipCode = township, Period = last.ToProto(), Submit = true,
            Villages = { villages.Select(v => new VillageEntry { VillageCode = v, WorkDone = "召开支委会，推进整改措施。", NextMonthPlan = "继续推进。", Indicators = new Indicators { MeetingsHeld = 3 } }) },
        }, cancellationToken: TestContext.Current.CancellationToken);

        browser.Until(d => Shown(browser.WaitFor("[data-kpi='reports.received'] .value").Text) == received + 1, TimeSpan.FromSeconds(15), "the county page did not update");
        Assert.Equal("yes", browser.Script("return window.__stillTheSamePage;"));
        browser.Until(d => (bool)browser.Script("return performance.getEntriesByName('rectify:live-update').length > 0")!, what: "no live-update mark");
        Assert.Contains("实时", browser.WaitFor("#live").Text);
    }

    [Fact]
    public void The_city_viewer_sees_赣州市_with_于都县_as_a_child_also_on_a_phone()
    {
        using (var browser = Browser.Start())
        {
            browser.SignIn(suite.Url, "city.viewer", DemoSuite.Password);
            browser.WaitFor($"#overview[data-unit='{City}']");
            Assert.Equal("于都县", browser.WaitFor($"a[data-child='{County}']").Text);
        }
        using var phone = Browser.Start(Browser.Screen.Phone);
        phone.SignIn(suite.Url, "county.viewer", DemoSuite.Password);
        phone.WaitFor($"#overview[data-unit='{County}']");
        phone.Until(d => (bool)phone.Script("return performance.getEntriesByName('rectify:chart-drawn').length > 0")!);
        // Nothing wider than the phone's screen but the tables, which scroll in their own box.
        Assert.True((bool)phone.Script("return document.documentElement.scrollWidth <= window.innerWidth + 1")!, "the page scrolls sideways on a phone");
        phone.Screenshot("overview-phone");
    }
}
