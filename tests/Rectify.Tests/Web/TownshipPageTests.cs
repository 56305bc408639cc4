using Grpc.Core;
using OpenQA.Selenium;
using Rectify.Assessment.V1;
using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Measures.V1;
using Rectify.Reporting.V1;
using Rectify.Tests.Support;

namespace Rectify.Tests.Web;

/// <summary>
/// The township's workbench in a real browser: its ledger, the plan editor, 销号 and 回炉 of a measure, and the monthly
/// report from draft to submission, return and resubmission. Shared demo suite: these scenarios change only 新陂乡's
/// report and the plan and measures of its village 下田村 (禾坑村's measures belong to the village scenarios).
/// </summary>
[Collection("web")]
public sealed class TownshipPageTests(DemoSuite suite)
{
    private const string County = "360731000000";
    private const string Xinbei = "360731203000";
    private const string Xiatian = "360731203201"; // 下田村: ours to plan, complete, close and reopen
    private const string Clerk = "xinbei.clerk";

    private MeasureService.MeasureServiceClient Measures(string org, Role role = Role.Officer) => new(suite.Host.As(org, role));
    private ReportingService.ReportingServiceClient Reporting(string org, Role role = Role.Officer) => new(suite.Host.As(org, role));

    private DateOnly Today => suite.Host.Clock.Today();

    private async Task<int> CampaignYearAsync()
    {
        var campaigns = await new AssessmentService.AssessmentServiceClient(suite.Host.As(County, Role.Viewer))
            .ListCampaignsAsync(new ListCampaignsRequest { CountyCode = County });
        return campaigns.Campaigns.Max(c => c.Year);
    }

    /// <summary>
    /// 下田村's plan: the first scenario that needs it writes it in the browser's plan form (the demo leaves 新陂乡's targets
    /// unplanned), so the form is exercised whichever scenario runs first. A phase ending after the campaign is refused
    /// beside its date first, and nothing is created.
    /// </summary>
    private async Task<Plan> XiatianPlanAsync()
    {
        var year = await CampaignYearAsync();
        var key = new GetPlanRequest { VillageYear = new VillageYear { VillageCode = Xiatian, CampaignYear = year } };
        try
        {
            return await Measures(Xinbei).GetPlanAsync(key);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound) { }

        using var browser = Browser.Start();
        browser.SignIn(suite.Url, Clerk, DemoSuite.Password);
        browser.Open($"{suite.Url}/#/plan/{Xiatian}");
        var form = browser.WaitFor("#create-plan");
        form.FindElement(By.Name("basicSituation")).SendKeys("下田村党支部班子战斗力不强。");
        form.FindElement(By.Name("goals")).SendKeys("建强班子\n优化党员队伍");
        form.FindElement(By.Name("problem")).SendKeys("“两委”班子全局意识不强");
        form.FindElement(By.Name("measure")).SendKeys("落实村干部坐班制度");
        form.FindElement(By.Name("persons")).SendKeys("刘文华");
        browser.Script("arguments[0].value = arguments[1]", form.FindElement(By.Name("deadline")), $"{year}-12-20");
        var lastPhase = form.FindElements(By.Name("phaseEnds"))[2];
        browser.Script("arguments[0].value = arguments[1]", lastPhase, $"{year + 1}-01-31");
        form.FindElement(By.CssSelector("button[type=submit]")).Click();
        Assert.False(string.IsNullOrWhiteSpace(browser.WaitFor("#create-plan [data-field='phases[2].ends_on'] + .field-error").Text));
        await Assert.ThrowsAsync<RpcException>(async () => await Measures(Xinbei).GetPlanAsync(key));

        browser.Script("arguments[0].value = arguments[1]", lastPhase, $"{year}-10-31");
        form.FindElement(By.CssSelector("button[type=submit]")).Click();
        browser.WaitFor("#plan");
        var plan = await Measures(Xinbei).GetPlanAsync(key);
        Assert.Equal(["建强班子", "优化党员队伍"], plan.Goals);
        Assert.Equal(["集中整顿", "自查评估", "巩固提高"], plan.Phases.Select(p => p.Name));
        var measure = Assert.Single(plan.Problems.SelectMany(p => p.Measures));
        Assert.Equal("落实村干部坐班制度", measure.Description);
        Assert.Equal(["刘文华"], measure.ResponsiblePersons);
        Assert.Equal(new DateOnly(year, 12, 20).ToProto(), measure.Deadline);
        return plan;
    }

