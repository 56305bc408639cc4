using System.Text.Json;
using Rectify.Events.Measures;
using Rectify.Events.Reporting;

namespace Rectify.Gateway.ReadModel;

/// <summary>A unit of the tree: names for the drill-down and closing dates for the denominators.</summary>
public sealed class UnitRow
{
    public string Code { get; set; } = "";
    public string Name { get; set; } = "";
    public string? ParentCode { get; set; }
    public DateOnly? ClosedOn { get; set; }
}

/// <summary>A designated target and its status (1 designated, 2 transformed, 3 reopened).</summary>
public sealed class TargetRow
{
    public string VillageCode { get; set; } = "";
    public int CampaignYear { get; set; }
    public string VillageName { get; set; } = "";
    public int Status { get; set; }
    public DateOnly DesignatedOn { get; set; }
    public DateTime AsOf { get; set; }

    // Derived once: every query groups targets by township and county.
    private string? _township, _county;
    public string TownshipCode => _township ??= VillageCode[..9] + "000";
    public string CountyCode => _county ??= VillageCode[..6] + "000000";
}

/// <summary>A target's plan, as far as progress needs it: its phases in order.</summary>
public sealed class PlanRow
{
    public string VillageCode { get; set; } = "";
    public int CampaignYear { get; set; }
    /// <summary>JSON array of the plan's phases.</summary>
    public string Phases { get; set; } = "[]";

    private IReadOnlyList<PlanPhase>? _phases;
    public IReadOnlyList<PlanPhase> PhaseList => _phases ??= JsonSerializer.Deserialize<List<PlanPhase>>(Phases)!;
}

/// <summary>A measure as far as progress needs it: its deadline, its status, and when it was completed and closed.</summary>
public sealed class MeasureRow
{
    public string Id { get; set; } = "";
    public string VillageCode { get; set; } = "";
    public int CampaignYear { get; set; }
    public DateOnly Deadline { get; set; }
    public int Status { get; set; }
    public DateOnly? CompletedOn { get; set; }
    public DateOnly? ClosedOn { get; set; }
    public DateTime AsOf { get; set; }

    /// <summary>Still owing work on that date: not yet completed (a reopening clears both dates).</summary>
    public bool IsOpenOn(DateOnly date) => CompletedOn is { } completed ? date < completed : ClosedOn is not { } closed || date < closed;

    public bool IsOverdueOn(DateOnly date) => IsOpenOn(date) && Deadline < date;

    public bool IsClosedBy(DateOnly date) => ClosedOn is { } closed && closed <= date;

    /// <summary>Reported completed and awaiting verification (销号) on that date.</summary>
    public bool IsCompletedOn(DateOnly date) => CompletedOn is { } completed && completed <= date && !IsClosedBy(date);
}

/// <summary>The latest state of a unit's report for a month: status, its first submission's timeliness, its indicator totals.</summary>
public sealed class ReportRow
{
    public string UnitCode { get; set; } = "";
    public string Period { get; set; } = "";
    public int Kind { get; set; }
    public int Status { get; set; }
    public int Timeliness { get; set; }
    public string Totals { get; set; } = "";
    public DateTime AsOf { get; set; }

    private ReportIndicators? _totals;
    public ReportIndicators TotalList => _totals ??= JsonSerializer.Deserialize<ReportIndicators>(Totals)!;
}
