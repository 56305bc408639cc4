using DocumentFormat.OpenXml.Packaging;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Tests.Support;

namespace Rectify.Tests.Web;

/// <summary>
/// The Word documents from the pages: the review page's 下载通报 saves the county's 通报 for the month shown. Shared demo
/// suite: it only reads (于都县's last month, 贡江镇's report of that month and 马坑村's plan).
/// </summary>
[Collection("web")]
public sealed class DocumentDownloadTests(DemoSuite suite)
{
    [Fact]
    public void The_review_page_downloads_the_countys_bulletin_for_the_month_shown()
    {
        var month = Month.Of(suite.Host.Clock.Today()).Previous;
        var folder = Directory.CreateTempSubdirectory("rectify-downloads-").FullName;
        try
        {
            using var browser = Browser.Start();
            browser.Driver.ExecuteCdpCommand("Browser.setDownloadBehavior", new() { ["behavior"] = "allow", ["downloadPath"] = folder });
            browser.SignIn(suite.Url, "county.reviewer", DemoSuite.Password);
            browser.Open($"{suite.Url}/#/review/360731000000/{month.Year}-{month.Number:D2}");
            var button = browser.WaitFor("#download-bulletin");
            Assert.Equal("下载通报", button.Text);
            browser.Screenshot("review-bulletin-office");
            button.Click();
            var name = browser.Until(d => d.FindElement(OpenQA.Selenium.By.Id("download-bulletin")).GetAttribute("data-downloaded"), TimeSpan.FromSeconds(60), "the bulletin's download");
            Assert.StartsWith("于都县", name);
            Assert.EndsWith(".docx", name);
            // The file itself, whole: Chromium writes .crdownload first and renames it when done.
            var path = Path.Combine(folder, name!);
            browser.Until(_ => File.Exists(path) ? path : null, TimeSpan.FromSeconds(30), "the saved file");
            using var word = WordprocessingDocument.Open(path, false);
            Assert.Equal($"关于{month.Year}年{month.Number}月于都县软弱涣散村党组织整顿工作进展情况的通报", word.PackageProperties.Title);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void The_township_finds_its_report_and_its_villages_plan_to_download_on_a_phone()
    {
        var today = suite.Host.Clock.Today();
        var month = Month.Of(today).Previous;
        using var browser = Browser.Start(Browser.Screen.Phone);
        browser.SignIn(suite.Url, "gongjiang.clerk", DemoSuite.Password);
        browser.Open($"{suite.Url}/#/township/360731100000/report/{month.Year}-{month.Number:D2}");
        Assert.Equal("下载月报", browser.WaitFor("#download-report").Text);
        browser.Screenshot("report-download-phone");
        browser.Open($"{suite.Url}/#/target/360731100205-{Rectify.Platform.Demo.DemoClock.CampaignYear(today)}");
        Assert.Equal("下载整顿方案", browser.WaitFor("#download-plan").Text);
        // 马坑村 was designated outright for its vacant secretary: the page names the finding, never its code.
        var why = browser.WaitFor("#why").Text;
        Assert.Contains("书记空缺3个月以上", why);
        Assert.DoesNotContain("SECRETARY_VACANT", why);
        browser.Screenshot("target-download-phone");
    }
}
