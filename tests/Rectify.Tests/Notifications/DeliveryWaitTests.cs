using Rectify.Notifications.Delivery;

namespace Rectify.Tests.Notifications;

/// <summary>The sender sleeps until the next delivery is due, and a delivery far ahead does not break its timer.</summary>
public sealed class DeliveryWaitTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_sender_waits_until_the_next_delivery_is_due_but_never_longer_than_a_day()
    {
        Assert.Equal(TimeSpan.FromMinutes(5), DeliveryWorker.UntilDue(Now.UtcDateTime.AddMinutes(5), Now));
        Assert.Equal(TimeSpan.Zero, DeliveryWorker.UntilDue(Now.UtcDateTime.AddMinutes(-5), Now));
        // 60 days ahead: more than a timer can take (~49.7 days); Task.Delay threw and the sender logged a failure each round.
        var wait = DeliveryWorker.UntilDue(Now.UtcDateTime.AddDays(60), Now);
        Assert.Equal(TimeSpan.FromDays(1), wait);
        _ = Task.Delay(wait, TestContext.Current.CancellationToken); // accepted
    }
}
