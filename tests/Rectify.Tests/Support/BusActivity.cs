using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Rectify.Tests.Support;

/// <summary>
/// What a test host's bus is doing, counted by MassTransit's own observers (connected to every receive endpoint when
/// the bus is built): messages published or sent, receives started and finished. A receive spans the consumer, its
/// transaction and its retries, so "none in flight" means no consumer is running.
/// </summary>
public sealed class BusActivity : IReceiveObserver, IPublishObserver, ISendObserver
{
    private long _published;
    private long _started;
    private long _finished;

    public readonly record struct Snapshot(long Published, long Started, long Finished)
    {
        public long InFlight => Started - Finished;
    }

    public Snapshot Now() => new(Interlocked.Read(ref _published), Interlocked.Read(ref _started), Interlocked.Read(ref _finished));

    public static void Register(IServiceCollection services)
    {
        services.AddSingleton<BusActivity>();
        services.AddReceiveObserver(sp => sp.GetRequiredService<BusActivity>());
        services.AddPublishObserver(sp => sp.GetRequiredService<BusActivity>());
        services.AddSendObserver(sp => sp.GetRequiredService<BusActivity>());
    }

    public Task PreReceive(ReceiveContext context)
    {
        Interlocked.Increment(ref _started);
        return Task.CompletedTask;
    }

    public Task PostReceive(ReceiveContext context) => Finished();

    public Task ReceiveFault(ReceiveContext context, Exception exception) => Finished();

    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType) where T : class => Task.CompletedTask;

    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception) where T : class => Task.CompletedTask;

    public Task PrePublish<T>(PublishContext<T> context) where T : class => Task.CompletedTask;

    public Task PostPublish<T>(PublishContext<T> context) where T : class => Published();

    public Task PublishFault<T>(PublishContext<T> context, Exception exception) where T : class => Published();

    public Task PreSend<T>(SendContext<T> context) where T : class => Task.CompletedTask;

    public Task PostSend<T>(SendContext<T> context) where T : class => Published();

    public Task SendFault<T>(SendContext<T> context, Exception exception) where T : class => Published();

    private Task Finished()
    {
        Interlocked.Increment(ref _finished);
        return Task.CompletedTask;
    }

    private Task Published()
    {
        Interlocked.Increment(ref _published);
        return Task.CompletedTask;
    }
}
