using Rectify.Events.Organizations;
using Rectify.Platform.Messaging;
using Rectify.Platform.Storage;

namespace Rectify.Reporting.Directory;

public sealed class UnitMergedConsumer(Database<ReportingModule> database, TimeProvider clock) : IdempotentConsumer<ReportingModule, UnitMerged>(database, clock)
{
    protected override Task HandleAsync(UnitMerged message, DbSession session) => Closures.RecordAsync(session, message.Code, message.EffectiveOn);
}
