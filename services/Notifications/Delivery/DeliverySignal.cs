using Rectify.Platform;

namespace Rectify.Notifications.Delivery;

/// <summary>Rings the sender when deliveries were queued.</summary>
public sealed class DeliverySignal : Doorbell;
