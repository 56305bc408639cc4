using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using Grpc.Core;
using MassTransit;
using Rectify.Events.Measures;
using Rectify.Events.Reporting;
using Rectify.Kernel;
using Rectify.Notifications;
using Rectify.Notifications.V1;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;
using static Rectify.Tests.Measures.MeasuresFixture;

namespace Rectify.Tests.Notifications;

/// <summary>Occurrence events turned into inbox notifications and deliveries to a real HTTP receiver on 127.0.0.1.</summary>
public abstract class NotificationsSpec(DbProvider provider) : IAsyncLifetime
{
    protected TestHost Host = null!;
    protected WebhookReceiver Receiver = null!;
    private NotificationService.NotificationServiceClient _township = null!;
    private NotificationService.NotificationServiceClient _county = null!;
    private const string Secret = "township-webhook-secret";

    public async ValueTask InitializeAsync()
    {
        Receiver = await WebhookReceiver.StartAsync();
        Host = await StartHostAsync(provider);
        _township = Host.Notifications(TownshipA, "铁山垅镇党建办");
        _county = Host.Notifications(County, "县委组织部");
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Receiver.DisposeAsync();
    }

    internal static async Task<TestHost> StartHostAsync(DbProvider provider, TestStorage? storage = null, bool send = true, IDictionary<string, string?>? more = null)
    {
        // One occurrence at a time here: bundles are shown in LatePlanChaseSpec with the default window.
        var settings = new Dictionary<string, string?>
        {
            ["Rectify:Notifications:SendDeliveries"] = send ? "true" : "false", ["Rectify:Notifications:ScheduleDigest"] = "false",
            ["Rectify:Notifications:BundleWindow"] = "00:00:00",
        };
        foreach (var (k, v) in more ?? new Dictionary<string, string?>()) settings[k] = v;
        var host = await TestHost.StartAsync(provider, [new NotificationsModule()], settings, storage: storage);
        SetShanghai(host, new DateTime(2027, 5, 1, 9, 0, 0));
        return host;
    }

    internal static MeasureOverdue Overdue(string measureId = "m-1", int days = 1) => new(
        new MeasureSnapshot(measureId, "plan-1", TargetA1, "上坪村", 2027, "COLLECTIVE_ECONOMY", "整修通组产业路430米", ["陈建国", "李春生"], new DateOnly(2027, 4, 30), false, MeasureStatus.InProgress),
        days, new DateOnly(2027, 5, 1), $"overdue:{measureId}:20270430:{days}", DateTimeOffset.UtcNow);

    private Task PublishAsync(object message) => Host.PublishAsync(message);

    private static Task<ListNotificationsResponse> InboxAsync(NotificationService.NotificationServiceClient client, string unit, int atLeast) =>
        Poll.Until(async () =>
        {
            var inbox = await client.ListNotificationsAsync(new ListNotificationsRequest { UnitCode = unit });
            return inbox.Notifications.Count >= atLeast ? inbox : throw new InvalidOperationException($"{inbox.Notifications.Count} of {atLeast} in the inbox");
        }, $"{atLeast} notifications in {unit}'s inbox");

    private static readonly int[] Waiting = [(int)DeliveryStatus.Pending, (int)DeliveryStatus.Held];

    /// <summary>
    /// Waits until nothing more will happen on its own: the host has settled (events consumed) and the delivery worker
    /// has dealt with every delivery due now on the host's clock (one being sent stays due until its answer is recorded).
    /// A test then asserts that something was NOT sent; a delivery wrongly due would have gone out by now.
    /// </summary>
    internal static async Task SettledAsync(TestHost host)
    {
        await host.SettledAsync();
        var database = host.Get<Database<NotificationsModule>>();
        await Poll.UntilCount(() => database.ReadAsync(c => c.ExecuteScalarAsync<int>(
                $"SELECT COUNT(*) FROM deliveries WHERE {database.Sql.InList("status", "@waiting")} AND next_attempt_at <= @now",
                new { waiting = Waiting, now = host.Clock.GetUtcNow().UtcDateTime })),
            0, "deliveries due now");
    }

