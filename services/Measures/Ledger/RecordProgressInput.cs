using Rectify.Measures.V1;
using Rectify.Platform.Errors;

namespace Rectify.Measures.Ledger;

/// <summary>
/// A progress update, checked on its own: the day (today when not given, never in the future), a percent, a note and the
/// evidence (as stored: a JSON list, or null when none). The day is checked against the plan's start in the method.
/// </summary>
public sealed record RecordProgressInput(string MeasureId, DateOnly On, int Percent, string? Note, string? Evidence)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static RecordProgressInput Parse(RecordProgressRequest request, DateOnly today)
    {
        var v = new Violations();
        var id = MeasureWorkflow.CheckId(v, request.MeasureId);
        var on = v.Date("on", request.On, required: false) ?? today;
        v.Check(on <= today, "on", "must not be in the future");
        v.Check(request.Percent is >= 0 and <= 100, "percent", "must be between 0 and 100");
        var note = v.Text("note", request.Note, 4000, required: false);
        var evidence = MeasureWorkflow.CheckEvidence(v, request.Evidence);
        v.ThrowIfAny();
        return new(id!, on, request.Percent, note, evidence);
    }
}
