using System.Text.Json;
using Rectify.Assessment.Acceptance;
using Rectify.Assessment.V1;
using Rectify.Kernel;
using Rectify.Measures.V1;
using Rectify.Notifications;
using Rectify.Notifications.V1;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Tests.Measures;
using Rectify.Tests.Support;
using static Rectify.Tests.Assessment.AssessmentFixture;

namespace Rectify.Tests.Notifications;

/// <summary>
/// Look-backs (回头看) chased like measures: a target transformed on 20 June has its first look-back due on 20 September;
/// the daily look-back scan reminds the township and the county 7, 3 and 1 days before and chases it the day after and
/// weekly until it is held, then the next one. Organizations, measures, assessment and notifications in one host.
/// </summary>
public abstract class LookBackChaseSpec(DbProvider provider) : IAsyncLifetime
{
    private TestHost _host = null!;
    private WebhookReceiver _receiver = null!;
    private AssessmentService.AssessmentServiceClient _county = null!;
    private Campaign _campaign = null!;
    private static readonly string Target = Village(T1, 1);

    public async ValueTask InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _host = await StartAsync(provider, new Dictionary<string, string?>
        {
            ["Rectify:Assessment:ScheduleLookBackScans"] = "false", ["Rectify:Notifications:ScheduleDigest"] = "false",
            ["Rectify:Notifications:BundleWindow"] = "00:00:00",
        }, [.. Modules(), new NotificationsModule()]);
        await ImportCountyAsync(_host);
        _county = _host.Assessment(County, Role.Reviewer);
        _campaign = await _county.CreateCampaignAsync(new CreateCampaignRequest { CountyCode = County, Year = 2027 });
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private RecordAcceptanceRequest Review(double score) => new()
    {
        CampaignId = _campaign.Id, VillageCode = Target, Votes = Votes(80, 15, 5), NewDeadline = MeasuresFixture.D(2027, 12, 30),
        Aspects = { new AspectScore { Aspect = "班子建设", Score = score } },
    };

    /// <summary>Designates the target, closes its plan's measures and accepts it on 20 June 2027.</summary>
    private async Task TransformAsync()
    {
        var weak = new RecordAssessmentRequest { Votes = Votes(20, 40, 40), Committee = Committee(40) };
        await AssessAllAsync(_host, _campaign.Id, new() { [Target] = weak });
        var proposals = await _county.ProposeTargetsAsync(new ProposeTargetsRequest { CampaignId = _campaign.Id });
        foreach (var p in proposals.Proposals)
            await _county.ReviewProposalAsync(new ReviewProposalRequest { CampaignId = _campaign.Id, VillageCode = p.Branch.VillageCode, Confirm = p.Branch.VillageCode == Target, Reason = "县委确定" });
        await _county.ConfirmTargetsAsync(new ConfirmTargetsRequest { CampaignId = _campaign.Id });
        var plan = await Poll.Until(() => MeasuresFixture.Measures(_host, T1).CreatePlanAsync(MeasuresFixture.SimplePlan(Target)).ResponseAsync);
        var village = MeasuresFixture.Measures(_host, Target);
        foreach (var id in plan.Problems.SelectMany(p => p.Measures).Select(m => m.Id))
        {
            await village.RecordProgressAsync(new RecordProgressRequest { MeasureId = id, Percent = 100 });
            await village.CompleteMeasureAsync(new CompleteMeasureRequest { MeasureId = id });
            await MeasuresFixture.Measures(_host, T1).CloseMeasureAsync(new CloseMeasureRequest { MeasureId = id, Verifier = "乡镇组织委员" });
        }
        MeasuresFixture.SetShanghai(_host, new DateTime(2027, 6, 20, 9, 0, 0));
        Assert.True((await _county.RecordAcceptanceAsync(Review(85))).Passed);
    }

    private async Task<LookBackScan.Result> ScanOn(DateOnly day)
    {
        MeasuresFixture.SetShanghai(_host, day.ToDateTime(new TimeOnly(6, 0)));
        return await _host.Get<LookBackScan>().RunAsync(CancellationToken.None);
    }

    private async Task<List<Notification>> InboxAsync(string unit, int count) =>
        await Poll.Until(async () =>
        {
            var found = (await _host.Notifications(unit).ListNotificationsAsync(new ListNotificationsRequest { UnitCode = unit })).Notifications
                .Where(n => n.Kind.StartsWith("look-back-")).OrderBy(n => n.CreatedAt.ToDateTimeOffset()).ToList();
            return found.Count >= count ? found : throw new InvalidOperationException($"{found.Count} of {count} filed for {unit}");
        });

