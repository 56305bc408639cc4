using System.Net.Http.Headers;
using System.Text.Json;
using OpenQA.Selenium;
using Rectify.Assessment.V1;
using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Platform.Demo;
using Rectify.Reporting.V1;
using Rectify.Tests.Support;

namespace Rectify.Tests.Web;

/// <summary>
/// The county's review queue in a real browser. Shared demo suite: these scenarios use only 小溪乡 (360731201000) and
/// 银坑镇 (360731106000), and only their reports for March of the campaign year — a month the demo leaves unreported
/// (its reports start in April), opened again for them by a 补报 exception — plus a campaign of the year before the
/// demo's, which no other scenario reads.
/// </summary>
[Collection("web")]
public sealed class ReviewPageTests(DemoSuite suite)
{
    private const string County = "360731000000";
    private const string Xiaoxi = "360731201000";
    private const string Yinkeng = "360731106000";

    private DateOnly Today => suite.Host.Clock.Today();
    private Period March => new() { Year = DemoClock.CampaignYear(Today), Month = 3 };
    private string MarchParam => $"{March.Year}-03";

    private ReportingService.ReportingServiceClient Reporting(string org, Role role) => new(suite.Host.As(org, role));

    /// <summary>The county opens March again for the township (补报), and the township submits its report on its two targets.</summary>
    private async Task SubmitMarchAsync(string township, params string[] villages)
    {
        await Reporting(County, Role.Reviewer).GrantExceptionAsync(new GrantExceptionRequest
        {
            TownshipCode = township, Period = March, Reason = "整顿对象三月已确定，补报三月工作", Until = Today.AddDays(10).ToProto(),
        });
        var push = new PushReportRequest { ClientRequestId = Guid.NewGuid().ToString(), TownshipCode = township, Period = March, Submit = true };
        foreach (var village in villages)
            push.Villages.Add(new VillageEntry
            {
                VillageCode = village, WorkDone = "召开支委会，制定整顿方案", NextMonthPlan = "推进整改措施",
                Indicators = new Indicators { MeetingsHeld = 3, ServicesForPeople = 2 },
            });
        var report = await Reporting(township, Role.Officer).PushReportAsync(push);
        Assert.Equal(ReportStatus.Submitted, report.Status);
    }

    private static IWebElement OpenReport(Browser browser, string township)
    {
        browser.WaitFor($"#reports tr[data-unit='{township}'] .open-report").Click();
        return browser.WaitFor($"#report-detail[data-unit='{township}'] #report-decision");
    }

    [Fact]
    public async Task A_reviewer_returns_a_report_only_with_a_reason_and_the_page_and_the_service_show_the_reason()
    {
        await SubmitMarchAsync(Xiaoxi, "360731201201", "360731201210");
        using var browser = Browser.Start();
        browser.SignIn(suite.Url, "county.reviewer", DemoSuite.Password);
        browser.Open($"{suite.Url}/#/review/{County}/{MarchParam}");
        var form = OpenReport(browser, Xiaoxi);
        Assert.Contains("新石陂村", browser.WaitFor("#report-detail").Text);
        browser.Script("window.scrollTo(0, 0)");
        browser.Screenshot("review-office");

        // An empty reason is refused in the page, in Chinese, beside the field; nothing reaches the service.
        form.FindElement(By.Id("return-report")).Click();
        var error = browser.WaitFor("#report-decision [data-field='reason'] + .field-error");
        Assert.Contains("理由", error.Text);
        var unchanged = await Reporting(County, Role.Viewer).GetReportAsync(new GetReportRequest { UnitCode = Xiaoxi, Period = March });
        Assert.Equal(ReportStatus.Submitted, unchanged.Status);

        const string reason = "三会一课次数与村级台账不一致，请核实后重新报送";
        browser.WaitFor("#return-reason").SendKeys(reason);
        browser.WaitFor("#return-report").Click();
        browser.Until(d => d.FindElements(By.CssSelector("#report-detail .report-meta [data-status='REPORT_STATUS_RETURNED']")).FirstOrDefault());
        Assert.Contains("已退回", browser.WaitFor("#report-detail .report-meta").Text);
        Assert.Contains(reason, browser.WaitFor("#report-detail .return-reason").Text);
        Assert.Contains("已退回", browser.WaitFor($"#reports tr[data-unit='{Xiaoxi}']").Text);
        Assert.Empty(browser.Driver.FindElements(By.Id("report-decision")));

        var returned = await Reporting(County, Role.Viewer).GetReportAsync(new GetReportRequest { UnitCode = Xiaoxi, Period = March });
        Assert.Equal(ReportStatus.Returned, returned.Status);
        Assert.Equal(reason, returned.ReturnReason);
    }

