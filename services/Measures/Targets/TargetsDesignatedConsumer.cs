using Rectify.Events.Assessment;
using Rectify.Platform.Messaging;
using Rectify.Platform.Storage;

namespace Rectify.Measures.Targets;

/// <summary>Learns the campaign's targets from the assessment service; plans are accepted for these only.</summary>
public sealed class TargetsDesignatedConsumer(Database<MeasuresModule> database, TimeProvider clock)
    : IdempotentConsumer<MeasuresModule, TargetsDesignated>(database, clock)
{
    protected override Task HandleAsync(TargetsDesignated message, DbSession session) => TargetRegistry.RecordAsync(session, message);
}