    /// <summary>A fresh measure of 下田村 for one scenario, reported complete by the village.</summary>
    private async Task<Rectify.Measures.V1.Measure> CompletedMeasureAsync(string description)
    {
        var plan = await XiatianPlanAsync();
        var township = Measures(Xinbei);
        var measure = await township.AddMeasureAsync(new AddMeasureRequest
        {
            PlanId = plan.Id, ProblemId = plan.Problems[0].Id,
            Measure = new MeasureInput { Description = description, ResponsiblePersons = { "陈建国" }, Deadline = new DateOnly(plan.CampaignEndsOn.Year, 12, 20).ToProto() },
        });
        var village = Measures(Xiatian);
        await village.RecordProgressAsync(new RecordProgressRequest { MeasureId = measure.Id, Percent = 60, Note = "推进中" });
        return await village.CompleteMeasureAsync(new CompleteMeasureRequest { MeasureId = measure.Id, Note = "已完成，资料已归档" });
    }

    [Fact]
    public async Task The_workbench_lists_the_townships_targets_and_a_ledger_row_for_every_measure()
    {
        await XiatianPlanAsync();
        var year = await CampaignYearAsync();
        var total = (await Measures(Xinbei, Role.Viewer).ListMeasuresAsync(new ListMeasuresRequest { ScopeCode = Xinbei, CampaignYear = year })).TotalSize;
        Assert.True(total > 0);

        using var browser = Browser.Start();
        browser.SignIn(suite.Url, Clerk, DemoSuite.Password);
        Assert.EndsWith($"#/township/{Xinbei}", browser.Driver.Url);
        var targets = browser.WaitFor("#targets");
        Assert.Contains("下田村", targets.Text);
        Assert.Contains("禾坑村", targets.Text);
        browser.Until(d => d.FindElements(By.CssSelector("#ledger tbody tr[data-measure]")).Count == total, what: $"{total} ledger rows");
        Assert.Equal(total.ToString(), browser.WaitFor("#ledger-total").GetDomAttribute("data-total"));
        // 待销号 (completed, awaiting verification) comes first: it is the township's work.
        var statuses = browser.Driver.FindElements(By.CssSelector("#ledger tbody tr td:nth-child(5) .tag")).Select(t => t.GetDomAttribute("data-status")).ToList();
        var firstOther = statuses.FindIndex(s => s != "MEASURE_STATUS_COMPLETED");
        Assert.True(firstOther < 0 || statuses.Skip(firstOther).All(s => s != "MEASURE_STATUS_COMPLETED"), string.Join(",", statuses));
        browser.Screenshot("township-office");

        // Filtering by status asks the server again: only 已销号 rows remain.
        browser.Script("const s = document.querySelector('select[name=status]'); s.value = 'MEASURE_STATUS_CLOSED'; s.dispatchEvent(new Event('change'));");
        var closed = (await Measures(Xinbei, Role.Viewer).ListMeasuresAsync(new ListMeasuresRequest { ScopeCode = Xinbei, CampaignYear = year, Statuses = { MeasureStatus.Closed } })).TotalSize;
        browser.Until(d => d.FindElement(By.CssSelector("#ledger-total")).GetDomAttribute("data-total") == closed.ToString(), what: "the closed count");

        using var phone = Browser.Start(Browser.Screen.Phone);
        phone.SignIn(suite.Url, Clerk, DemoSuite.Password);
        phone.WaitFor("#ledger tbody tr");
        phone.Screenshot("township-phone");
    }

