namespace Rectify.Measures.Plans;

/// <summary>A problem of a plan being created, checked on its own: its category code and description trimmed, its measures checked.</summary>
public sealed record PlannedProblem(string CategoryCode, string Description, IReadOnlyList<PlannedMeasure> Measures);
