using System.Text.Json;
using Rectify.Common.V1;
using Rectify.Events.Measures;
using Rectify.Events.Reporting;
using Rectify.Kernel;
using Rectify.Platform;
// Target and report statuses are the read model's own, derived from which event came: the proto's enums name them.
using ReportStatus = Rectify.Reporting.V1.ReportStatus;
using TargetStatus = Rectify.Assessment.V1.TargetStatus;

namespace Rectify.Gateway.ReadModel;

/// <summary>A unit of the tree: names for the drill-down and closing dates for the denominators.</summary>
public sealed class UnitRow
{
    public string Code { get; set; } = "";
    public string Name { get; set; } = "";
    public string? ParentCode { get; set; }
    public DateOnly? ClosedOn { get; set; }
    /// <summary>The gateway's own writes of the row: of two copies, the model keeps the one with more.</summary>
    public long Writes { get; set; }
}

/// <summary>A designated target and its status (designated, transformed or reopened).</summary>
public sealed class TargetRow
{
    public string VillageCode { get; set; } = "";
    public int CampaignYear { get; set; }
    public string VillageName { get; set; } = "";
    public TargetStatus Status { get; set; }
    public DateOnly DesignatedOn { get; set; }
    /// <summary>From TargetsDesignated; null on rows written before it was kept.</summary>
    public DateOnly? CampaignEndsOn { get; set; }
    public DateTime AsOf { get; set; }
    /// <summary>The assessment service's version of the target whose status the row holds; 0 before versions.</summary>
    public long Version { get; set; }
    /// <summary>The version of the designation the name and dates come from; 0 while only a status event has named the target.</summary>
    public long FactsVersion { get; set; }
    /// <summary>The gateway's own writes of the row: of two copies, the model keeps the one with more.</summary>
    public long Writes { get; set; }

    // Derived once: every query groups targets by township and county.
    private OrgCode? _village;
    private string? _township, _county;
    public OrgCode Village => _village ??= OrgCode.Parse(VillageCode);
    public string TownshipCode => _township ??= Village.AncestorAt(OrgLevel.Township).Value;
    public string CountyCode => _county ??= Village.AncestorAt(OrgLevel.County).Value;
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
    /// <summary>The gateway's own writes of the row: of two copies, the model keeps the one with more.</summary>
    public long Writes { get; set; }

    private IReadOnlyList<PlanPhase>? _phases;
    public IReadOnlyList<PlanPhase> PhaseList => _phases ??= JsonSerializer.Deserialize<List<PlanPhase>>(Phases)!;
}

/// <summary>One status a measure event reported, with the deadline it had then (a reopening moves the deadline).</summary>
public sealed class StatusChange
{
    public string MeasureId { get; set; } = "";
    /// <summary>The event's time (UTC); OnDate is its date in Shanghai.</summary>
    public DateTime At { get; set; }
    public MeasureStatus Status { get; set; }
    public DateOnly OnDate { get; set; }
    public DateOnly Deadline { get; set; }

    // Of two changes at the same instant, the later step of the workflow is the later change.
    public static readonly IComparer<StatusChange> Order = Comparer<StatusChange>.Create((a, b) => a.At != b.At ? a.At.CompareTo(b.At) : Rank(a.Status).CompareTo(Rank(b.Status)));

    private static int Rank(MeasureStatus status) => status switch
    {
        MeasureStatus.NotStarted => 0, MeasureStatus.Reopened => 1, MeasureStatus.InProgress => 2, MeasureStatus.Completed => 3, _ => 4,
    };
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
    public MeasureStatus Status { get; set; }
    public DateOnly? CompletedOn { get; set; }
    public DateOnly? ClosedOn { get; set; }
    public DateTime AsOf { get; set; }
    /// <summary>The measures service's version of the measure; 0 before versions.</summary>
    public long Version { get; set; }
    /// <summary>The gateway's own writes of the row: of two copies, the model keeps the one with more.</summary>
    public long Writes { get; set; }

    /// <summary>The statuses its events reported, oldest first; empty for a measure consumed before the history was kept.</summary>
    public List<StatusChange> History { get; set; } = [];

    /// <summary>Adds a change in its place in time; the same change twice is kept once.</summary>
    public static void Add(List<StatusChange> history, StatusChange change)
    {
        var at = history.BinarySearch(change, StatusChange.Order);
        if (at < 0) history.Insert(~at, change);
    }

    /// <summary>Its status and deadline at the end of that date; null before it was created.</summary>
    public (MeasureStatus Status, DateOnly Deadline)? StateOn(DateOnly date)
    {
        if (History.Count == 0) return LegacyStateOn(date);
        (MeasureStatus, DateOnly)? state = null;
        foreach (var change in History)
        {
            if (change.OnDate > date) break;
            state = (change.Status, change.Deadline);
        }
        return state;
    }

    // Without history, only the current dates are known: completed from completed_on, closed from closed_on.
    private (MeasureStatus Status, DateOnly Deadline) LegacyStateOn(DateOnly date) =>
        (ClosedOn is { } closed && closed <= date ? MeasureStatus.Closed
            : CompletedOn is { } completed && completed <= date ? MeasureStatus.Completed
            : Status is MeasureStatus.Completed or MeasureStatus.Closed ? MeasureStatus.InProgress : Status, Deadline);

    public bool ExistsOn(DateOnly date) => StateOn(date) is not null;

    /// <summary>Still owing work on that date: not started, in progress or reopened.</summary>
    public bool IsOpenOn(DateOnly date) => StateOn(date) is { } state && IsOpen(state.Status);

    /// <summary>Open with the deadline it had on that date passed.</summary>
    public bool IsOverdueOn(DateOnly date) => StateOn(date) is { } state && IsOpen(state.Status) && state.Deadline < date;

    private static bool IsOpen(MeasureStatus status) => status is MeasureStatus.NotStarted or MeasureStatus.InProgress or MeasureStatus.Reopened;

    public bool IsClosedBy(DateOnly date) => StateOn(date) is { Status: MeasureStatus.Closed };

    /// <summary>Reported completed and awaiting verification (销号) on that date.</summary>
    public bool IsCompletedOn(DateOnly date) => StateOn(date) is { Status: MeasureStatus.Completed };
}

/// <summary>The latest state of a unit's report for a month: status, its first submission's timeliness, its indicator totals.</summary>
public sealed class ReportRow
{
    public string UnitCode { get; set; } = "";
    public string Period { get; set; } = "";
    public ReportKind Kind { get; set; }
    public ReportStatus Status { get; set; }
    public Timeliness Timeliness { get; set; }
    public string Totals { get; set; } = "";
    public DateTime AsOf { get; set; }
    /// <summary>The report's version (ReportVersion: revision and step) whose status the row holds.</summary>
    public long Version { get; set; }
    /// <summary>The version of the submission the totals and kind come from; 0 while only a review has named the report.</summary>
    public long TotalsVersion { get; set; }
    /// <summary>The gateway's own writes of the row: of two copies, the model keeps the one with more.</summary>
    public long Writes { get; set; }

    private ReportIndicators? _totals;
    public ReportIndicators TotalList => _totals ??= JsonSerializer.Deserialize<ReportIndicators>(Totals)!;
}