    private async Task<string> Snapshot() => await Host.Get<Database<NotificationsModule>>().ReadAsync(async c =>
    {
        var parts = new List<string>();
        foreach (var table in new[] { "contacts", "notifications", "deliveries" }) parts.Add($"{table}={await c.ExecuteScalarAsync<int>($"SELECT COUNT(*) FROM {table}")}");
        return string.Join(" ", parts);
    });

    [Fact]
    public async Task An_overdue_measure_reaches_the_townships_inbox_and_its_webhook_signed_in_Chinese()
    {
        await _township.AddContactAsync(new AddContactRequest { UnitCode = TownshipA, Name = "乡镇党建办系统", Kind = ChannelKind.Webhook, Url = Receiver.Url + "/hook", Secret = Secret });
        await PublishAsync(Overdue(days: 8));
        var request = (await Receiver.WaitForAsync(1)).Single();

        Assert.Equal("/hook", request.PathAndQuery);
        Assert.Equal("measure-overdue", request.Headers["X-Rectify-Event"]);
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes($"{request.Headers["X-Rectify-Timestamp"]}.{request.Body}")));
        Assert.Equal(expected, request.Headers["X-Rectify-Signature"]);
        using var body = JsonDocument.Parse(request.Body);
        var text = body.RootElement.GetProperty("text").GetString()!;
        Assert.Equal("【逾期提醒】上坪村整改措施「整修通组产业路430米」完成时限为2027年4月30日，已逾期8天，整改责任人：陈建国、李春生。请督促整改并及时销号。", text);
        Assert.Equal(TownshipA, body.RootElement.GetProperty("unitCode").GetString());

        var inbox = await InboxAsync(_township, TownshipA, 1);
        Assert.Equal((1, text, "measure-overdue"), (inbox.Unread, inbox.Notifications.Single().Text, inbox.Notifications.Single().Kind));
        // The answer is recorded after the receiver has the call: wait for the record.
        var delivery = await Poll.Until(async () => (await _township.ListDeliveriesAsync(new ListDeliveriesRequest { UnitCode = TownshipA })).Deliveries.Single(d => d.Status == DeliveryStatus.Sent));
        Assert.Equal((1, 200), (delivery.Attempts, delivery.History.Single().StatusCode));
    }

    [Fact]
    public async Task WeCom_and_DingTalk_robots_get_their_formats_and_DingTalk_a_signed_url()
    {
        await _county.AddContactAsync(new AddContactRequest { UnitCode = County, Name = "县委组织部企业微信群", Kind = ChannelKind.Wecom, Url = Receiver.Url + "/robot/wecom?key=abc" });
        await _county.AddContactAsync(new AddContactRequest { UnitCode = County, Name = "县委组织部钉钉群", Kind = ChannelKind.Dingtalk, Url = Receiver.Url + "/robot/ding?access_token=t", Secret = "SECdingsecret" });
        var overdue = Overdue(days: 30);
        await PublishAsync(new MeasureEscalated(overdue.Measure, 30, County, overdue.ScanDate, "escalated:m-1:20270430", DateTimeOffset.UtcNow));
        var requests = await Receiver.WaitForAsync(2);
        Assert.Equal(2, requests.Count);
        foreach (var r in requests)
        {
            using var json = JsonDocument.Parse(r.Body);
            Assert.Equal("text", json.RootElement.GetProperty("msgtype").GetString());
            Assert.StartsWith("【逾期升级】上坪村", json.RootElement.GetProperty("text").GetProperty("content").GetString());
        }
        var ding = requests.Single(r => r.PathAndQuery.StartsWith("/robot/ding"));
        var query = System.Web.HttpUtility.ParseQueryString(new Uri("http://x" + ding.PathAndQuery).Query);
        var sign = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes("SECdingsecret"), Encoding.UTF8.GetBytes($"{query["timestamp"]}\nSECdingsecret")));
        Assert.Equal((sign, "t"), (query["sign"], query["access_token"]));
    }

    [Fact]
    public async Task A_duplicate_event_is_told_once()
    {
        await _township.AddContactAsync(new AddContactRequest { UnitCode = TownshipA, Name = "系统", Kind = ChannelKind.Webhook, Url = Receiver.Url + "/hook", Secret = Secret });
        await PublishAsync(Overdue());
        await PublishAsync(Overdue());   // the same occurrence, published twice with different message ids
        await Receiver.WaitForAsync(1);
        await SettledAsync(Host);
        Assert.Single(Receiver.Requests);
        Assert.Single((await InboxAsync(_township, TownshipA, 1)).Notifications);
    }

    /// <summary>
    /// A scan's burst goes to the batch consumer (many events per transaction): published all at once, with every
    /// tenth occurrence published again under a new message id and every seventh message delivered twice under its own
    /// id, each occurrence is filed and sent once and each message recorded once.
    /// </summary>
    [Fact]
    public async Task A_burst_of_overdue_events_is_filed_in_batches_each_occurrence_once()
    {
        await _township.AddContactAsync(new AddContactRequest { UnitCode = TownshipA, Name = "系统", Kind = ChannelKind.Webhook, Url = Receiver.Url + "/hook", Secret = Secret });
        var events = Enumerable.Range(0, 120).Select(i => Overdue($"m-burst-{i}")).ToList();
        var bus = Host.Get<IBus>();
        var sends = events.Select((e, i) => (Event: e, Id: NewId.NextGuid()))
            .SelectMany((p, i) => i % 7 == 0 ? [p, p] : new[] { p })
            .Concat(events.Where((_, i) => i % 10 == 0).Select(e => (Event: e, Id: NewId.NextGuid())))
            .ToList();
        await Parallel.ForEachAsync(sends, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (send, ct) =>
            await bus.Publish(send.Event, Pipe.Execute<PublishContext>(c => c.MessageId = send.Id), ct));
        var database = Host.Get<Database<NotificationsModule>>();
        await Poll.UntilCount(() => database.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM deliveries WHERE status = @sent", new { sent = (int)DeliveryStatus.Sent })),
            events.Count, "every occurrence delivered");
        await SettledAsync(Host);

        // Bundled or alone, every occurrence key reaches the webhook exactly once.
        var told = Receiver.Requests.SelectMany(r =>
        {
            using var body = JsonDocument.Parse(r.Body);
            return body.RootElement.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("occurrenceKey").GetString()!).ToList();
        }).Order().ToList();
        Assert.Equal(events.Select(e => e.OccurrenceKey).Order(), told);
        var (notifications, deliveries, processed) = await database.ReadAsync(async c => (
            await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM notifications"),
            await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM deliveries"),
            await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM processed_messages WHERE consumer = @consumer", new { consumer = "MeasureOverdueNotifier" })));
        Assert.Equal((events.Count, events.Count, sends.Select(s => s.Id).Distinct().Count()), (notifications, deliveries, processed));
    }

    [Fact]
    public async Task A_5xx_is_retried_with_backoff_a_4xx_is_not_and_a_channel_that_keeps_failing_is_marked()
    {
        await _township.AddContactAsync(new AddContactRequest { UnitCode = TownshipA, Name = "系统", Kind = ChannelKind.Webhook, Url = Receiver.Url + "/hook", Secret = Secret });
        Receiver.AnswerWith(500, 503);
        await PublishAsync(Overdue("m-retry"));
        await Receiver.WaitForAsync(1);
        Host.Clock.Advance(TimeSpan.FromSeconds(29));
        await SettledAsync(Host);
        Assert.Single(Receiver.Requests);                      // not before 30 s
        Host.Clock.Advance(TimeSpan.FromSeconds(1));
        await Receiver.WaitForAsync(2);
        Host.Clock.Advance(TimeSpan.FromSeconds(60));          // then twice as long
        await Receiver.WaitForAsync(3);
        var delivery = await Poll.Until(async () => (await _township.ListDeliveriesAsync(new ListDeliveriesRequest { UnitCode = TownshipA })).Deliveries.Single(d => d.Status == DeliveryStatus.Sent));
        Assert.Equal([500, 503, 200], delivery.History.Select(h => h.StatusCode));

        // A 4xx fails at once; three final failures in a row mark the channel failing and tell the unit.
        Receiver.AnswerWith(400, 404, 410);
        // One at a time: occurrences waiting together would go as one message (Bundles), one failure.
        var sent = 3;
        foreach (var id in new[] { "m-a", "m-b", "m-c" })
        {
            await PublishAsync(Overdue(id));
            await Receiver.WaitForAsync(++sent);
        }
        var contact = await Poll.Until(async () => (await _township.ListContactsAsync(new ListContactsRequest { UnitCode = TownshipA })).Contacts.Single(c => c.Failing));
        Assert.StartsWith("HTTP 4", contact.LastError);
        var inbox = await InboxAsync(_township, TownshipA, 5);
        Assert.Contains(inbox.Notifications, n => n.Kind == "channel-failing" && n.Text.Contains("已连续3次发送失败"));
        await PublishAsync(Overdue("m-d"));
        await InboxAsync(_township, TownshipA, 6);
        await SettledAsync(Host);
        Assert.Equal(6, Receiver.Requests.Count);              // skipped: the channel is marked failing
        Assert.Contains((await _township.ListDeliveriesAsync(new ListDeliveriesRequest { UnitCode = TownshipA })).Deliveries, d => d.Status == DeliveryStatus.Skipped);
    }

    private async Task<List<Contact>> ContactsAsync() => [.. (await _township.ListContactsAsync(new ListContactsRequest { UnitCode = TownshipA })).Contacts];

    [Fact]
    public async Task A_contact_is_updated_field_by_field_and_bad_updates_change_nothing()
    {
        var contact = await _township.AddContactAsync(new AddContactRequest { UnitCode = TownshipA, Name = "乡镇系统", Kind = ChannelKind.Webhook, Url = Receiver.Url + "/old", Secret = Secret });
        var updated = await _township.UpdateContactAsync(new UpdateContactRequest
            { ContactId = contact.Id, Url = Receiver.Url + "/new", Secret = "new-secret", QuietFrom = "22:00", QuietUntil = "07:00" });
        Assert.Equal(("乡镇系统", Receiver.Url + "/new", "22:00", "07:00", true), (updated.Name, updated.Url, updated.QuietFrom, updated.QuietUntil, updated.Active));

        // In the new quiet hours a delivery is held; clearing them sends it now, to the new address with the new secret.
        SetShanghai(Host, new DateTime(2027, 5, 1, 23, 0, 0));
        await PublishAsync(Overdue("m-night"));
        await InboxAsync(_township, TownshipA, 1);
        await SettledAsync(Host);
        Assert.Empty(Receiver.Requests);
        await _township.UpdateContactAsync(new UpdateContactRequest { ContactId = contact.Id, QuietFrom = "", QuietUntil = "" });
        var request = (await Receiver.WaitForAsync(1)).Single();
        Assert.Equal("/new", request.PathAndQuery);
        Assert.Equal("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("new-secret"), Encoding.UTF8.GetBytes($"{request.Headers["X-Rectify-Timestamp"]}.{request.Body}"))),
            request.Headers["X-Rectify-Signature"]);

        // Inactive, it gets nothing; active again, it does.
        await _township.UpdateContactAsync(new UpdateContactRequest { ContactId = contact.Id, Active = false });
        await PublishAsync(Overdue("m-off"));
        await InboxAsync(_township, TownshipA, 2);
        await _township.UpdateContactAsync(new UpdateContactRequest { ContactId = contact.Id, Active = true, Name = "乡镇党建办系统" });
        await PublishAsync(Overdue("m-on"));
        Assert.Equal(2, (await Receiver.WaitForAsync(2)).Count);
        await SettledAsync(Host);
        Assert.Equal(2, Receiver.Requests.Count);

        var before = await ContactsAsync();
        Assert.Equal(["url"], (await Rpc.Refused(StatusCode.InvalidArgument, () => _township.UpdateContactAsync(new UpdateContactRequest { ContactId = contact.Id, Url = "ftp://example.org/hook" }))).Fields());
        Assert.Equal(["quiet_until"], (await Rpc.Refused(StatusCode.InvalidArgument, () => _township.UpdateContactAsync(new UpdateContactRequest { ContactId = contact.Id, QuietFrom = "21:00" }))).Fields());
        Assert.Equal(["quiet_from"], (await Rpc.Refused(StatusCode.InvalidArgument, () => _township.UpdateContactAsync(new UpdateContactRequest { ContactId = contact.Id, QuietFrom = "25:00", QuietUntil = "07:00" }))).Fields());
        Assert.Equal(["secret"], (await Rpc.Refused(StatusCode.InvalidArgument, () => _township.UpdateContactAsync(new UpdateContactRequest { ContactId = contact.Id, Secret = "" }))).Fields());
        Assert.Equal(["name"], (await Rpc.Refused(StatusCode.InvalidArgument, () => _township.UpdateContactAsync(new UpdateContactRequest { ContactId = contact.Id, Name = "" }))).Fields());
        await Rpc.Refused(StatusCode.NotFound, () => _township.UpdateContactAsync(new UpdateContactRequest { ContactId = Guid.NewGuid().ToString(), Name = "x" }));
        await Rpc.Refused(StatusCode.NotFound, () => Host.Notifications(TownshipB).UpdateContactAsync(new UpdateContactRequest { ContactId = contact.Id, Name = "x" }));
        Assert.Equal(before, await ContactsAsync());
    }

    [Fact]
    public async Task A_failing_channel_is_enabled_again_only_by_a_test_message_that_gets_through()
    {
        var contact = await _township.AddContactAsync(new AddContactRequest { UnitCode = TownshipA, Name = "系统", Kind = ChannelKind.Webhook, Url = Receiver.Url + "/hook", Secret = Secret });
        Receiver.AnswerWith(400, 400, 400);
        for (var i = 1; i <= 3; i++)
        {
            await PublishAsync(Overdue($"m-{i}"));
            await Receiver.WaitForAsync(i);
        }
        await Poll.Until(async () => (await ContactsAsync()).Single(c => c.Failing));
        await _township.UpdateContactAsync(new UpdateContactRequest { ContactId = contact.Id, Url = Receiver.Url + "/fixed" });
        Assert.True((await ContactsAsync()).Single().Failing);   // changing it is not enough: a test must get through

        Receiver.AnswerWith(500);
        var failed = await _township.TestContactAsync(new TestContactRequest { ContactId = contact.Id });
        Assert.Equal((false, 500, true), (failed.Delivered, failed.StatusCode, failed.Contact.Failing));
        Assert.StartsWith("HTTP 500", failed.Contact.LastError);

        var passed = await _township.TestContactAsync(new TestContactRequest { ContactId = contact.Id });
        Assert.Equal((true, 200, false, ""), (passed.Delivered, passed.StatusCode, passed.Contact.Failing, passed.Contact.LastError));
        var test = Receiver.Requests.Last();
        Assert.Equal(("/fixed", "contact-test"), (test.PathAndQuery, test.Headers["X-Rectify-Event"]));
        Assert.StartsWith("【通知渠道测试】", JsonDocument.Parse(test.Body).RootElement.GetProperty("text").GetString());

        await PublishAsync(Overdue("m-after"));
        var after = (await Receiver.WaitForAsync(6)).Last();
        Assert.Equal(("/fixed", "measure-overdue"), (after.PathAndQuery, after.Headers["X-Rectify-Event"]));
        await Rpc.Refused(StatusCode.NotFound, () => Host.Notifications(TownshipB).TestContactAsync(new TestContactRequest { ContactId = contact.Id }));
    }

    [Fact]
    public async Task Nothing_goes_out_in_quiet_hours_it_is_held_and_sent_after()
    {
        await _township.AddContactAsync(new AddContactRequest { UnitCode = TownshipA, Name = "值班手机群", Kind = ChannelKind.Wecom, Url = Receiver.Url + "/robot/wecom", QuietFrom = "22:00", QuietUntil = "07:00" });
        SetShanghai(Host, new DateTime(2027, 5, 1, 23, 0, 0));
        await PublishAsync(Overdue("m-night"));
        await InboxAsync(_township, TownshipA, 1);
        await SettledAsync(Host);
        Assert.Empty(Receiver.Requests);
        Assert.Equal(DeliveryStatus.Held, (await _township.ListDeliveriesAsync(new ListDeliveriesRequest { UnitCode = TownshipA })).Deliveries.Single().Status);
        SetShanghai(Host, new DateTime(2027, 5, 2, 7, 0, 0));
        Assert.Single(await Receiver.WaitForAsync(1));
    }

    [Fact]
    public async Task Missing_reports_reach_each_township_and_the_county_once_in_a_single_digest()
    {
        await _county.AddContactAsync(new AddContactRequest { UnitCode = County, Name = "县委组织部", Kind = ChannelKind.Webhook, Url = Receiver.Url + "/county", Secret = Secret });
        foreach (var (code, name) in new[] { (TownshipA, "铁山垅镇"), (TownshipB, "盘古山镇"), ("360731103000", "禾丰镇") })
            await PublishAsync(new ReportMissing(code, name, County, "2027-04", new DateOnly(2027, 5, 5), new DateOnly(2027, 5, 15), $"report-missing:{code}:2027-04", DateTimeOffset.UtcNow));
        await InboxAsync(Host.Notifications(TownshipB), TownshipB, 1);
        await Poll.Until(async () => await Host.Get<Database<NotificationsModule>>().ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM digest_items")) == 3 ? true : throw new InvalidOperationException());
        Assert.Equal(1, (await _county.RunDigestAsync(new RunDigestRequest())).Digests);
        Assert.Equal(0, (await _county.RunDigestAsync(new RunDigestRequest())).Digests);
        var digest = (await Receiver.WaitForAsync(1)).Single();
        Assert.Contains("尚有3个乡镇未报送：铁山垅镇、盘古山镇、禾丰镇", JsonDocument.Parse(digest.Body).RootElement.GetProperty("text").GetString());
        Assert.Equal(["report-missing-digest"], (await InboxAsync(_county, County, 1)).Notifications.Select(n => n.Kind));
    }

    [Fact]
    public async Task The_inbox_is_read_and_acknowledged_and_bad_contacts_are_refused_with_nothing_written()
    {
        await PublishAsync(Overdue("m-1"));
        await PublishAsync(Overdue("m-2"));
        var inbox = await InboxAsync(_township, TownshipA, 2);
        var first = await _township.MarkReadAsync(new MarkRequest { NotificationId = inbox.Notifications[0].Id });
        Assert.NotNull(first.ReadAt);
        var acknowledged = await _township.AcknowledgeAsync(new MarkRequest { NotificationId = inbox.Notifications[1].Id });
        Assert.Equal("铁山垅镇党建办", acknowledged.AcknowledgedBy);
        Assert.Empty((await _township.ListNotificationsAsync(new ListNotificationsRequest { UnitCode = TownshipA, UnreadOnly = true })).Notifications);
        await Rpc.Refused(StatusCode.PermissionDenied, () => Host.Notifications(TownshipB).ListNotificationsAsync(new ListNotificationsRequest { UnitCode = TownshipA }));

        var before = await Snapshot();
        Assert.Equal(["url"], (await Rpc.Refused(StatusCode.InvalidArgument, () => _township.AddContactAsync(new AddContactRequest { UnitCode = TownshipA, Name = "x", Kind = ChannelKind.Webhook, Url = "ftp://example.org/hook", Secret = "s" }))).Fields());
        Assert.Equal(["kind"], (await Rpc.Refused(StatusCode.InvalidArgument, () => _township.AddContactAsync(new AddContactRequest { UnitCode = TownshipA, Name = "x", Kind = (ChannelKind)9, Url = Receiver.Url }))).Fields());
        Assert.Equal(["secret"], (await Rpc.Refused(StatusCode.InvalidArgument, () => _township.AddContactAsync(new AddContactRequest { UnitCode = TownshipA, Name = "x", Kind = ChannelKind.Dingtalk, Url = Receiver.Url }))).Fields());
        Assert.Equal(["secret"], (await Rpc.Refused(StatusCode.InvalidArgument, () => _township.AddContactAsync(new AddContactRequest { UnitCode = TownshipA, Name = "x", Kind = ChannelKind.Webhook, Url = Receiver.Url }))).Fields());
        await Rpc.Refused(StatusCode.PermissionDenied, () => _township.AddContactAsync(new AddContactRequest { UnitCode = TownshipB, Name = "x", Kind = ChannelKind.Wecom, Url = Receiver.Url }));
        Assert.Equal(before, await Snapshot());
    }

}

public sealed class NotificationsOnSqlite() : NotificationsSpec(DbProvider.Sqlite);

public sealed class NotificationsOnPostgres() : NotificationsSpec(DbProvider.Postgres);

public static class NotificationClients
{
    public static NotificationService.NotificationServiceClient Notifications(this TestHost host, string org, string subject = "tester") => new(host.As(org, Role.Officer, subject));
}
