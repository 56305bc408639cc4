using Rectify.Measures.V1;
using Rectify.Platform.Errors;

namespace Rectify.Measures.Ledger;

/// <summary>
/// A measure sent back (回炉), checked on its own: a reason, a new deadline after the day it is reopened (today, or the
/// history's occurred_on); its latest allowed deadline and the history's date are checked against the measure.
/// </summary>
public sealed record ReopenMeasureInput(string MeasureId, string Reason, DateOnly NewDeadline, DateOnly? OccurredOn)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static ReopenMeasureInput Parse(ReopenMeasureRequest request, DateOnly today)
    {
        var v = new Violations();
        var id = MeasureWorkflow.CheckId(v, request.MeasureId);
        var reason = v.Text("reason", request.Reason, 4000);
        var newDeadline = v.Date("new_deadline", request.NewDeadline);
        var occurredOn = MeasureWorkflow.OccurredOn(v, request.OccurredOn, today);
        // Reopened today: a deadline after today; entered as history: after the day it was reopened.
        if (newDeadline is not null)
            v.Check(newDeadline > (occurredOn ?? today), "new_deadline", occurredOn is null ? "must be after today" : "must be after occurred_on");
        v.ThrowIfAny();
        return new(id!, reason!, newDeadline!.Value, occurredOn);
    }
}
