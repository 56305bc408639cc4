using Grpc.Core;
using OpenQA.Selenium;
using Rectify.Kernel;
using Rectify.Measures.V1;
using Rectify.Notifications.V1;
using Rectify.Platform.Demo;
using Rectify.Tests.Measures;
using Rectify.Tests.Support;
using SixLabors.ImageSharp;

namespace Rectify.Tests.Web;

/// <summary>
/// The village's phone page, photos as evidence and the inbox in a real browser. Data touched: only 禾坑村 (360731203210,
/// hekeng.branch), whose target the demo leaves without a plan — the scenario writes one for it as 新陂乡 — and, in the
/// inbox scenario, one of 贡江镇's reminders marked read.
/// </summary>
[Collection("web")]
public sealed class VillagePageTests(DemoSuite suite)
{
    private const string Village = "360731203210";
    private const string Township = "360731203000";

    /// <summary>禾坑村's plan (written once per suite as 新陂乡 would): two measures to the campaign's end.</summary>
    private async Task<Plan> PlanAsync()
    {
        var township = new MeasureService.MeasureServiceClient(suite.Host.As(Township, Role.Officer, "新陂乡党建办"));
        var year = DemoClock.CampaignYear(suite.Host.Clock.Today());
        try
        {
            return await township.GetPlanAsync(new GetPlanRequest { VillageYear = new VillageYear { VillageCode = Village, CampaignYear = year } });
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            MeasureInput Measure(string text) => new() { Description = text, ResponsiblePersons = { "钟海林" }, Deadline = new DateOnly(year, 12, 31).ToProto() };
            return await township.CreatePlanAsync(new CreatePlanRequest
            {
                VillageCode = Village, CampaignYear = year, StartsOn = new DateOnly(year, 3, 1).ToProto(),
                BasicSituation = "禾坑村隶属新陂乡，村部活动场所破旧，村务公开不规范。", Goals = { "建强村党组织班子" },
                Phases = { new Phase { Name = "集中整顿", EndsOn = new DateOnly(year, 9, 30).ToProto() }, new Phase { Name = "巩固提高", EndsOn = new DateOnly(year, 10, 31).ToProto() } },
                Problems = { new ProblemInput { CategoryCode = "MASS_CONTACT", Description = "村部活动场所破旧，群众议事无处去", Measures = { Measure("整修村部党群服务中心"), Measure("规范村务公开栏，按月公开") } } },
            });
        }
    }

