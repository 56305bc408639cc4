using Rectify.Kernel;
using Rectify.Tests.Support;

namespace Rectify.Tests.Web;

/// <summary>
/// 导出台账 in a real browser: on a township's workbench and on the county's overview the button saves the unit's 台账
/// workbook under its Chinese name. Shared demo suite: exporting only reads (贡江镇 and the county).
/// </summary>
[Collection("web")]
public sealed class LedgerExportPageTests(DemoSuite suite)
{
    private const string County = "360731000000";
    private const string Gongjiang = "360731100000";

    [Theory]
    [InlineData("gongjiang.clerk", "township", Gongjiang, "贡江镇")]
    [InlineData("county.viewer", "overview", County, "于都县")]
    public void The_button_saves_the_units_ledger_under_its_name(string user, string page, string code, string unitName)
    {
        foreach (var screen in new[] { Browser.Screen.Office, Browser.Screen.Phone })
        {
            using var browser = Browser.Start(screen);
            var downloads = Directory.CreateTempSubdirectory("rectify-downloads-").FullName;
            try
            {
                // Chromium saves downloads here without asking (headless has no dialog).
                browser.Driver.ExecuteCdpCommand("Browser.setDownloadBehavior", new() { ["behavior"] = "allow", ["downloadPath"] = downloads });
                browser.SignIn(suite.Url, user, DemoSuite.Password);
                var today = suite.Host.Clock.Today();
                browser.Open(page == "township" ? $"{suite.Url}/#/township/{code}" : $"{suite.Url}/#/overview/{code}/{today:yyyy-MM}");
                var button = browser.WaitFor($"button.ledger-export[data-unit='{code}']");
                Assert.Equal("导出台账", button.Text);
                if (page == "township") browser.Screenshot($"ledger-export-{(screen == Browser.Screen.Office ? "office" : "phone")}");
                button.Click();

                var expected = $"{unitName}整顿台账-{today:yyyyMMdd}.xlsx";
                Assert.Contains($"已导出 {expected}", browser.WaitFor(".toast.ok").Text);
                var file = Path.Combine(downloads, expected);
                browser.Until(_ => File.Exists(file) && new FileInfo(file).Length > 0 ? file : null, what: $"{expected} saved");
                using var workbook = new ClosedXML.Excel.XLWorkbook(file);
                Assert.StartsWith($"{unitName}软弱涣散村党组织整顿台账（截至{today.Year}年{today.Month}月{today.Day}日）", workbook.Worksheet(1).Cell(1, 1).GetString());
            }
            finally
            {
                Directory.Delete(downloads, recursive: true);
            }
        }
    }
}
