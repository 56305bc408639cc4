using Rectify.Assessment.V1;
using Rectify.Platform.Errors;

namespace Rectify.Assessment.Identification;

/// <summary>A correction of confirmed scores, checked: the assessment as in <see cref="RecordAssessmentInput"/> and why it is corrected.</summary>
public sealed record CorrectAssessmentInput(RecordAssessmentInput Assessment, string Reason)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static CorrectAssessmentInput Parse(CorrectAssessmentRequest request)
    {
        var v = new Violations();
        var reason = request.Reason?.Trim() ?? "";
        v.Check(reason.Length is > 0 and <= 1000, "reason", "must say why the confirmed scores are corrected (1 to 1000 characters)");
        var assessment = v.Check(request.Assessment is not null, "assessment", "is required") ? RecordAssessmentInput.Collect(v, request.Assessment!) : null;
        v.ThrowIfAny();
        return new(assessment!, reason);
    }
}