    private static string PhotoFile(int width, int height, int seed)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("rectify-photo-").FullName, $"IMG_{seed:0000}.jpg");
        File.WriteAllBytes(path, TestPhotos.Jpeg(width, height, seed));
        return path;
    }

    [Fact]
    public async Task The_village_reports_progress_and_completion_with_photos_on_a_phone_and_sees_the_township_close_it()
    {
        var plan = await PlanAsync();
        var measure = plan.Problems[0].Measures[0];
        using var phone = Browser.Start(Browser.Screen.Phone);
        phone.SignIn(suite.Url, "hekeng.branch", DemoSuite.Password);
        Assert.Contains($"#/village/{Village}", phone.Driver.Url);
        phone.WaitFor($"[data-measure='{measure.Id}']");
        Assert.Contains("整修村部党群服务中心", phone.WaitFor(".village-measures").Text);
        Assert.Equal("false", phone.WaitFor(".village-page").GetAttribute("data-readonly"));
        phone.Screenshot("village-phone");

        // Progress with a photo from the "camera" (a file chooser in a headless browser).
        phone.WaitFor($"[data-measure='{measure.Id}'] summary").Click();
        var progress = phone.WaitFor($"[data-measure='{measure.Id}'] form[data-form=progress]");
        var percent = progress.FindElement(By.Name("percent"));
        percent.Clear();
        percent.SendKeys("60");
        progress.FindElement(By.Name("note")).SendKeys("主体已完工，正在粉刷");
        progress.FindElement(By.CssSelector("input[type=file]")).SendKeys(PhotoFile(1600, 1200, seed: 21));
        progress.FindElement(By.CssSelector("button[type=submit]")).Click();
        phone.Until(d => d.FindElements(By.CssSelector($"[data-measure='{measure.Id}'] [data-status=MEASURE_STATUS_IN_PROGRESS]")).FirstOrDefault(), TimeSpan.FromSeconds(60), "推进中 after progress");

        // Completion with a photo larger than 2560 px, shrunk on the phone before it is sent.
        phone.WaitFor($"[data-measure='{measure.Id}'] summary").Click();
        var complete = phone.WaitFor($"[data-measure='{measure.Id}'] form[data-form=complete]");
        complete.FindElement(By.Name("note")).SendKeys("已整修完毕，投入使用");
        complete.FindElement(By.CssSelector("input[type=file]")).SendKeys(PhotoFile(3200, 2400, seed: 22));
        phone.Screenshot("village-phone-complete");
        complete.FindElement(By.CssSelector("button[type=submit]")).Click();
        var status = phone.Until(d => d.FindElements(By.CssSelector($"[data-measure='{measure.Id}'] [data-status=MEASURE_STATUS_COMPLETED]")).FirstOrDefault(), TimeSpan.FromSeconds(90), "已完成待销号 after completion");
        Assert.Equal("已完成待销号", status.Text);

        // Over gRPC: two photos with their thumbnails; the big one arrived at 2560 px; the history names them.
        var village = new MeasureService.MeasureServiceClient(suite.Host.As(Village, Role.Officer, "hekeng.branch"));
        var photos = (await village.ListEvidenceAsync(new ListEvidenceRequest { MeasureId = measure.Id })).Evidence;
        Assert.Equal([(1600, 1200), (2560, 1920)], photos.Select(p => (p.Width, p.Height)));
        foreach (var photo in photos)
        {
            var thumb = await village.GetEvidenceContentAsync(new GetEvidenceContentRequest { EvidenceId = photo.EvidenceId, Thumbnail = true });
            using var image = Image.Load(thumb.Data.ToByteArray());
            Assert.Equal((320, 240), (image.Width, image.Height));
        }
        var history = (await village.GetMeasureAsync(new GetMeasureRequest { MeasureId = measure.Id })).History;
        Assert.Equal([photos[0].EvidenceId], history.Single(h => h.Kind == MeasureChangeKind.Progressed).Evidence);
        Assert.Equal([photos[1].EvidenceId], history.Single(h => h.Kind == MeasureChangeKind.Completed).Evidence);

        // The township verifies it on its measure page, with the village's photos in front of it, and closes it (销号).
        using (var office = Browser.Start())
        {
            office.SignIn(suite.Url, "xinbei.clerk", DemoSuite.Password);
            office.Open($"{suite.Url}/#/measure/{measure.Id}");
            office.Until(d => d.FindElements(By.CssSelector("#photos img.evidence-thumb")).Count(i => (i.GetAttribute("src") ?? "").StartsWith("blob:")) == 2 ? "loaded" : null,
                what: "the village's two photos on the township's measure page");
            office.Screenshot("measure-photos-office");
            var close = office.WaitFor("#close");
            close.FindElement(By.Name("note")).SendKeys("现场核验属实");
            close.FindElement(By.CssSelector("button[type=submit]")).Click();
            office.WaitFor("#measure[data-status=MEASURE_STATUS_CLOSED]");
        }
        Assert.Equal(MeasureStatus.Closed, (await village.GetMeasureAsync(new GetMeasureRequest { MeasureId = measure.Id })).Measure.Status);
        phone.Driver.Navigate().Refresh();
        Assert.Equal("已销号", phone.WaitFor($"[data-measure='{measure.Id}'] [data-status=MEASURE_STATUS_CLOSED]").Text);
        // The photos show as thumbnails in the measure's panel.
        phone.WaitFor($"[data-measure='{measure.Id}'] summary").Click();
        phone.Until(d => d.FindElements(By.CssSelector($"[data-measure='{measure.Id}'] img.evidence-thumb")).Count(i => (i.GetAttribute("src") ?? "").StartsWith("blob:")) == 2 ? "loaded" : null,
            what: "two thumbnails loaded");
        Assert.Empty(phone.Driver.FindElements(By.CssSelector($"[data-measure='{measure.Id}'] form")));
        phone.Screenshot("village-phone-closed");
    }

    [Fact]
    public async Task The_township_sees_its_villages_page_read_only()
    {
        var plan = await PlanAsync();
        using var office = Browser.Start(Browser.Screen.Office);
        office.SignIn(suite.Url, "xinbei.clerk", DemoSuite.Password);
        office.Open($"{suite.Url}/#/village/{Village}");
        Assert.Equal("true", office.WaitFor(".village-page").GetAttribute("data-readonly"));
        var second = plan.Problems[0].Measures[1];
        office.WaitFor($"[data-measure='{second.Id}'] summary").Click();
        office.WaitFor($"[data-measure='{second.Id}'] .evidence-gallery");
        Assert.Empty(office.Driver.FindElements(By.CssSelector(".village-page form")));
        office.Screenshot("village-office");
    }

    [Fact]
    public async Task A_sibling_township_opening_the_village_by_address_is_told_it_may_not_and_sees_none_of_its_data()
    {
        var plan = await PlanAsync();
        using var office = Browser.Start(Browser.Screen.Office);
        office.SignIn(suite.Url, "gongjiang.clerk", DemoSuite.Password);
        office.Open($"{suite.Url}/#/village/{Village}");
        Assert.Contains("无权查看", office.WaitFor("[data-problem=denied]").Text);
        var page = (string)office.Script("return document.body.innerText;")!;
        Assert.DoesNotContain("禾坑村", page);
        foreach (var m in plan.Problems.SelectMany(p => p.Measures)) Assert.DoesNotContain(m.Description, page);
        // The JSON call behind the page, made with the same signed-in token, answers 403.
        var status = office.Driver.ExecuteAsyncScript("""
            const done = arguments[arguments.length - 1];
            const token = JSON.parse(sessionStorage.getItem("rectify.session")).accessToken;
            fetch("/v1/measures/ListMeasures", { method: "POST", headers: { "Content-Type": "application/json", Authorization: "Bearer " + token }, body: JSON.stringify({ scopeCode: arguments[0] }) })
              .then(r => done(r.status), () => done(-1));
            """, Village);
        Assert.Equal(403L, status);
    }

    [Fact]
    public async Task The_inbox_lists_the_units_notifications_unread_first_and_marks_one_read()
    {
        // 贡江镇's villages have overdue measures: the demo's first start files reminders in its inbox.
        const string Gongjiang = "360731100000";
        var inbox = new NotificationService.NotificationServiceClient(suite.Host.As(Gongjiang, Role.Viewer, "inbox-test"));
        var listed = await Poll.Until(async () =>
        {
            var list = await inbox.ListNotificationsAsync(new ListNotificationsRequest { UnitCode = Gongjiang, Page = new Rectify.Common.V1.PageRequest { PageSize = 200 } });
            return list.Notifications.Count > 0 ? list : throw new InvalidOperationException("no notification yet");
        }, "贡江镇's demo reminders");

        using var phone = Browser.Start(Browser.Screen.Phone);
        phone.SignIn(suite.Url, "gongjiang.clerk", DemoSuite.Password);
        phone.Open($"{suite.Url}/#/inbox");
        phone.WaitFor(".inbox-list");
        var items = phone.Driver.FindElements(By.CssSelector(".inbox-item"));
        Assert.Equal(listed.Notifications.Count, items.Count);
        Assert.Contains(listed.Notifications[0].Title, phone.WaitFor(".inbox-list").Text);
        phone.Screenshot("inbox-phone");

        var first = phone.WaitFor(".inbox-item.unread");
        var id = first.GetAttribute("data-notification")!;
        first.FindElement(By.XPath(".//button[text()='标为已读']")).Click();
        phone.Until(d => d.FindElements(By.CssSelector($".inbox-item.read[data-notification='{id}']")).FirstOrDefault(), what: "the notification shown read");
        // Unread ones stay on top.
        var classes = phone.Driver.FindElements(By.CssSelector(".inbox-item")).Select(e => e.GetAttribute("class")!.Contains("unread")).ToList();
        Assert.Equal(classes.OrderByDescending(u => u), classes);
        var after = await inbox.ListNotificationsAsync(new ListNotificationsRequest { UnitCode = Gongjiang, Page = new Rectify.Common.V1.PageRequest { PageSize = 200 } });
        Assert.NotNull(after.Notifications.Single(n => n.Id == id).ReadAt);
    }
}
