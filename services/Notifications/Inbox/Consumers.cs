using MassTransit;
using Rectify.Events;
using Rectify.Events.Assessment;
using Rectify.Events.Measures;
using Rectify.Events.Reporting;
using Rectify.Kernel;
using Rectify.Notifications.Delivery;
using Rectify.Platform;
using Rectify.Platform.Messaging;
using Rectify.Platform.Storage;

namespace Rectify.Notifications.Inbox;

/// <summary>An event turned into notifications, filed with their deliveries in the dedup transaction; the sender is woken after the commit.</summary>
public abstract class NotifyingConsumer<TEvent>(Database<NotificationsModule> database, DeliverySignal signal, NotificationsOptions options, TimeProvider clock)
    : IdempotentConsumer<NotificationsModule, TEvent>(database, clock)
    where TEvent : class, IIntegrationEvent
{
    private int _filed;
    protected TimeProvider Clock { get; } = clock;

    protected abstract IEnumerable<Message> Compose(TEvent e);

    protected override async Task HandleAsync(TEvent message, DbSession session) =>
        _filed = await NotificationWriter.FileAsync(session, Compose(message), Clock.GetUtcNow(), options.BundleWindow);

    protected override Task AfterCommitAsync(TEvent message)
    {
        if (_filed > 0) signal.Notify();
        return Task.CompletedTask;
    }
}

/// <summary>
/// The scans' events (due soon, overdue, escalated, look-backs, report reminders) come by the thousand at once: a
/// batch of them is filed in one transaction (a transaction per event queued them one by one behind SQLite's single
/// writer). Each message is still deduplicated on its own (processed_messages, under this consumer's name as before)
/// and each occurrence key told once. A batch that fails is failed for each of its messages, which the bus retries,
/// so none is lost; the sender is woken after the commit.
/// </summary>
public abstract class BatchNotifier<TEvent>(Database<NotificationsModule> database, DeliverySignal signal, NotificationsOptions options, TimeProvider clock)
    : IdempotentBatchConsumer<NotificationsModule, TEvent>(database, clock)
    where TEvent : class, IIntegrationEvent
{
    private readonly TimeProvider _clock = clock;
    private int _filed;

    protected abstract IEnumerable<Message> Compose(TEvent e);

    protected override async Task HandleAsync(IReadOnlyList<TEvent> messages, DbSession session) =>
        _filed = await NotificationWriter.FileAsync(session, messages.SelectMany(Compose), _clock.GetUtcNow(), options.BundleWindow);

    protected override Task AfterCommitAsync(IReadOnlyList<TEvent> messages)
    {
        if (_filed > 0) signal.Notify();
        return Task.CompletedTask;
    }
}

public sealed class MeasureDueSoonNotifier(Database<NotificationsModule> d, DeliverySignal s, NotificationsOptions o, TimeProvider c) : BatchNotifier<MeasureDueSoon>(d, s, o, c)
{
    protected override IEnumerable<Message> Compose(MeasureDueSoon e) => [Messages.DueSoon(e)];
}

public sealed class MeasureOverdueNotifier(Database<NotificationsModule> d, DeliverySignal s, NotificationsOptions o, TimeProvider c) : BatchNotifier<MeasureOverdue>(d, s, o, c)
{
    protected override IEnumerable<Message> Compose(MeasureOverdue e) => [Messages.Overdue(e)];
}

public sealed class MeasureEscalatedNotifier(Database<NotificationsModule> d, DeliverySignal s, NotificationsOptions o, TimeProvider c) : BatchNotifier<MeasureEscalated>(d, s, o, c)
{
    protected override IEnumerable<Message> Compose(MeasureEscalated e) => [Messages.Escalated(e)];
}

public sealed class ReportDueSoonNotifier(Database<NotificationsModule> d, DeliverySignal s, NotificationsOptions o, TimeProvider c) : BatchNotifier<ReportDueSoon>(d, s, o, c)
{
    protected override IEnumerable<Message> Compose(ReportDueSoon e) => [Messages.ReportDueSoon(e)];
}

/// <summary>The township is told at once; the county hears of it in its single daily digest, never one message per township.</summary>
public sealed class ReportMissingNotifier(Database<NotificationsModule> d, DeliverySignal s, NotificationsOptions o, TimeProvider c) : NotifyingConsumer<ReportMissing>(d, s, o, c)
{
    protected override IEnumerable<Message> Compose(ReportMissing e) => [Messages.ReportMissing(e)];

    protected override async Task HandleAsync(ReportMissing message, DbSession session)
    {
        await base.HandleAsync(message, session);
        await session.ExecuteAsync("DELETE FROM digest_items WHERE county_code = @CountyCode AND period = @Period AND township_code = @TownshipCode", message);
        await session.ExecuteAsync("""
            INSERT INTO digest_items (county_code, period, township_code, township_name, noted_on, digested)
            VALUES (@CountyCode, @Period, @TownshipCode, @TownshipName, @on, @no)
            """, new { message.CountyCode, message.Period, message.TownshipCode, message.TownshipName, on = Clock.Today(), no = false });
    }
}

public sealed class ReportReturnedNotifier(Database<NotificationsModule> d, DeliverySignal s, NotificationsOptions o, TimeProvider c) : NotifyingConsumer<ReportReturned>(d, s, o, c)
{
    protected override IEnumerable<Message> Compose(ReportReturned e) => [Messages.ReportReturned(e)];
}

public sealed class TargetsDesignatedNotifier(Database<NotificationsModule> d, DeliverySignal s, NotificationsOptions o, TimeProvider c) : NotifyingConsumer<TargetsDesignated>(d, s, o, c)
{
    protected override IEnumerable<Message> Compose(TargetsDesignated e) => Messages.Designated(e);
}

public sealed class AcceptanceFailedNotifier(Database<NotificationsModule> d, DeliverySignal s, NotificationsOptions o, TimeProvider c) : NotifyingConsumer<AcceptanceFailed>(d, s, o, c)
{
    protected override IEnumerable<Message> Compose(AcceptanceFailed e) => Messages.AcceptanceFailed(e);
}

/// <summary>A look-back falling due or overdue: the township and the county are told.</summary>
public sealed class LookBackDueSoonNotifier(Database<NotificationsModule> d, DeliverySignal s, NotificationsOptions o, TimeProvider c) : BatchNotifier<LookBackDueSoon>(d, s, o, c)
{
    protected override IEnumerable<Message> Compose(LookBackDueSoon e) => Messages.LookBackDueSoon(e);
}

public sealed class LookBackOverdueNotifier(Database<NotificationsModule> d, DeliverySignal s, NotificationsOptions o, TimeProvider c) : BatchNotifier<LookBackOverdue>(d, s, o, c)
{
    protected override IEnumerable<Message> Compose(LookBackOverdue e) => Messages.LookBackOverdue(e);
}
