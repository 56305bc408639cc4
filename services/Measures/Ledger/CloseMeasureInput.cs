using Rectify.Measures.V1;
using Rectify.Platform.Errors;

namespace Rectify.Measures.Ledger;

/// <summary>
/// A measure closed (销号), checked on its own: who verified it, a note and, for an ended campaign's history, the day it
/// happened (not in the future; the rest is checked against the measure).
/// </summary>
public sealed record CloseMeasureInput(string MeasureId, string Verifier, string? Note, DateOnly? OccurredOn)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static CloseMeasureInput Parse(CloseMeasureRequest request, DateOnly today)
    {
        var v = new Violations();
        var id = MeasureWorkflow.CheckId(v, request.MeasureId);
        var verifier = v.Text("verifier", request.Verifier, 50);
        var note = v.Text("note", request.Note, 4000, required: false);
        var occurredOn = MeasureWorkflow.OccurredOn(v, request.OccurredOn, today);
        v.ThrowIfAny();
        return new(id!, verifier!, note, occurredOn);
    }
}
