using MassTransit;

namespace Rectify.Platform.Messaging;

/// <summary>
/// Queue names that carry the consuming service: two services that each consume an event (measures and reporting
/// both consume TargetsDesignated) must get their own queues, or on RabbitMQ they would compete for its messages.
/// The service is the second part of the consumer's namespace (Rectify.Measures.… → "measures").
/// Replicas of one service share its queues and compete for their messages (each is handled once, on the shared
/// database), unless they are given an instance name (Rectify:Bus:InstanceName): then each replica gets queues of its
/// own and every event reaches every replica, which is what gateway replicas, each with its own read model, need.
/// </summary>
public sealed class ServiceEndpointNameFormatter(string prefix, string? instance = null) : KebabCaseEndpointNameFormatter(prefix, false)
{
    private readonly string _suffix = string.IsNullOrWhiteSpace(instance) ? "" : "-" + QueueSafe(instance);

    public override string Consumer<T>()
    {
        var service = typeof(T).Namespace?.Split('.').ElementAtOrDefault(1)?.ToLowerInvariant();
        var name = base.Consumer<T>();
        return (service is null ? name : $"{service}-{name}") + _suffix;
    }

    /// <summary>Lower case letters, digits and dashes, as the rest of the queue name.</summary>
    private static string QueueSafe(string instance) =>
        new(instance.Trim().ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray());
}
