using Rectify.Gateway.ReadModel;
using Rectify.Platform.Messaging;

namespace Rectify.Tests.Replicas;

/// <summary>Replicas share a service's queues, unless an instance name gives each its own (gateway replicas).</summary>
public sealed class EndpointNameTests
{
    [Fact]
    public void An_instance_name_gives_a_replica_queues_of_its_own()
    {
        Assert.Equal("gateway-unit-registered-projection", new ServiceEndpointNameFormatter("").Consumer<UnitRegisteredProjection>());
        Assert.Equal("gateway-unit-registered-projection-gateway-1", new ServiceEndpointNameFormatter("", "Gateway_1").Consumer<UnitRegisteredProjection>());
        Assert.Equal("gateway-unit-registered-projection", new ServiceEndpointNameFormatter("", " ").Consumer<UnitRegisteredProjection>());
    }
}
