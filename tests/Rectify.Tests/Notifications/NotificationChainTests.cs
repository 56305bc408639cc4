using Dapper;
using System.Text.Json;
using Rectify.Measures.V1;
using Rectify.Notifications;
using Rectify.Notifications.V1;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;
using static Rectify.Tests.Measures.MeasuresFixture;

namespace Rectify.Tests.Notifications;

/// <summary>
/// The whole chain: a measure crosses its deadline on the fake clock, the daily scan publishes the overdue
/// occurrence, the notifications service files it and calls the township's webhook — in one standalone host,
/// across a restart between receiving and sending, and between separate processes over RabbitMQ.
/// </summary>
public sealed class NotificationChainTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;
    private readonly RabbitMqVirtualHost _broker = new();

    public async ValueTask InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _broker.DisposeAsync();
    }

    private async Task PlanDueOnApril30Async(TestHost measures)
    {
        SetShanghai(measures, new DateTime(2027, 3, 1, 10, 0, 0));
        await DesignateAsync(measures, (TargetA1, "上坪村", "铁山垅镇"));
        await measures.Measures(TownshipA).CreatePlanAsync(SimplePlan(TargetA1, new DateOnly(2027, 4, 30)));
    }

    [Fact]
    public async Task A_measure_crossing_its_deadline_becomes_a_webhook_call_in_the_standalone_host()
    {
        await using var host = await TestHost.StartAsync(DbProvider.Sqlite, [new Rectify.Measures.MeasuresModule(), new NotificationsModule()],
            new Dictionary<string, string?> { ["Rectify:Notifications:ScheduleDigest"] = "false" });
        await host.Notifications(TownshipA).AddContactAsync(new AddContactRequest { UnitCode = TownshipA, Name = "乡镇系统", Kind = ChannelKind.Webhook, Url = _receiver.Url + "/hook", Secret = "s3cret" });
        await PlanDueOnApril30Async(host);
        // The scheduler's run at start must be over, so that it waits for the next 06:00 on the clock moved below.
        var measures = host.Get<Database<Rectify.Measures.MeasuresModule>>();
        await Poll.Until(async () => await measures.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM deadline_scans")) > 0 ? true : throw new InvalidOperationException("no scan yet"));
        // The job arms its timer right after that scan commits, which nothing outside it can see; the host settling
        // (its events consumed, then a quiet moment) covers that step.
        await host.SettledAsync();
        // The scheduler runs at 06:00 on 1 May: the day after the deadline.
        SetShanghai(host, new DateTime(2027, 5, 1, 6, 30, 0));
        await Poll.Until(async () => (await host.Notifications(TownshipA).ListNotificationsAsync(new ListNotificationsRequest { UnitCode = TownshipA, Kind = "measure-overdue" })).Notifications.Count == 3
            ? true : throw new InvalidOperationException("not filed yet"));
        // The three go to the township as one message once the bundle window (5 minutes) has passed.
        SetShanghai(host, new DateTime(2027, 5, 1, 6, 36, 0));
        await _receiver.WaitForAsync(2);
        await NotificationsSpec.SettledAsync(host);
        var call = _receiver.Requests.Single(c => c.Headers["X-Rectify-Event"] == "measure-overdue");
        var text = JsonDocument.Parse(call.Body).RootElement.GetProperty("text").GetString()!;
        Assert.StartsWith("【逾期提醒】今日新增逾期措施 3 项：", text);
        Assert.Equal(3, text.Split('\n').Count(l => l.Contains("已逾期1天")));
    }

    [Fact]
    public async Task A_restart_between_receiving_and_sending_sends_once_after_it()
    {
        await using var storage = TestStorage.Create(DbProvider.Sqlite);
        await using (var first = await NotificationsSpec.StartHostAsync(DbProvider.Sqlite, storage, send: false))
        {
            await first.Notifications(TownshipA).AddContactAsync(new AddContactRequest { UnitCode = TownshipA, Name = "系统", Kind = ChannelKind.Webhook, Url = _receiver.Url + "/hook", Secret = "s" });
            await first.PublishAsync(NotificationsSpec.Overdue());
            await Poll.Until(async () => (await first.Notifications(TownshipA).ListDeliveriesAsync(new ListDeliveriesRequest { UnitCode = TownshipA })).Deliveries.Single());
        }
        Assert.Empty(_receiver.Requests);
        await using var second = await NotificationsSpec.StartHostAsync(DbProvider.Sqlite, storage);
        await second.PublishAsync(NotificationsSpec.Overdue()); // the same occurrence again, as a redelivery would bring it
        await _receiver.WaitForAsync(1);
        await NotificationsSpec.SettledAsync(second);
        Assert.Single(_receiver.Requests);
    }

    [Fact]
    public async Task Over_RabbitMQ_the_measures_process_overdue_event_reaches_the_notifications_process_webhook()
    {
        await _broker.InitializeAsync();
        Dictionary<string, string?> OnRabbitMq() => new()
        {
            ["Rectify:Mode"] = "Distributed", ["Rectify:Auth:SigningKeyFile"] = TestIssuer.KeyFile,
            ["Rectify:Bus:Transport"] = "RabbitMq", ["Rectify:Bus:RabbitMqUri"] = _broker.Uri, ["Rectify:Bus:Publishers:measures"] = RabbitMqVirtualHost.SharedUser, ["Rectify:Bus:Publishers:assessment"] = RabbitMqVirtualHost.SharedUser, // both processes log in as one user
            ["Rectify:Measures:ScheduleScans"] = "false", ["Rectify:Notifications:ScheduleDigest"] = "false",
            ["Rectify:Notifications:BundleWindow"] = "00:00:00", // the two processes' clocks differ
        };
        await using var notifications = await TestHost.StartAsync(DbProvider.Sqlite, [new NotificationsModule()], OnRabbitMq());
        await using var measures = await TestHost.StartAsync(DbProvider.Postgres, [new Rectify.Measures.MeasuresModule()], OnRabbitMq());
        await notifications.Notifications(TownshipA).AddContactAsync(new AddContactRequest { UnitCode = TownshipA, Name = "乡镇系统", Kind = ChannelKind.Webhook, Url = _receiver.Url + "/hook", Secret = "s" });
        await PlanDueOnApril30Async(measures);
        SetShanghai(measures, new DateTime(2027, 5, 8, 7, 0, 0));
        Assert.Equal(3, (await measures.Measures(County).RunDeadlineScanAsync(new RunDeadlineScanRequest())).Overdue);
        // Sent as they arrive (no bundle window here), so they come alone or together: three measures in all.
        var items = await Poll.Until(() =>
        {
            var all = _receiver.Requests.Where(c => c.Headers["X-Rectify-Event"] == "measure-overdue")
                .SelectMany(c => JsonDocument.Parse(c.Body).RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("text").GetString()!)).ToList();
            return Task.FromResult(all.Count >= 3 ? all : throw new InvalidOperationException($"{all.Count} of 3"));
        });
        Assert.Equal(3, items.Count);
        Assert.All(items, t => Assert.Contains("已逾期8天", t));
    }
}
