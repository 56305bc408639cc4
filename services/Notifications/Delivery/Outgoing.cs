namespace Rectify.Notifications.Delivery;

/// <summary>
/// One outgoing message to one contact: a notification alone, or the day's notifications of one kind for one unit
/// together (Bundles). Every delivery in it gets the answer.
/// </summary>
public sealed class Outgoing
{
    public Outgoing(IReadOnlyList<OutgoingRow> rows)
    {
        Rows = rows;
        BatchId = rows.Count > 1 ? rows.Select(r => r.BatchId).FirstOrDefault(b => b is not null) ?? Guid.NewGuid().ToString() : null;
    }

    public IReadOnlyList<OutgoingRow> Rows { get; }
    public OutgoingRow First => Rows[0];
    public bool IsBundle => Rows.Count > 1;
    /// <summary>Shared by the deliveries of a bundle (kept across its retries); none for a notification sent alone.</summary>
    public string? BatchId { get; }
    public string DeliveryId => BatchId ?? First.DeliveryId;
    public string Title => IsBundle ? Bundles.Title(First.Kind, Rows.Count) : First.Title;
    public string Text => IsBundle ? Bundles.Text(First.Kind, Rows) : First.Text;
}
