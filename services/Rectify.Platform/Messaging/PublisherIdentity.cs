using MassTransit;
using Microsoft.Extensions.Logging;
using Rectify.Events;

namespace Rectify.Platform.Messaging;

/// <summary>
/// Which service owns (publishes) an event: the namespace under Rectify.Events (Rectify.Events.Measures → "measures").
/// </summary>
public static class EventOwners
{
    private const string Prefix = "Rectify.Events.";
    private const string UrnPrefix = "urn:message:" + Prefix;

    public static string? OwnerOf(Type type) =>
        typeof(IIntegrationEvent).IsAssignableFrom(type) && type.Namespace is { } ns && ns.StartsWith(Prefix, StringComparison.Ordinal)
            ? ns[Prefix.Length..].Split('.')[0].ToLowerInvariant()
            : null;

    /// <summary>The owner named by a MassTransit message type (urn:message:Rectify.Events.Measures:MeasureCreated), if any.</summary>
    public static string? OwnerOf(string messageTypeUrn) =>
        messageTypeUrn.StartsWith(UrnPrefix, StringComparison.Ordinal)
            ? messageTypeUrn[UrnPrefix.Length..].Split('.', ':')[0].ToLowerInvariant()
            : null;
}

/// <summary>Thrown for an event that did not come from its owner's broker user; it goes to the error queue, never retried.</summary>
public sealed class ForgedEventException(string message) : Exception(message);

/// <summary>
/// Refuses, before any consumer or retry sees it, an event whose AMQP user_id is not the broker user of the service
/// that owns the event type. RabbitMQ itself refuses a publish whose user_id differs from the publishing connection's
/// user (unless that user has the impersonator tag, which no Rectify user may have), so user_id names the publisher.
/// Only on RabbitMQ: the in-memory bus of standalone mode is one process, with no one else on it to check.
/// A message this process moved itself (to a delay queue, to _error, replayed from it) carries its own user_id: then the
/// publisher it vouched for when it moved the message is checked instead (<see cref="Provenance"/>).
/// </summary>
public sealed class PublisherCheckFilter(Func<string, string> publisherOf, string brokerUser, ILogger logger) : IFilter<ConsumeContext>
{
    public Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        var userId = Provenance.PublishedBy(context.ReceiveContext, brokerUser);
        var types = context.SupportedMessageTypes.ToList();
        // The envelope also names IIntegrationEvent, which no service owns. Every owned type it claims must belong to one
        // service: a message claiming two owners' types is refused too.
        var owners = types.Select(EventOwners.OwnerOf).OfType<string>().Distinct().ToList();
        var owner = owners is [var single] ? single : null;
        var expected = owner is null ? null : publisherOf(owner);
        if (expected is not null && string.Equals(userId, expected, StringComparison.Ordinal))
            return next.Send(context);

        var messageType = string.Join(", ", types);
        logger.LogWarning(
            "Security: refused event {MessageType} {MessageId} on {InputAddress}: published by broker user {UserId}, its owner {Owner} publishes as {ExpectedUser}",
            messageType, context.MessageId, context.ReceiveContext.InputAddress, userId ?? "(none)", owner ?? "(unknown)", expected ?? "(nobody)");
        throw new ForgedEventException(
            $"Refused {messageType}: published by broker user '{userId ?? "(none)"}', expected '{expected ?? "(no owner)"}'.");
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("rectifyPublisherCheck");
}

/// <summary>
/// Stamps this process's broker user as the AMQP user_id on everything it sends or publishes (the outbox relay's events,
/// and anything else), and keeps stack traces out of the Fault messages MassTransit may send.
/// </summary>
public sealed class PublisherStamp(string brokerUser) : IFilter<SendContext>, IFilter<PublishContext>
{
    public Task Send(SendContext context, IPipe<SendContext> next)
    {
        Stamp(context);
        return next.Send(context);
    }

    public Task Send(PublishContext context, IPipe<PublishContext> next)
    {
        Stamp(context);
        return next.Send(context);
    }

    private void Stamp(SendContext context)
    {
        if (brokerUser.Length > 0 && context.TryGetPayload<RabbitMqSendContext>(out var amqp)) amqp.BasicProperties.UserId = brokerUser;
        // SendContext<T> is covariant: every Fault<T> is a SendContext<Fault>.
        if (context is SendContext<Fault> fault) FaultDetails.Scrub(fault.Message);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("rectifyPublisherStamp");
}

/// <summary>
/// Who published a message first. RabbitMQ validates user_id against the publishing connection, so a message this
/// process moves (to a delay queue or _error, or back from _error) must carry this process's own user; the publisher
/// it had when it passed (or failed) the check travels in the Rectify-Published-By header. That header is believed
/// only on a message whose user_id is this process's own user: only this service's broker user can write to its
/// queues' exchanges, so it vouches for nothing it did not see. On any other message the header is ignored.
/// </summary>
public static class Provenance
{
    public const string Header = "Rectify-Published-By";

    public static string? PublishedBy(ReceiveContext context, string brokerUser)
    {
        var userId = context.TryGetPayload<RabbitMqBasicConsumeContext>(out var amqp) ? amqp.Properties.UserId : null;
        if (brokerUser.Length > 0 && string.Equals(userId, brokerUser, StringComparison.Ordinal)
            && context.TransportHeaders.Get<string>(Header) is { Length: > 0 } vouched)
            return vouched;
        return userId;
    }
}
