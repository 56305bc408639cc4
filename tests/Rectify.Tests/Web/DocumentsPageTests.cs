using System.Text;
using OpenQA.Selenium;
using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Tests.Support;
using static Rectify.Tests.Documents.OrganizationDocuments;

namespace Rectify.Tests.Web;

/// <summary>
/// The documents page in a real browser, as xinbei.clerk (新陂乡 officer). It changes nothing another scenario reads:
/// the good file lists 新陂乡's village 下田村 under its own name, so the import finds it unchanged (no unit added or
/// renamed); the bad files are refused before anything is written.
/// </summary>
[Collection("web")]
public sealed class DocumentsPageTests(DemoSuite suite)
{
    private const string Xinbei = "360731203000";

    [Fact]
    public async Task A_clerk_downloads_a_template_sees_a_bad_files_problems_then_dry_runs_and_imports_a_good_one()
    {
        var folder = Directory.CreateTempSubdirectory("rectify-documents-").FullName;
        var template = (await TemplateAsync(suite.Host.Organizations(Xinbei, Role.Officer, "xinbei.clerk"), TemplateKind.Units, Xinbei)).Bytes;
        var duplicate = Path.Combine(folder, "重复的名单.xlsx");
        await File.WriteAllBytesAsync(duplicate, Fill(template, "单位名单", ["360731203201", "下田村", ""], ["360731203201", "下田新村", ""]), TestContext.Current.CancellationToken);
        var pdf = Path.Combine(folder, "扫描件.xlsx");
        await File.WriteAllBytesAsync(pdf, Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj\n"), TestContext.Current.CancellationToken);
        var good = Path.Combine(folder, "新陂乡单位名单.xlsx");
        await File.WriteAllBytesAsync(good, Fill(template, "单位名单", ["360731203201", "下田村", Xinbei]), TestContext.Current.CancellationToken);

        using var browser = Browser.Start();
        browser.SignIn(suite.Url, "xinbei.clerk", DemoSuite.Password);
        browser.Open($"{suite.Url}/#/documents/{Xinbei}");
        browser.WaitFor(".documents-page");
        Assert.Equal(6, browser.Driver.FindElements(By.CssSelector("[data-template]")).Count);
        Assert.Contains("往年整顿对象及结果", browser.WaitFor(".doc-templates").Text);
        browser.WaitFor("[data-template=units]").Click();
        browser.Until(d => d.FindElement(By.Id("download-status")) is { } status && status.Text.Contains("新陂乡-单位名单-模板.xlsx") ? status : null, what: "the download's name");

        var file = browser.Driver.FindElement(By.Id("import-file"));
        file.SendKeys(duplicate);
        browser.WaitFor("#dry-run").Click();
        var problems = browser.WaitFor(".doc-problems");
        Assert.Contains("与第2行的单位代码重复", problems.Text);
        Assert.Contains("单位名单", problems.Text);
        Assert.False(browser.Driver.FindElement(By.Id("apply")).Enabled);

        file.SendKeys(pdf);
        browser.Driver.FindElement(By.Id("dry-run")).Click();
        browser.Until(d => d.FindElement(By.Id("import-result")) is { } result && result.Text.Contains("这是PDF文件") ? result : null, what: "the PDF's reason");
        Assert.False(browser.Driver.FindElement(By.Id("apply")).Enabled);

        file.SendKeys(good);
        browser.Driver.FindElement(By.Id("dry-run")).Click();
        Assert.Contains("检查通过", browser.WaitFor("[data-clean]").Text);
        browser.Screenshot("documents-office");
        browser.Until(d => d.FindElement(By.Id("apply")) is { Enabled: true } apply ? apply : null, what: "正式导入 enabled");
        browser.Driver.FindElement(By.Id("apply")).Click();
        Assert.Contains("共1行：新增0，修改0，未变1。", browser.WaitFor("[data-applied]").Text);

        using var phone = Browser.Start(Browser.Screen.Phone);
        phone.SignIn(suite.Url, "xinbei.clerk", DemoSuite.Password);
        phone.Open($"{suite.Url}/#/documents/{Xinbei}");
        phone.WaitFor(".documents-page");
        phone.Driver.FindElement(By.Id("import-file")).SendKeys(duplicate);
        phone.WaitFor("#dry-run").Click();
        phone.WaitFor(".doc-problems");
        phone.Script("document.querySelector('#import-result').scrollIntoView({ block: 'end' })");
        phone.Screenshot("documents-phone");
    }

    [Fact]
    public void A_viewer_sees_the_downloads_only()
    {
        using var browser = Browser.Start();
        browser.SignIn(suite.Url, "county.viewer", DemoSuite.Password);
        browser.Open($"{suite.Url}/#/documents/360731000000");
        Assert.Contains("只能下载模板", browser.WaitFor(".documents-page").Text);
        Assert.Empty(browser.Driver.FindElements(By.Id("dry-run")));
    }
}
