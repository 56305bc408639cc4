using Rectify.Organizations.V1;

namespace Rectify.Organizations.Units;

/// <summary>A row of the units table.</summary>
public sealed class UnitRow
{
    public string Code { get; set; } = "";
    public string Name { get; set; } = "";
    public int Level { get; set; }
    public string? ParentCode { get; set; }
    public int Status { get; set; }
    public DateOnly? ClosedOn { get; set; }
    public string? MergedInto { get; set; }

    public bool IsActive => Status == (int)UnitStatus.Active;
}

/// <summary>A row of unit_changes, the unit's history.</summary>
public sealed class UnitChangeRow
{
    public string Code { get; set; } = "";
    public int Kind { get; set; }
    public string? OldName { get; set; }
    public string? NewName { get; set; }
    public string? RelatedCode { get; set; }
    public DateOnly? EffectiveOn { get; set; }
    public string? Reason { get; set; }
    public string RecordedBy { get; set; } = "";
    public DateTime RecordedAt { get; set; }
}
