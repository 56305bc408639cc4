using Rectify.Events.Measures;
using Rectify.Kernel;
using Rectify.Notifications.V1;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;
using static Rectify.Tests.Measures.MeasuresFixture;

namespace Rectify.Tests.Notifications;

/// <summary>
/// The sender claims and sends continuously: a delivery filed while another is still being sent goes out without
/// waiting for that send's answer, and a send whose answer was never recorded goes out again after a restart, once.
/// The receiver (WebhookReceiver) holds the calls to /held until the test lets them through.
/// </summary>
public abstract class DeliveryPipelineSpec(DbProvider provider) : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async ValueTask InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async ValueTask DisposeAsync() => await _receiver.DisposeAsync();

    // Longer than any wait below: a held call must not end by the sender's own timeout.
    private static readonly Dictionary<string, string?> Patient = new() { ["Rectify:Notifications:RequestTimeout"] = "00:01:00" };

    private static MeasureOverdue OverdueIn(string village, string measureId) => new(
        new MeasureSnapshot(measureId, "plan-1", village, "石门村", 2027, "COLLECTIVE_ECONOMY", "整修村级活动场所", ["王德明"], new DateOnly(2027, 4, 30), false, MeasureStatus.InProgress),
        1, new DateOnly(2027, 5, 1), $"overdue:{measureId}:20270430:1", DateTimeOffset.UtcNow);

    [Fact]
    public async Task A_delivery_filed_while_another_is_being_sent_goes_out_before_that_send_is_answered()
    {
        await using var host = await NotificationsSpec.StartHostAsync(provider, more: Patient);
        await host.Notifications(TownshipA).AddContactAsync(new AddContactRequest { UnitCode = TownshipA, Name = "乡镇系统", Kind = ChannelKind.Webhook, Url = _receiver.Url + "/held", Secret = "s" });
        await host.Notifications(TownshipB).AddContactAsync(new AddContactRequest { UnitCode = TownshipB, Name = "乡镇系统", Kind = ChannelKind.Webhook, Url = _receiver.Url + "/hook", Secret = "s" });
        try
        {
            await host.PublishAsync(OverdueIn(TargetA1, "m-held"));
            await _receiver.WaitForAsync("/held", 1);
            // Filed while the first send waits for its answer: sent without waiting for it (in rounds it waited for the round's end).
            await host.PublishAsync(OverdueIn(TargetB1, "m-next"));
            var next = await _receiver.WaitForAsync("/hook", 1, TimeSpan.FromSeconds(15));
            Assert.Contains("overdue:m-next:20270430:1", next.Single().Body);
            Assert.False(_receiver.Released);
        }
        finally { _receiver.Release(); }
        await NotificationsSpec.SettledAsync(host);
        foreach (var unit in new[] { TownshipA, TownshipB })
            Assert.Equal(DeliveryStatus.Sent, (await host.Notifications(unit).ListDeliveriesAsync(new ListDeliveriesRequest { UnitCode = unit })).Deliveries.Single().Status);
        Assert.Single(_receiver.To("/held"));
        Assert.Single(_receiver.To("/hook"));
    }

    [Fact]
    public async Task A_send_whose_answer_was_never_recorded_goes_out_again_after_a_restart_once()
    {
        await using var storage = TestStorage.Create(provider);
        await using (var first = await NotificationsSpec.StartHostAsync(provider, storage, more: Patient))
        {
            await first.Notifications(TownshipA).AddContactAsync(new AddContactRequest { UnitCode = TownshipA, Name = "乡镇系统", Kind = ChannelKind.Webhook, Url = _receiver.Url + "/held", Secret = "s" });
            await first.PublishAsync(OverdueIn(TargetA1, "m-cut"));
            // The receiver has the call; the host stops before any answer is recorded.
            await _receiver.WaitForAsync("/held", 1);
        }
        _receiver.Release();
        await using var second = await NotificationsSpec.StartHostAsync(provider, storage);
        var calls = await _receiver.WaitForAsync("/held", 2);
        await NotificationsSpec.SettledAsync(second);
        var delivery = (await second.Notifications(TownshipA).ListDeliveriesAsync(new ListDeliveriesRequest { UnitCode = TownshipA })).Deliveries.Single();
        Assert.Equal(DeliveryStatus.Sent, delivery.Status);
        Assert.Equal([200], delivery.History.Select(h => h.StatusCode));
        // The same delivery both times, so the receiver can tell the second call for a repeat; and no third.
        Assert.Equal(2, _receiver.To("/held").Count);
        Assert.Single(calls.Select(c => c.Headers["X-Rectify-Delivery"]).Distinct());
    }
}

public sealed class DeliveryPipelineOnSqlite() : DeliveryPipelineSpec(DbProvider.Sqlite);

public sealed class DeliveryPipelineOnPostgres() : DeliveryPipelineSpec(DbProvider.Postgres);
