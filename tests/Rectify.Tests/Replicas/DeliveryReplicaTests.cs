using Rectify.Notifications.V1;
using Rectify.Platform.Storage;
using Rectify.Tests.Notifications;
using Rectify.Tests.Support;
using static Rectify.Tests.Measures.MeasuresFixture;

namespace Rectify.Tests.Replicas;

/// <summary>
/// Two notifications replicas on one PostgreSQL database send each delivery once: only the holder of the
/// delivery-sender lease sends, even when both wake at the same moment for the same due bundle.
/// </summary>
public sealed class DeliveryReplicaTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async ValueTask InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async ValueTask DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task Two_replicas_waking_for_one_due_bundle_send_it_once()
    {
        await using var storage = TestStorage.Create(DbProvider.Postgres);
        // The default bundle window (5 minutes): the overdue occurrences wait together, and both replicas' clocks pass it at once.
        var window = new Dictionary<string, string?> { ["Rectify:Notifications:BundleWindow"] = "00:05:00" };
        await using var first = await NotificationsSpec.StartHostAsync(DbProvider.Postgres, storage, more: window);
        await using var second = await NotificationsSpec.StartHostAsync(DbProvider.Postgres, storage, more: window);
        await first.Notifications(TownshipA).AddContactAsync(new AddContactRequest { UnitCode = TownshipA, Name = "乡镇系统", Kind = ChannelKind.Webhook, Url = _receiver.Url + "/hook", Secret = "s" });
        foreach (var n in Enumerable.Range(1, 6))
            await (n % 2 == 0 ? first : second).PublishAsync(NotificationsSpec.Overdue($"m-{n}"));
        await Poll.Until(async () => (await first.Notifications(TownshipA).ListDeliveriesAsync(new ListDeliveriesRequest { UnitCode = TownshipA })).Deliveries.Count == 6
            ? true : throw new InvalidOperationException("not all six filed yet"));
        Assert.Empty(_receiver.Requests);

        var due = new DateTime(2027, 5, 1, 9, 6, 0);
        SetShanghai(first, due);
        SetShanghai(second, due);
        await _receiver.WaitForAsync(1);
        await NotificationsSpec.SettledAsync(first);
        await NotificationsSpec.SettledAsync(second);
        // Both replicas had their chance: the standby looks again every second.
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        Assert.Single(_receiver.Requests);
        var deliveries = (await first.Notifications(TownshipA).ListDeliveriesAsync(new ListDeliveriesRequest { UnitCode = TownshipA })).Deliveries;
        Assert.All(deliveries, d => Assert.Equal(DeliveryStatus.Sent, d.Status));
    }
}
