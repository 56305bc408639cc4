using Rectify.Events.Organizations;
using Rectify.Platform.Messaging;
using Rectify.Platform.Storage;

namespace Rectify.Reporting.Directory;

/// <summary>A closed or merged unit leaves the denominators from the month after it closed.</summary>
public sealed class UnitClosedConsumer(Database<ReportingModule> database, TimeProvider clock) : IdempotentConsumer<ReportingModule, UnitClosed>(database, clock)
{
    protected override Task HandleAsync(UnitClosed message, DbSession session) => Closures.RecordAsync(session, message.Code, message.ClosedOn);
}
