using Rectify.Measures.V1;
using Rectify.Platform.Errors;

namespace Rectify.Measures.Ledger;

/// <summary>One measure to read with its history, by its id.</summary>
public sealed record GetMeasureInput(string MeasureId)
{
    /// <summary>The id checked (InvalidArgument on measure_id when it is not a measure id).</summary>
    public static GetMeasureInput Parse(GetMeasureRequest request) =>
        Guid.TryParse(request.MeasureId, out _) ? new(request.MeasureId) : throw ValidationException.For("measure_id", "must be a measure id");
}
