namespace Rectify.Events;

/// <summary>
/// Marks a message that a service publishes through its outbox. Events are
/// named in the past tense and carry codes and values, never another
/// service's internal ids.
/// </summary>
public interface IIntegrationEvent
{
    /// <summary>When the change happened (UTC).</summary>
    DateTimeOffset OccurredAt { get; }
}
