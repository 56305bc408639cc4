using OpenQA.Selenium;
using Rectify.Assessment.V1;
using Rectify.Kernel;
using Rectify.Measures.V1;
using Rectify.Platform.Demo;
using Rectify.Tests.Support;

namespace Rectify.Tests.Web;

/// <summary>
/// The target page in a real browser, on 新石陂村 (360731201201, 小溪乡), a demo target no other scenario changes; this
/// scenario only reads it (the acceptance form is shown and tried with ballots the service refuses, so nothing is recorded).
/// </summary>
[Collection("web")]
public sealed class TargetPageTests(DemoSuite suite)
{
    private const string Village = "360731201201";

    [Fact]
    public async Task A_target_shows_its_plan_and_every_measure_and_only_a_reviewer_is_offered_the_acceptance()
    {
        var year = DemoClock.CampaignYear(suite.Host.Clock.Today());
        var ledger = await new MeasureService.MeasureServiceClient(suite.Host.As(Village, Role.Viewer))
            .ListMeasuresAsync(new ListMeasuresRequest { ScopeCode = Village, CampaignYear = year, Page = new() { PageSize = 500 } });
        Assert.True(ledger.TotalSize > 0);

        foreach (var screen in new[] { Browser.Screen.Office, Browser.Screen.Phone })
        {
            using var browser = Browser.Start(screen);
            browser.SignIn(suite.Url, "county.reviewer", DemoSuite.Password);
            browser.Open($"{suite.Url}/#/target/{Village}-{year}");
            browser.WaitFor("#measures");
            Assert.Contains("新石陂村", browser.WaitFor("h1.target-title").Text);
            Assert.Contains("排序", browser.WaitFor("#why").Text);
            Assert.NotEmpty(browser.Driver.FindElements(By.CssSelector("#plan table.phases tbody tr")));
            var links = browser.Driver.FindElements(By.CssSelector("#measures a.measure-link"));
            Assert.Equal(ledger.TotalSize, links.Count);
            Assert.Equal(ledger.Measures.Select(m => $"#/measure/{m.Id}").Order(), links.Select(a => a.GetDomAttribute("href")).Order());
            browser.WaitFor("#acceptance-form");
            browser.Screenshot(screen == Browser.Screen.Office ? "target-office" : "target-phone");
            if (screen == Browser.Screen.Phone) continue;

            // Ballots that do not add up: the service refuses them, the page shows its reason beside the votes, nothing is recorded.
            foreach (var (name, value) in new[] { ("aspect0", "80"), ("aspect1", "80"), ("aspect2", "80"), ("satisfied", "10"), ("basicallySatisfied", "5"), ("dissatisfied", "1"), ("ballots", "30") })
                browser.WaitFor($"#acceptance-form input[name={name}]").SendKeys(value);
            browser.Script("document.querySelector('#acceptance-form input[name=newDeadline]').value = arguments[0]",
                suite.Host.Clock.Today().AddDays(30).ToString("yyyy-MM-dd"));
            browser.WaitFor("#record-acceptance").Click();
            Assert.Contains("30", browser.WaitFor("#acceptance-form [data-field='votes'] + .field-error").Text);
            Assert.Contains("填写有误", browser.WaitFor("#acceptance-form p.field-error").Text);
        }
        var target = (await new AssessmentService.AssessmentServiceClient(suite.Host.As(Village, Role.Viewer))
            .ListCampaignsAsync(new ListCampaignsRequest { CountyCode = "360731000000" })).Campaigns.Single(c => c.Year == year);
        var targets = await new AssessmentService.AssessmentServiceClient(suite.Host.As(Village, Role.Viewer)).ListTargetsAsync(new ListTargetsRequest { CampaignId = target.Id });
        Assert.Empty(targets.Targets.Single(t => t.Branch.VillageCode == Village).Reviews);

        using var viewer = Browser.Start();
        viewer.SignIn(suite.Url, "county.viewer", DemoSuite.Password);
        viewer.Open($"{suite.Url}/#/target/{Village}-{year}");
        viewer.WaitFor("#measures");
        Assert.Equal(ledger.TotalSize, viewer.Driver.FindElements(By.CssSelector("#measures a.measure-link")).Count);
        viewer.WaitFor("#acceptance");
        Assert.Empty(viewer.Driver.FindElements(By.CssSelector("#acceptance-form, a.edit-plan")));

        // A township officer reads its own target (下田村, 新陂乡: only read here) and is offered the plan editor, not the acceptance.
        using var clerk = Browser.Start();
        clerk.SignIn(suite.Url, "xinbei.clerk", DemoSuite.Password);
        clerk.Open($"{suite.Url}/#/target/360731203201-{year}");
        clerk.WaitFor("#measures");
        Assert.Equal($"#/plan/360731203201-{year}", clerk.WaitFor("#plan a.edit-plan").GetDomAttribute("href"));
        Assert.Empty(clerk.Driver.FindElements(By.CssSelector("#acceptance-form")));
    }
}