    [Fact]
    public async Task The_township_closes_a_completed_measure_and_reopens_a_closed_one_only_with_a_reason()
    {
        var completed = await CompletedMeasureAsync("整修下田村通组道路");
        using var browser = Browser.Start();
        browser.SignIn(suite.Url, Clerk, DemoSuite.Password);
        browser.Open($"{suite.Url}/#/measure/{completed.Id}");
        Assert.Contains("已完成待销号", browser.WaitFor("#measure").Text);
        var before = browser.Driver.FindElements(By.CssSelector("#history tbody tr")).Count;
        browser.Screenshot("measure-office");
        var close = browser.WaitFor("#close");
        close.FindElement(By.Name("note")).SendKeys("实地核验，道路已硬化");
        close.FindElement(By.CssSelector("button[type=submit]")).Click();
        browser.WaitFor("#measure[data-status=MEASURE_STATUS_CLOSED]");
        Assert.Contains("已销号", browser.WaitFor("#measure").Text);
        Assert.Equal(before + 1, browser.Driver.FindElements(By.CssSelector("#history tbody tr")).Count);
        Assert.Contains("销号", browser.Driver.FindElement(By.CssSelector("#history tbody tr")).Text); // newest first
        var afterClose = await Measures(Xinbei).GetMeasureAsync(new GetMeasureRequest { MeasureId = completed.Id });
        Assert.Equal(MeasureStatus.Closed, afterClose.Measure.Status);
        Assert.Equal(MeasureChangeKind.Closed, afterClose.History[^1].Kind);

        // 回炉 of the closed one: an empty reason is refused in Chinese and nothing is sent; with a reason it reopens.
        var reopen = browser.WaitFor("#reopen");
        var deadline = Today.AddDays(14);
        browser.Script("arguments[0].value = arguments[1]", reopen.FindElement(By.Name("newDeadline")), deadline.ToString("yyyy-MM-dd"));
        reopen.FindElement(By.CssSelector("button[type=submit]")).Click();
        Assert.Contains("回炉原因不能为空", browser.WaitFor("#reopen [data-field=reason] + .field-error").Text);
        Assert.Equal(MeasureStatus.Closed, (await Measures(Xinbei).GetMeasureAsync(new GetMeasureRequest { MeasureId = completed.Id })).Measure.Status);
        reopen.FindElement(By.Name("reason")).SendKeys("群众反映路面已有破损，整改不到位");
        reopen.FindElement(By.CssSelector("button[type=submit]")).Click();
        browser.WaitFor("#measure[data-status=MEASURE_STATUS_REOPENED]");
        var reopened = await Measures(Xinbei).GetMeasureAsync(new GetMeasureRequest { MeasureId = completed.Id });
        Assert.Equal(MeasureStatus.Reopened, reopened.Measure.Status);
        Assert.Equal("群众反映路面已有破损，整改不到位", reopened.History[^1].Note);
        Assert.Equal(deadline.ToProto(), reopened.Measure.Deadline);

        var other = await CompletedMeasureAsync("完善下田村排水设施");
        using var phone = Browser.Start(Browser.Screen.Phone);
        phone.SignIn(suite.Url, Clerk, DemoSuite.Password);
        phone.Open($"{suite.Url}/#/measure/{other.Id}");
        phone.WaitFor("#close");
        phone.Screenshot("measure-phone");
    }

