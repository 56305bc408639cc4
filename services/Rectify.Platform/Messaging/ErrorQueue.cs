using MassTransit;
using MassTransit.Context;
using MassTransit.Events;
using RabbitMQ.Client;

namespace Rectify.Platform.Messaging;

/// <summary>Keeps stack traces out of what leaves the process: Fault messages and the error queue's headers.</summary>
public static class FaultDetails
{
    public static void Scrub(Fault fault)
    {
        foreach (var exception in fault.Exceptions ?? []) Scrub(exception);
    }

    private static void Scrub(ExceptionInfo? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is FaultExceptionInfo info) info.StackTrace = "";
    }
}

/// <summary>
/// Runs before a faulted message is moved to its queue's _error queue: takes the stack trace out of the fault headers
/// (the type and message stay, for the operator; the full exception is in this process's log), and gives the moved
/// message this process's user_id. MassTransit copies the original's AMQP properties, and RabbitMQ would refuse a
/// publish carrying the original publisher's user_id on this connection.
/// </summary>
public sealed class ErrorQueueFilter(string brokerUser) : IFilter<ExceptionReceiveContext>
{
    public Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        context.ExceptionHeaders.Set(MessageHeaders.FaultStackTrace, (string?)null);
        return next.Send(new MovedExceptionContext(context, brokerUser));
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("rectifyErrorQueue");
}

/// <summary>The same for a message nobody consumed, moved to the _skipped queue.</summary>
public sealed class SkippedQueueFilter(string brokerUser) : IFilter<ReceiveContext>
{
    public Task Send(ReceiveContext context, IPipe<ReceiveContext> next) => next.Send(new MovedReceiveContext(context, brokerUser));

    public void Probe(ProbeContext context) => context.CreateFilterScope("rectifySkippedQueue");
}

internal sealed class MovedReceiveContext : ReceiveContextProxy
{
    private readonly ReceiveContext _context;
    private readonly string _brokerUser;

    public MovedReceiveContext(ReceiveContext context, string brokerUser) : base(context) => (_context, _brokerUser) = (context, brokerUser);

    public override bool TryGetPayload<TPayload>(out TPayload payload) => Moved.TryGetPayload(_context, _brokerUser, out payload!);
}

internal sealed class MovedExceptionContext : ReceiveContextProxy, ExceptionReceiveContext
{
    // Kept here as well as by the base: the proxy does not expose the context it wraps.
    private readonly ExceptionReceiveContext _context;
    private readonly string _brokerUser;

    public MovedExceptionContext(ExceptionReceiveContext context, string brokerUser) : base(context) => (_context, _brokerUser) = (context, brokerUser);

    public Exception Exception => _context.Exception;
    public DateTime ExceptionTimestamp => _context.ExceptionTimestamp;
    public ExceptionInfo ExceptionInfo => _context.ExceptionInfo;
    public SendHeaders ExceptionHeaders => _context.ExceptionHeaders;

    public override bool TryGetPayload<TPayload>(out TPayload payload) => Moved.TryGetPayload(_context, _brokerUser, out payload!);
}

internal static class Moved
{
    public static bool TryGetPayload<TPayload>(ReceiveContext context, string brokerUser, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out TPayload payload) where TPayload : class
    {
        if (typeof(TPayload) == typeof(RabbitMqBasicConsumeContext) && context.TryGetPayload<RabbitMqBasicConsumeContext>(out var amqp))
        {
            // The moved copy carries this process's user_id, so it also carries who published the original (see Provenance).
            var headers = new Dictionary<string, object?>(amqp.Properties.Headers ?? new Dictionary<string, object?>())
            {
                [Provenance.Header] = Provenance.PublishedBy(context, brokerUser) ?? "",
            };
            payload = (TPayload)(object)new Delivery(amqp, new BasicProperties(amqp.Properties) { UserId = brokerUser, Headers = headers });
            return true;
        }
        return context.TryGetPayload(out payload!);
    }

    private sealed class Delivery(RabbitMqBasicConsumeContext original, IReadOnlyBasicProperties properties) : RabbitMqBasicConsumeContext
    {
        public string Exchange => original.Exchange;
        public string ConsumerTag => original.ConsumerTag;
        public ulong DeliveryTag => original.DeliveryTag;
        public IReadOnlyBasicProperties Properties => properties;
        public string? RoutingKey => original.RoutingKey;
    }
}
