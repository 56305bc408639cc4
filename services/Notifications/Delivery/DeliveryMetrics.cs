using System.Diagnostics.Metrics;

namespace Rectify.Notifications.Delivery;

/// <summary>Meter "Rectify.Notifications": every attempt to send to a contact, by outcome (sent, retry, failed).</summary>
internal static class DeliveryMetrics
{
    private static readonly Meter Meter = new("Rectify.Notifications");

    private static readonly Counter<long> Attempts = Meter.CreateCounter<long>(
        "rectify.notifications.delivery.attempts", unit: "{attempt}", description: "Attempts to send a notification to a contact, by outcome.");

    public static void Attempted(bool delivered, bool final) =>
        Attempts.Add(1, new KeyValuePair<string, object?>("outcome", delivered ? "sent" : final ? "failed" : "retry"));
}
