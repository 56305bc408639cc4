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
    /// <summary>From TargetsDesignated; null on rows written before it was kept.</summary>
    public DateOnly? CampaignEndsOn { get; set; }
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
    /// <summary>The plan's start and its campaign's end, from PlanCreated; null when the event did not carry them.</summary>
    public DateOnly? StartsOn { get; set; }
    public DateOnly? CampaignEndsOn { get; set; }

    private IReadOnlyList<PlanPhase>? _phases;
    public IReadOnlyList<PlanPhase> PhaseList => _phases ??= JsonSerializer.Deserialize<List<PlanPhase>>(Phases)!;
}

/// <summary>One status a measure event reported, with the deadline it had then (a reopening moves the deadline).</summary>
public sealed class StatusChange
{
    public string MeasureId { get; set; } = "";
    /// <summary>The event's time (UTC); OnDate is its date in Shanghai.</summary>
    public DateTime At { get; set; }
    public int Status { get; set; }
    public DateOnly OnDate { get; set; }
    public DateOnly Deadline { get; set; }

    // Of two changes at the same instant, the later step of the workflow is the later change.
    public static readonly IComparer<StatusChange> Order = Comparer<StatusChange>.Create((a, b) => a.At != b.At ? a.At.CompareTo(b.At) : Rank(a.Status).CompareTo(Rank(b.Status)));

    private static int Rank(int status) => status switch { 1 => 0, 5 => 1, 2 => 2, 3 => 3, _ => 4 };
}

/// <summary>
/// A measure as far as progress needs it: its deadline, its status, when it was completed and closed, and its status
/// history, so a past date is answered with the status and deadline the measure had on that date.
/// </summary>
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

    /// <summary>The statuses its events reported, oldest first; empty for a measure consumed before the history was kept.</summary>
    public List<StatusChange> History { get; set; } = [];

    /// <summary>Adds a change in its place in time; the same change twice is kept once.</summary>
    public static void Add(List<StatusChange> history, StatusChange change)
    {
        var at = history.BinarySearch(change, StatusChange.Order);
        if (at < 0) history.Insert(~at, change);
    }

    /// <summary>Its status and deadline at the end of that date; null before it was created.</summary>
    public (int Status, DateOnly Deadline)? StateOn(DateOnly date)
    {
        if (History.Count == 0) return LegacyStateOn(date);
        (int, DateOnly)? state = null;
        foreach (var change in History)
        {
            if (change.OnDate > date) break;
            state = (change.Status, change.Deadline);
        }
        return state;
    }

    // Without history, only the current dates are known: completed from completed_on, closed from closed_on.
    private (int Status, DateOnly Deadline) LegacyStateOn(DateOnly date) =>
        (ClosedOn is { } closed && closed <= date ? 4 : CompletedOn is { } completed && completed <= date ? 3 : Status is 3 or 4 ? 2 : Status, Deadline);

    public bool ExistsOn(DateOnly date) => StateOn(date) is not null;

    /// <summary>Still owing work on that date: not started, in progress or reopened.</summary>
    public bool IsOpenOn(DateOnly date) => StateOn(date) is { Status: 1 or 2 or 5 };

    /// <summary>Open with the deadline it had on that date passed.</summary>
    public bool IsOverdueOn(DateOnly date) => StateOn(date) is { Status: 1 or 2 or 5 } state && state.Deadline < date;

    public bool IsClosedBy(DateOnly date) => StateOn(date) is { Status: 4 };

    /// <summary>Reported completed and awaiting verification (销号) on that date.</summary>
    public bool IsCompletedOn(DateOnly date) => StateOn(date) is { Status: 3 };
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