    [Fact]
    public async Task A_reviewer_accepts_a_report_and_the_dashboard_counts_it_accepted()
    {
        await SubmitMarchAsync(Yinkeng, "360731106201", "360731106210");
        using var http = new HttpClient { BaseAddress = new Uri(suite.Url) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestHost.Token(County, Role.Viewer));
        async Task<int> AcceptedAsync()
        {
            using var json = JsonDocument.Parse(await http.GetStringAsync($"/v1/dashboard/{County}/{March.Year}/3"));
            return json.RootElement.GetProperty("progress").GetProperty("reports").TryGetProperty("accepted", out var n) ? n.GetInt32() : 0;
        }
        var before = await AcceptedAsync();

        using var browser = Browser.Start(Browser.Screen.Phone);
        browser.SignIn(suite.Url, "county.reviewer", DemoSuite.Password);
        browser.Open($"{suite.Url}/#/review/{County}/{MarchParam}");
        browser.WaitFor($"#reports tr[data-unit='{Yinkeng}'] .open-report");
        browser.Screenshot("review-phone");
        var form = OpenReport(browser, Yinkeng);
        browser.Screenshot("review-report-phone");
        form.FindElement(By.Id("accept-report")).Click();
        browser.Until(d => d.FindElements(By.CssSelector("#report-detail .report-meta [data-status='REPORT_STATUS_ACCEPTED']")).FirstOrDefault());
        Assert.Contains("已通过", browser.WaitFor($"#reports tr[data-unit='{Yinkeng}']").Text);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await AcceptedAsync() <= before && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.Equal(before + 1, await AcceptedAsync());
        var report = await Reporting(County, Role.Viewer).GetReportAsync(new GetReportRequest { UnitCode = Yinkeng, Period = March });
        Assert.Equal(ReportStatus.Accepted, report.Status);
    }

    [Fact]
    public async Task A_reviewer_confirms_a_proposed_target_with_its_ranking_explained_and_a_viewer_is_offered_no_buttons()
    {
        // A campaign the year before the demo's: every branch assessed, then the townships' proposals made.
        var assessment = new AssessmentService.AssessmentServiceClient(suite.Host.As(County, Role.Reviewer));
        var year = DemoClock.CampaignYear(Today) - 1;
        var campaign = await assessment.CreateCampaignAsync(new CreateCampaignRequest { CountyCode = County, Year = year });
        var i = 0;
        foreach (var branch in campaign.Branches)
        {
            var score = 60 + i++ % 30;
            await assessment.RecordAssessmentAsync(new RecordAssessmentRequest
            {
                CampaignId = campaign.Id, VillageCode = branch.VillageCode,
                Votes = new Votes { Satisfied = 30, BasicallySatisfied = 12, Dissatisfied = 8, Ballots = 50 },
                Committee = new CommitteeScores { TeamOperation = score, OrganizationalSystems = score, CadreTeam = score, VanguardRole = score },
            });
        }
        var proposed = await assessment.ProposeTargetsAsync(new ProposeTargetsRequest { CampaignId = campaign.Id });
        var first = proposed.Proposals[0];

        using var browser = Browser.Start();
        browser.SignIn(suite.Url, "county.reviewer", DemoSuite.Password);
        browser.Open($"{suite.Url}/#/review/{County}/{MarchParam}");
        // The campaign still under review opens by default.
        browser.Until(d => d.FindElements(By.CssSelector($"#campaign option[data-year='{year}']")).FirstOrDefault(o => o.Selected));
        var row = browser.WaitFor($"#proposals tr[data-village='{first.Branch.VillageCode}']");
        Assert.Contains($"第{first.Ranking.Rank}名", row.Text);
        Assert.Contains("综合得分", row.Text);
        Assert.Contains("满意率", row.Text);
        browser.Script("document.getElementById('proposals').scrollIntoView()");
        browser.Screenshot("review-proposals-office");
        Assert.True(browser.WaitFor("#confirm-targets").GetAttribute("disabled") is not null, "the list cannot be confirmed while proposals await review");

        // No reason: refused in the page.
        row.FindElement(By.CssSelector(".confirm-proposal")).Click();
        Assert.Contains("理由", browser.WaitFor($"#proposals form[data-village='{first.Branch.VillageCode}'] .field-error").Text);
        browser.WaitFor($"#proposals form[data-village='{first.Branch.VillageCode}'] input[name=reason]").SendKeys("经三级联评，列为整顿对象");
        browser.WaitFor($"#proposals form[data-village='{first.Branch.VillageCode}'] .confirm-proposal").Click();
        browser.Until(d => d.FindElements(By.CssSelector($"#proposals tr[data-village='{first.Branch.VillageCode}'] [data-status='PROPOSAL_STATUS_CONFIRMED']")).FirstOrDefault());
        Assert.Contains("已确认", browser.WaitFor($"#proposals tr[data-village='{first.Branch.VillageCode}']").Text);

        var listed = await assessment.ListProposalsAsync(new ListProposalsRequest { CampaignId = campaign.Id });
        var confirmed = listed.Proposals.Single(p => p.Branch.VillageCode == first.Branch.VillageCode);
        Assert.Equal(ProposalStatus.Confirmed, confirmed.Status);
        Assert.Equal("经三级联评，列为整顿对象", confirmed.ReviewReason);

        // The targets whose plan is over, each linking to its target page for 验收.
        browser.WaitFor("#awaiting-acceptance table.awaiting-table");
        Assert.All(browser.Driver.FindElements(By.CssSelector("#awaiting-acceptance a.target-link")),
            a => Assert.Matches(@"^#/target/\d{12}-\d{4}$", a.GetDomAttribute("href")));
        browser.Script("document.getElementById('awaiting-acceptance').scrollIntoView()");
        browser.Screenshot("review-awaiting-office");

        // A viewer reads the same queue without a button to decide.
        using var viewer = Browser.Start();
        viewer.SignIn(suite.Url, "county.viewer", DemoSuite.Password);
        viewer.Open($"{suite.Url}/#/review/{County}/{MarchParam}");
        viewer.WaitFor($"#proposals tr[data-village='{first.Branch.VillageCode}']");
        viewer.WaitFor($"#reports tr[data-unit='{Xiaoxi}']");
        Assert.Empty(viewer.Driver.FindElements(By.CssSelector("#proposals form, #confirm-targets")));
    }
}
