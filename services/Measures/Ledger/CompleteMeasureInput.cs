using Rectify.Measures.V1;
using Rectify.Platform.Errors;

namespace Rectify.Measures.Ledger;

/// <summary>
/// A measure reported completed, checked on its own: a note, the evidence (as stored: a JSON list, or null when none) and,
/// for an ended campaign's history, the day it happened (not in the future; the rest is checked against the measure).
/// </summary>
public sealed record CompleteMeasureInput(string MeasureId, string? Note, string? Evidence, DateOnly? OccurredOn)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static CompleteMeasureInput Parse(CompleteMeasureRequest request, DateOnly today)
    {
        var v = new Violations();
        var id = MeasureWorkflow.CheckId(v, request.MeasureId);
        var note = v.Text("note", request.Note, 4000, required: false);
        var evidence = MeasureWorkflow.CheckEvidence(v, request.Evidence);
        var occurredOn = MeasureWorkflow.OccurredOn(v, request.OccurredOn, today);
        v.ThrowIfAny();
        return new(id!, note, evidence, occurredOn);
    }
}