    [Fact]
    public async Task The_village_sees_its_measure_without_the_townships_actions()
    {
        var completed = await CompletedMeasureAsync("规范下田村主题党日");
        // Signed in as the village's own officer through a minted token: the page offers no 销号 and no 回炉.
        using var browser = Browser.Start();
        browser.Open($"{suite.Url}/#/login");
        browser.WaitFor("#login");
        browser.Script("sessionStorage.setItem('rectify.session', JSON.stringify({accessToken: arguments[0], refreshToken: '', account: {userName: 'xiatian', displayName: '下田村', orgCode: arguments[1], role: 'ROLE_OFFICER'}}))",
            TestHost.Token(Xiatian, Role.Officer), Xiatian);
        browser.Open($"{suite.Url}/#/measure/{completed.Id}");
        browser.Driver.Navigate().Refresh();
        Assert.Contains("已完成待销号", browser.WaitFor("#measure").Text);
        Assert.Empty(browser.Driver.FindElements(By.CssSelector("#close, #reopen")));
    }

    [Fact]
    public async Task The_plan_editor_adds_a_measure_and_shows_the_servers_deadline_error_beside_the_deadline()
    {
        var year = await CampaignYearAsync();
        await XiatianPlanAsync();
        using var browser = Browser.Start();
        browser.SignIn(suite.Url, Clerk, DemoSuite.Password);
        browser.Open($"{suite.Url}/#/plan/{Xiatian}");
        var plan = browser.WaitFor("#plan");
        var planId = plan.GetDomAttribute("data-plan");
        var before = (await Measures(Xinbei).GetPlanAsync(new GetPlanRequest { PlanId = planId })).Problems.Sum(p => p.Measures.Count);

        // A deadline after the campaign's end: the server's reason beside the deadline input, nothing added.
        var form = browser.WaitFor(".add-measure");
        form.FindElement(By.Name("description")).SendKeys("建立党员联系户制度");
        form.FindElement(By.Name("persons")).SendKeys("王小平、曾桂英");
        browser.Script("arguments[0].value = arguments[1]", form.FindElement(By.Name("deadline")), $"{year + 1}-03-01");
        form.FindElement(By.CssSelector("button[type=submit]")).Click();
        var error = browser.WaitFor(".add-measure [data-field='measure.deadline'] + .field-error");
        Assert.False(string.IsNullOrWhiteSpace(error.Text));
        Assert.Equal(before, (await Measures(Xinbei).GetPlanAsync(new GetPlanRequest { PlanId = planId })).Problems.Sum(p => p.Measures.Count));
        browser.Screenshot("plan-office");

        browser.Script("arguments[0].value = arguments[1]", form.FindElement(By.Name("deadline")), $"{year}-12-25");
        form.FindElement(By.CssSelector("button[type=submit]")).Click();
        browser.Until(d => d.FindElements(By.LinkText("建立党员联系户制度")).Count > 0, what: "the new measure in the plan");
        var after = await Measures(Xinbei).GetPlanAsync(new GetPlanRequest { PlanId = planId });
        var added = after.Problems.SelectMany(p => p.Measures).Single(m => m.Description == "建立党员联系户制度");
        Assert.Equal(["王小平", "曾桂英"], added.ResponsiblePersons);
        Assert.Equal(new DateOnly(year, 12, 25).ToProto(), added.Deadline);
    }

