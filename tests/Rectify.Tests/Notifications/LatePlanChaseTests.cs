using System.Text.Json;
using Rectify.Measures.V1;
using Rectify.Notifications;
using Rectify.Notifications.V1;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;
using static Rectify.Tests.Measures.MeasuresFixture;

namespace Rectify.Tests.Notifications;

/// <summary>
/// A plan entered after five of its deadlines passed, in one standalone host (measures + notifications, default bundle
/// window): one scan files five overdue notices in the township's inbox and sends the township ONE message listing
/// them, and the county one message listing the escalations.
/// </summary>
public abstract class LatePlanChaseSpec(DbProvider provider) : IAsyncLifetime
{
    private TestHost _host = null!;
    private WebhookReceiver _receiver = null!;

    public async ValueTask InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _host = await TestHost.StartAsync(provider, [new Rectify.Measures.MeasuresModule(), new NotificationsModule()],
            new Dictionary<string, string?> { ["Rectify:Measures:ScheduleScans"] = "false", ["Rectify:Notifications:ScheduleDigest"] = "false" });
        SetShanghai(_host, new DateTime(2027, 3, 1, 10, 0, 0));
        await DesignateAsync(_host, (TargetA1, "上坪村", "铁山垅镇"));
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private async Task<List<Notification>> InboxAsync(string unit, string kind, int count) =>
        await Poll.Until(async () =>
        {
            var found = (await _host.Notifications(unit).ListNotificationsAsync(new ListNotificationsRequest { UnitCode = unit, Kind = kind })).Notifications.ToList();
            return found.Count >= count ? found : throw new InvalidOperationException($"{found.Count} of {count} {kind} filed");
        });

    private List<WebhookReceiver.Received> Calls(string path, string kind) =>
        _receiver.Requests.Where(r => r.PathAndQuery == path && r.Headers["X-Rectify-Event"] == kind).ToList();

