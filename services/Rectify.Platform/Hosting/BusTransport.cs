namespace Rectify.Platform.Hosting;

public enum BusTransport
{
    InMemory,
    RabbitMq,
}
