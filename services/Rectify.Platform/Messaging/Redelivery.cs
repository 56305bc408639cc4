using System.Diagnostics.Metrics;
using MassTransit;
using MassTransit.RabbitMqTransport;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using Rectify.Platform.Errors;

namespace Rectify.Platform.Messaging;

/// <summary>
/// Durable redelivery on RabbitMQ without the delayed-message plugin: a message whose consumer still fails after the
/// immediate retries is published (confirmed, before the original is acknowledged) to a delay queue of its queue, one
/// per interval (&lt;queue&gt;_delay_30s, …_delay_1h). The delay queue has that interval as its message TTL and dead-letters
/// expired messages to the queue's own exchange, so the broker brings the message back: nothing waits in process memory,
/// and a crash mid-backoff loses nothing. One TTL per queue keeps it first-in first-out, so no message waits behind a
/// longer one. The attempt is counted in MT-Redelivery-Count; when the schedule is used up, the message goes to _error.
/// </summary>
public static class Redelivery
{
    /// <summary>Failures that no wait will cure: a forged event, a message that cannot be read or is invalid.</summary>
    public static bool IsPermanent(Exception exception) =>
        exception is ForgedEventException or ValidationException or System.Runtime.Serialization.SerializationException
        || exception.InnerException is { } inner && IsPermanent(inner);

    public static string DelayQueue(string queue, TimeSpan interval) => $"{queue}_delay_{Compact(interval)}";

    private static string Compact(TimeSpan interval) =>
        interval.TotalHours >= 1 && interval.Ticks % TimeSpan.TicksPerHour == 0 ? $"{(long)interval.TotalHours}h"
        : interval.TotalMinutes >= 1 && interval.Ticks % TimeSpan.TicksPerMinute == 0 ? $"{(long)interval.TotalMinutes}m"
        : interval.Ticks % TimeSpan.TicksPerSecond == 0 ? $"{(long)interval.TotalSeconds}s"
        : $"{(long)interval.TotalMilliseconds}ms";

    /// <summary>The delay queue's arguments: its TTL, back to the queue's exchange when it expires; quorum where the queues are.</summary>
    public static Dictionary<string, object> DelayQueueArguments(string queue, TimeSpan interval, bool quorum)
    {
        var arguments = new Dictionary<string, object>
        {
            ["x-message-ttl"] = (int)interval.TotalMilliseconds,
            ["x-dead-letter-exchange"] = queue,
        };
        if (quorum)
        {
            arguments["x-queue-type"] = "quorum";
            // Quorum queues dead-letter at most once unless told otherwise; at-least-once needs reject-publish overflow.
            arguments["x-dead-letter-strategy"] = "at-least-once";
            arguments["x-overflow"] = "reject-publish";
        }
        return arguments;
    }
}

/// <summary>The messaging meter ("Rectify.Messaging"): redeliveries counted here, error-queue depths observed by <see cref="DeadLetters"/>.</summary>
public static class MessagingMetrics
{
    public static readonly Meter Meter = new("Rectify.Messaging");

    public static readonly Counter<long> Redeliveries = Meter.CreateCounter<long>(
        "rectify.messaging.redeliveries", unit: "{message}", description: "Messages sent to a delay queue for a later redelivery after their consumer failed.");
}

/// <summary>
/// In a RabbitMQ receive endpoint's error pipe, after <see cref="ErrorQueueFilter"/> (so the message carries this
/// process's user_id and the original publisher's stamp): sends a transient failure to the delay queue for its attempt
/// instead of the _error queue. Not calling the rest of the pipe is what keeps it out of _error; the original is
/// acknowledged only after the broker confirmed the copy.
/// </summary>
public sealed class RedeliveryFilter(string queue, IReadOnlyList<TimeSpan> schedule, bool quorum, ILogger logger) : IFilter<ExceptionReceiveContext>
{
    public async Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        var attempt = context.TransportHeaders.Get<int>(MessageHeaders.RedeliveryCount) ?? 0;
        if (Redelivery.IsPermanent(context.Exception) || attempt >= schedule.Count
            || !context.TryGetPayload(out ChannelContext? channel) || !context.TryGetPayload(out RabbitMqBasicConsumeContext? amqp))
        {
            await next.Send(context);
            return;
        }

        var interval = schedule[attempt];
        var delayQueue = Redelivery.DelayQueue(queue, interval);
        var ct = context.CancellationToken;
        // Declared each time (cheap, idempotent): an operator may have deleted it, and a redelivery is rare.
        await channel.ExchangeDeclare(delayQueue, ExchangeType.Fanout, true, false, new Dictionary<string, object>(), ct);
        await channel.QueueDeclare(delayQueue, true, false, false, Redelivery.DelayQueueArguments(queue, interval, quorum), ct);
        await channel.QueueBind(delayQueue, delayQueue, "", new Dictionary<string, object>(), ct);

        var properties = new BasicProperties(amqp.Properties) { Headers = new Dictionary<string, object?>(amqp.Properties.Headers ?? new Dictionary<string, object?>()) };
        properties.ClearExpiration();
        var headers = new MoveTransportHeaders(properties);
        // Why it is waiting, for whoever looks at the delay queue (no stack trace: ErrorQueueFilter removed it).
        headers.CopyFrom(context.ExceptionHeaders);
        headers.Set(MessageHeaders.RedeliveryCount, attempt + 1, true);
        await channel.BasicPublishAsync(delayQueue, "", true, properties, context.GetBody(), true, ct);

        MessagingMetrics.Redeliveries.Add(1, new KeyValuePair<string, object?>("queue", queue));
        logger.LogWarning(
            "Message {MessageId} on {Queue} failed ({ExceptionType}: {Reason}); redelivery {Attempt} of {Attempts} in {Interval}",
            context.GetMessageId(), queue, context.Exception.GetType().Name, context.Exception.Message, attempt + 1, schedule.Count, interval);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("rectifyRedelivery");
}