    [Fact]
    public async Task Overdue_occurrences_of_a_township_arriving_on_one_day_go_out_as_one_message_with_a_count_and_a_list()
    {
        await _host.Notifications(TownshipA).AddContactAsync(new AddContactRequest { UnitCode = TownshipA, Name = "乡镇系统", Kind = ChannelKind.Webhook, Url = _receiver.Url + "/township", Secret = "t" });
        await _host.Notifications(County).AddContactAsync(new AddContactRequest { UnitCode = County, Name = "县委组织部", Kind = ChannelKind.Webhook, Url = _receiver.Url + "/county", Secret = "c" });

        // Entered on the evening of 13 June: five deadlines 45, 35, 25, 14 and 8 days before the next morning's scan.
        SetShanghai(_host, new DateTime(2027, 6, 13, 20, 0, 0));
        var request = SimplePlan(TargetA1);
        request.Problems[0].Measures[0].Deadline = D(2027, 4, 30);
        request.Problems[0].Measures[1].Deadline = D(2027, 5, 10);
        request.Problems[1].Measures[0].Deadline = D(2027, 5, 20);
        request.Problems[1].Measures.Add(Measure("规范党员发展程序", new DateOnly(2027, 5, 31)));
        request.Problems[1].Measures.Add(Measure("建立村级议事制度", new DateOnly(2027, 6, 6)));
        await _host.Measures(TownshipA).CreatePlanAsync(request);

        SetShanghai(_host, new DateTime(2027, 6, 14, 7, 0, 0));
        var scan = await _host.Measures(County).RunDeadlineScanAsync(new RunDeadlineScanRequest());
        Assert.Equal((5, 2), (scan.Overdue, scan.Escalated));

        // Each measure in the inbox on its own, in full; nothing sent before the bundle window has passed.
        var inbox = await InboxAsync(TownshipA, "measure-overdue", 5);
        Assert.Equal(5, inbox.Count);
        Assert.All(inbox, n => Assert.StartsWith("【逾期提醒】上坪村整改措施「", n.Text));
        Assert.Equal(2, (await InboxAsync(County, "measure-escalated", 2)).Count);
        await NotificationsSpec.SettledAsync(_host);
        Assert.Empty(Calls("/township", "measure-overdue"));

        SetShanghai(_host, new DateTime(2027, 6, 14, 7, 6, 0));
        await Poll.UntilCount(() => Calls("/township", "measure-overdue").Count + Calls("/county", "measure-escalated").Count, 2, "bundled calls to the township and the county");
        await NotificationsSpec.SettledAsync(_host);
        var township = Calls("/township", "measure-overdue").Single();
        using var body = JsonDocument.Parse(township.Body);
        var text = body.RootElement.GetProperty("text").GetString()!;
        Assert.StartsWith("【逾期提醒】今日新增逾期措施 5 项：\n", text);
        Assert.Contains("\n上坪村「入股合作社发展产业」完成时限2027年4月30日，已逾期45天，责任人：刘文华、陈建国\n", System.Text.RegularExpressions.Regex.Replace(text, @"\n\d\. ", "\n"));
        foreach (var days in new[] { 45, 35, 25, 14, 8 }) Assert.Contains($"已逾期{days}天", text);
        Assert.Equal(5, body.RootElement.GetProperty("count").GetInt32());
        Assert.Equal(5, body.RootElement.GetProperty("items").GetArrayLength());
        var county = JsonDocument.Parse(Calls("/county", "measure-escalated").Single().Body).RootElement.GetProperty("text").GetString()!;
        Assert.StartsWith("【逾期升级】今日新增逾期升级督办措施 2 项：", county);

        // Every delivery is recorded sent, once, with the batch it went in (recorded after the receiver had the call: waited for).
        var deliveries = await Poll.Until(async () =>
        {
            var recorded = (await _host.Notifications(TownshipA).ListDeliveriesAsync(new ListDeliveriesRequest { UnitCode = TownshipA })).Deliveries
                .Where(d => inbox.Any(n => n.Id == d.NotificationId)).ToList();
            return recorded.All(d => d.Status == DeliveryStatus.Sent) ? recorded : throw new InvalidOperationException("not all recorded yet");
        });
        Assert.Equal(5, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal((DeliveryStatus.Sent, 1), (d.Status, d.History.Count)));
        Assert.Single(deliveries.Select(d => d.BatchId).Distinct());
        Assert.Equal(township.Headers["X-Rectify-Delivery"], deliveries[0].BatchId);

        // A second scan the same day tells nothing again. The next day's two go together; a day with one sends it alone, in full.
        Assert.Equal(0, (await _host.Measures(County).RunDeadlineScanAsync(new RunDeadlineScanRequest())).Overdue);
        SetShanghai(_host, new DateTime(2027, 6, 15, 7, 0, 0));
        Assert.Equal(2, (await _host.Measures(County).RunDeadlineScanAsync(new RunDeadlineScanRequest())).Overdue); // 36 and 15 days
        await InboxAsync(TownshipA, "measure-overdue", 7);
        SetShanghai(_host, new DateTime(2027, 6, 15, 7, 6, 0));
        await Poll.Until(() => Task.FromResult(Calls("/township", "measure-overdue").Count == 2 ? true : throw new InvalidOperationException()));
        Assert.StartsWith("【逾期提醒】今日新增逾期措施 2 项：", JsonDocument.Parse(Calls("/township", "measure-overdue").Last().Body).RootElement.GetProperty("text").GetString());

        SetShanghai(_host, new DateTime(2027, 6, 18, 7, 0, 0));
        var alone = await _host.Measures(County).RunDeadlineScanAsync(new RunDeadlineScanRequest());
        Assert.Equal((1, 0), (alone.Overdue, alone.Escalated)); // 20 May: 29 days
        await InboxAsync(TownshipA, "measure-overdue", 8);
        SetShanghai(_host, new DateTime(2027, 6, 18, 7, 6, 0));
        await Poll.Until(() => Task.FromResult(Calls("/township", "measure-overdue").Count == 3 ? true : throw new InvalidOperationException()));
        Assert.Equal("【逾期提醒】上坪村整改措施「落实三会一课」完成时限为2027年5月20日，已逾期29天，整改责任人：刘文华。请督促整改并及时销号。",
            JsonDocument.Parse(Calls("/township", "measure-overdue").Last().Body).RootElement.GetProperty("text").GetString());
        await NotificationsSpec.SettledAsync(_host);
        Assert.Single(Calls("/county", "measure-escalated"));
    }
}

public sealed class LatePlanChaseOnSqlite() : LatePlanChaseSpec(DbProvider.Sqlite);

public sealed class LatePlanChaseOnPostgres() : LatePlanChaseSpec(DbProvider.Postgres);
