namespace Rectify.Notifications.Delivery;

/// <summary>What a delivery needs to go out: the notification and where to.</summary>
public sealed class OutgoingRow
{
    public string DeliveryId { get; set; } = "";
    public int Attempts { get; set; }
    public string NotificationId { get; set; } = "";
    public string Kind { get; set; } = "";
    public string UnitCode { get; set; } = "";
    public string Title { get; set; } = "";
    public string Text { get; set; } = "";
    public string OccurrenceKey { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public string ContactId { get; set; } = "";
    public int ContactKind { get; set; }
    public string Url { get; set; } = "";
    public string? Secret { get; set; }
    public string? QuietFrom { get; set; }
    public string? QuietUntil { get; set; }
    public string? Line { get; set; }
    public string? BatchId { get; set; }
}