    [Fact]
    public async Task The_township_saves_a_draft_submits_and_after_the_countys_return_sees_the_reason_and_resubmits()
    {
        // A month over whose report 新陂乡 never sent (the demo reports from April, so March at the latest): the county lets it
        // submit late (补报). A month not yet over takes only drafts, and a submitted or accepted one takes no push.
        var period = await UnreportedMonthAsync();
        await Reporting(County, Role.Reviewer).GrantExceptionAsync(new GrantExceptionRequest
        {
            TownshipCode = Xinbei, Period = period, Reason = "网页端补报测试", Until = Today.AddDays(5).ToProto(),
        });
        var month = $"{period.Year}-{period.Month:00}";

        using var browser = Browser.Start();
        browser.SignIn(suite.Url, Clerk, DemoSuite.Password);
        // This month is not over: a draft may be saved, and 提交 waits for the first day of next month.
        browser.Open($"{suite.Url}/#/township/{Xinbei}/report/{Today:yyyy-MM}");
        browser.WaitFor("#save-draft");
        Assert.False(browser.WaitFor("#submit").Enabled);
        browser.Open($"{suite.Url}/#/township/{Xinbei}/report/{month}");
        var form = browser.WaitFor($"#report[data-period='{month}']"); // not this month's, still shown for a moment
        foreach (var entry in form.FindElements(By.CssSelector(".village-entry")))
        {
            entry.FindElement(By.Name("workDone")).SendKeys("召开支委会，落实“三会一课”。");
            entry.FindElement(By.Name("nextMonthPlan")).SendKeys("推进未完成整改措施。");
            var meetings = entry.FindElement(By.Name("meetingsHeld"));
            meetings.Clear();
            meetings.SendKeys("4");
        }
        browser.Driver.FindElement(By.Id("save-draft")).Click();
        browser.WaitFor("#report-status[data-status=REPORT_STATUS_DRAFT]");
        Assert.Equal("草稿", browser.WaitFor("#status").Text);
        Assert.Equal(ReportStatus.Draft, (await Reporting(Xinbei).GetReportAsync(new GetReportRequest { UnitCode = Xinbei, Period = period })).Status);

        browser.Driver.FindElement(By.Id("submit")).Click();
        browser.WaitFor("#confirm-submit").Click();
        browser.WaitFor("#report-status[data-status=REPORT_STATUS_SUBMITTED]");
        Assert.Equal("已报送", browser.WaitFor("#status").Text);
        var submitted = await Reporting(Xinbei).GetReportAsync(new GetReportRequest { UnitCode = Xinbei, Period = period });
        Assert.Equal(ReportStatus.Submitted, submitted.Status);
        Assert.All(submitted.Villages, v => Assert.Equal(4, v.Indicators.MeetingsHeld));

        const string reason = "下田村为民办实事件数与台账不一致，请核实";
        await Reporting(County, Role.Reviewer).ReturnReportAsync(new ReviewReportRequest { UnitCode = Xinbei, Period = period, Reason = reason });
        browser.Driver.Navigate().Refresh();
        Assert.Contains(reason, browser.WaitFor("#return-reason").Text);
        Assert.Equal("已退回", browser.WaitFor("#status").Text);
        Assert.Equal("重新提交", browser.WaitFor("#submit").Text);
        browser.Script("window.scrollTo(0, 0)");
        browser.Screenshot("report-office");
        browser.WaitFor("#submit").Click();
        browser.WaitFor("#confirm-submit").Click();
        browser.WaitFor("#report-status[data-status=REPORT_STATUS_SUBMITTED]");
        var again = await Reporting(Xinbei).GetReportAsync(new GetReportRequest { UnitCode = Xinbei, Period = period });
        Assert.Equal(ReportStatus.Submitted, again.Status);
        Assert.Equal(submitted.Revision + 1, again.Revision);

        using var phone = Browser.Start(Browser.Screen.Phone);
        phone.SignIn(suite.Url, Clerk, DemoSuite.Password);
        phone.Open($"{suite.Url}/#/township/{Xinbei}/report/{month}");
        phone.WaitFor("#report-status");
        phone.Screenshot("report-phone");
    }

    private async Task<Period> UnreportedMonthAsync()
    {
        var today = Today;
        for (var month = new DateOnly(today.Year, today.Month, 1).AddMonths(-1); month.Year == today.Year; month = month.AddMonths(-1))
        {
            var period = new Period { Year = month.Year, Month = month.Month };
            try { await Reporting(Xinbei).GetReportAsync(new GetReportRequest { UnitCode = Xinbei, Period = period }); }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound) { return period; }
        }
        throw new InvalidOperationException("新陂乡 reported every month of the demo: no month left for a 补报");
    }
}
