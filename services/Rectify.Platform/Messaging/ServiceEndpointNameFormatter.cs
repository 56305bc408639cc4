using MassTransit;

namespace Rectify.Platform.Messaging;

/// <summary>
/// Queue names that carry the consuming service: two services that each consume an event (measures and reporting
/// both consume TargetsDesignated) must get their own queues, or on RabbitMQ they would compete for its messages.
/// The service is the second part of the consumer's namespace (Rectify.Measures.… → "measures").
/// </summary>
public sealed class ServiceEndpointNameFormatter(string prefix) : KebabCaseEndpointNameFormatter(prefix, false)
{
    public override string Consumer<T>()
    {
        var service = typeof(T).Namespace?.Split('.').ElementAtOrDefault(1)?.ToLowerInvariant();
        var name = base.Consumer<T>();
        return service is null ? name : $"{service}-{name}";
    }
}