    [Fact]
    public async Task Look_backs_due_soon_and_overdue_are_told_to_the_township_and_the_county_once_each_until_held()
    {
        await _host.Notifications(T1).AddContactAsync(new AddContactRequest { UnitCode = T1, Name = "乡镇系统", Kind = ChannelKind.Webhook, Url = _receiver.Url + "/township", Secret = "t" });
        await _host.Notifications(County).AddContactAsync(new AddContactRequest { UnitCode = County, Name = "县委组织部群", Kind = ChannelKind.Wecom, Url = _receiver.Url + "/robot/county" });
        await TransformAsync();

        var results = new List<(int, int)>();
        var told = 0;
        foreach (var (month, day) in new[] { (9, 12), (9, 13), (9, 14), (9, 17), (9, 17), (9, 19), (9, 20), (9, 21), (9, 22), (9, 28) })
        {
            var r = await ScanOn(new DateOnly(2027, month, day));
            results.Add((r.DueSoon, r.Overdue));
            // Days apart in life: each day's reminders are filed on their day before the clock moves on.
            told += r.DueSoon + r.Overdue;
            await InboxAsync(T1, told);
            await InboxAsync(County, told);
        }
        // 7, 3 and 1 days before; the day after; 8 days after. A second scan on one day, or a day between, tells nothing.
        Assert.Equal([(0, 0), (1, 0), (0, 0), (1, 0), (0, 0), (1, 0), (0, 0), (0, 1), (0, 0), (0, 1)], results);

        var township = await InboxAsync(T1, 5);
        var county = await InboxAsync(County, 5);
        // Filed as they are consumed, in any order: compare by content.
        Assert.Equal((3, 2), (township.Count(n => n.Kind == "look-back-due-soon"), township.Count(n => n.Kind == "look-back-overdue")));
        Assert.Equal(township.Select(n => n.Text).Order(), county.Select(n => n.Text).Order());
        Assert.Contains("【回头看提醒】第101镇1镇1村已于2027年6月20日通过验收（转化），第1次回头看应于2027年9月20日前开展（还有7天），请提前组织民主测评。", township.Select(n => n.Text));
        Assert.Single(township, n => n.Text.Contains("（还有3天）"));
        Assert.Single(township, n => n.Text.Contains("（还有1天）"));
        Assert.Single(township, n => n.Text.Contains("已逾期1天"));
        Assert.Contains("【回头看逾期】第101镇1镇1村于2027年6月20日通过验收（转化），第1次回头看应于2027年9月20日前开展，已逾期8天仍未开展，请尽快组织并录入结果。", township.Select(n => n.Text));

        List<WebhookReceiver.Received> Township() => [.. _receiver.Requests.Where(r => r.PathAndQuery == "/township" && r.Headers["X-Rectify-Event"].StartsWith("look-back-"))];
        List<WebhookReceiver.Received> CountyRobot() => [.. _receiver.Requests.Where(r => r.PathAndQuery == "/robot/county")];
        await Poll.Until(() => Task.FromResult(Township().Count == 5 && CountyRobot().Count == 5 ? true : throw new InvalidOperationException($"{Township().Count} and {CountyRobot().Count} of 5")));
        Assert.Contains(CountyRobot(), r => JsonDocument.Parse(r.Body).RootElement.GetProperty("text").GetProperty("content").GetString()!.StartsWith("【回头看逾期】第101镇1镇1村"));

        // Held (and passed) on 28 September: the chase moves to the second look-back, due 20 December.
        Assert.True((await _county.RecordLookBackAsync(Review(80))).Passed);
        Assert.Equal(new LookBackScan.Result(0, 0), await ScanOn(new DateOnly(2027, 10, 5)));
        Assert.Equal(new LookBackScan.Result(1, 0), await ScanOn(new DateOnly(2027, 12, 13)));
        var next = await InboxAsync(T1, 6);
        Assert.Single(next, n => n.Text.Contains("第2次回头看应于2027年12月20日前开展（还有7天）"));
    }

    [Fact]
    public async Task A_look_back_first_seen_after_its_date_is_chased_at_once_and_then_weekly()
    {
        await TransformAsync();
        // The first scan comes on 2 October: the 20 September look-back is 12 days overdue, told at once, once.
        Assert.Equal(new LookBackScan.Result(0, 1), await ScanOn(new DateOnly(2027, 10, 2)));
        Assert.Equal(new LookBackScan.Result(0, 0), await ScanOn(new DateOnly(2027, 10, 3)));
        Assert.Equal(new LookBackScan.Result(0, 1), await ScanOn(new DateOnly(2027, 10, 6))); // 16 days: the weekly day 15 was reached
        Assert.Equal(new LookBackScan.Result(0, 0), await ScanOn(new DateOnly(2027, 10, 7)));
        Assert.Equal(new LookBackScan.Result(0, 1), await ScanOn(new DateOnly(2027, 10, 13))); // 23 days: past the weekly day 22
        var township = await InboxAsync(T1, 3);
        Assert.Equal([12, 16, 23], township.Select(n => int.Parse(System.Text.RegularExpressions.Regex.Match(n.Text, @"已逾期(\d+)天").Groups[1].Value)).Order());
    }
}

public sealed class LookBackChaseOnSqlite() : LookBackChaseSpec(DbProvider.Sqlite);

public sealed class LookBackChaseOnPostgres() : LookBackChaseSpec(DbProvider.Postgres);
