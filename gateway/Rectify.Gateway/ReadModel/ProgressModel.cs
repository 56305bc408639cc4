using Dapper;
using Rectify.Common.V1;
using Rectify.Events.Reporting;
using Rectify.Gateway.V1;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Storage;
using ReportStatus = Rectify.Reporting.V1.ReportStatus;
using TargetStatus = Rectify.Assessment.V1.TargetStatus;

namespace Rectify.Gateway.ReadModel;

/// <summary>
/// The gateway's read model in memory: units, targets, measures and reports as
/// the services' events left them. Consumers persist each change and then apply
/// it here, so a query sees a change as soon as its event is consumed — no
/// recomputation from the services, no nightly job. Each unit's progress for a
/// (month, today) is kept once computed, valid while the unit's subtree version
/// stands: a county (or a unit below) counts its own targets; a unit above a
/// county adds up its children's kept progress, every figure being a sum over
/// disjoint children. A change so recomputes only the counties and units on its path.
/// </summary>
public sealed class ProgressModel(ReportingCalendar calendar, TimeProvider clock)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, UnitRow> _units = [];
    // Unit rows by parent code, each list in code order (a sorted list: most parents have a handful of children).
    private readonly Dictionary<string, List<string>> _children = [];
    private readonly Dictionary<(string Village, int Year), TargetRow> _targets = [];
    private readonly Dictionary<(string Village, int Year), PlanRow> _plans = [];
    private readonly Dictionary<string, MeasureRow> _measures = [];
    private readonly Dictionary<(string Village, int Year), Dictionary<string, MeasureRow>> _measuresByTarget = [];
    private readonly Dictionary<(string Unit, string Period), ReportRow> _reports = [];
    private readonly Dictionary<string, List<StatusChange>> _history = [];
    // The version of each unit's subtree: the sequence number of the last change under it. The sequence starts at the
    // model's load time in microseconds, so a version after a restart is never one a dashboard saw before it.
    private readonly Dictionary<string, long> _versions = [];
    private long _sequence = clock.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
    private long _loadedAt;
    // Targets and reports by the county their code lies in (by code, not by rm_units: a target may come before its units),
    // and for each unit above county level its child codes with a county below them, in code order.
    private readonly Dictionary<string, CountyRows> _counties = [];
    private readonly Dictionary<string, List<OrgCode>> _above = [];
    // Reports whose code has no county (none that the services send): matched by prefix on every query, as before.
    private readonly Dictionary<(string Unit, string Period), ReportRow> _unplacedReports = [];
    private long _unplacedVersion;
    // Each unit's computed progress by month, with the subtree version it holds for; all of it is for one day, _keptOn
    // (kept by month: dashboards asking for different months must not undo each other's answers, which cost the whole tree).
    private readonly Dictionary<(string Unit, Month Month), Kept> _kept = [];
    private DateOnly _keptOn;

    private sealed class CountyRows
    {
        public readonly Dictionary<(string Village, int Year), TargetRow> Targets = [];
        public readonly Dictionary<(string Unit, string Period), ReportRow> Reports = [];
    }

    private sealed record Kept(long Version, long Unplaced, Progress Progress);

    /// <summary>Raised after a change, with the code of the unit it concerns; watchers above it wake up.</summary>
    public event Action<string>? Changed;

    /// <summary>
    /// The version of a unit's subtree: it changes when, and only when, a change under the unit (or to the unit itself)
    /// is applied, so equal versions of a unit mean equal data for it, whatever happened elsewhere.
    /// </summary>
    public long VersionOf(OrgCode scope)
    {
        lock (_lock) return VersionOfLocked(scope);
    }

    private long VersionOfLocked(OrgCode scope) => _versions.GetValueOrDefault(scope.Value, _loadedAt);

    public async Task LoadAsync(Database database, CancellationToken ct)
    {
        await database.ReadAsync(async c =>
        {
            foreach (var u in await c.QueryAsync<UnitRow>($"SELECT {ReadModelStore.UnitColumns} FROM rm_units")) Apply(u, notify: false);
            foreach (var t in await c.QueryAsync<TargetRow>($"SELECT {ReadModelStore.TargetColumns} FROM rm_targets")) Apply(t, notify: false);
            foreach (var p in await c.QueryAsync<PlanRow>($"SELECT {ReadModelStore.PlanColumns} FROM rm_plans")) Apply(p, notify: false);
            foreach (var m in await c.QueryAsync<MeasureRow>($"SELECT {ReadModelStore.MeasureColumns} FROM rm_measures")) Apply(m, notify: false);
            foreach (var h in await c.QueryAsync<StatusChange>($"SELECT {ReadModelStore.HistoryColumns} FROM rm_measure_history")) Apply(h, notify: false);
            foreach (var r in await c.QueryAsync<ReportRow>($"SELECT {ReadModelStore.ReportColumns} FROM rm_reports")) Apply(r, notify: false);
            return true;
        }, ct);
        lock (_lock) _loadedAt = _sequence;
    }

    // Consumers apply rows after their commits, in whatever order those after-actions run: a copy with fewer writes than
    // the one held is older and changes nothing.
    private static bool Older(long writes, long held) => writes < held;

    /// <summary>Rows a write changed, applied after its commit (a rebuild's batch).</summary>
    public void ApplyAll(IEnumerable<object> rows)
    {
        foreach (var row in rows)
            switch (row)
            {
                case UnitRow u: Apply(u); break;
                case TargetRow t: Apply(t); break;
                case PlanRow p: Apply(p); break;
                case MeasureRow m: Apply(m); break;
                case StatusChange h: Apply(h); break;
                case ReportRow r: Apply(r); break;
            }
    }

    public void Apply(UnitRow unit, bool notify = true) => Update(unit.Code, notify, () =>
    {
        if (_units.TryGetValue(unit.Code, out var held) && Older(unit.Writes, held.Writes)) return;
        _units[unit.Code] = unit;
        var parent = unit.ParentCode ?? "";
        if (!_children.TryGetValue(parent, out var children)) _children[parent] = children = [];
        var at = children.BinarySearch(unit.Code, StringComparer.Ordinal);
        if (at < 0) children.Insert(~at, unit.Code);
    });

    public void Apply(TargetRow target, bool notify = true) => Update(target.VillageCode, notify, () =>
    {
        var key = (target.VillageCode, target.CampaignYear);
        if (_targets.TryGetValue(key, out var held) && Older(target.Writes, held.Writes)) return;
        _targets[key] = target;
        if (CountyFor(target.VillageCode) is { } county) county.Targets[key] = target;
    });

    public void Apply(PlanRow plan, bool notify = true) => Update(plan.VillageCode, notify, () =>
    {
        var key = (plan.VillageCode, plan.CampaignYear);
        if (_plans.TryGetValue(key, out var held) && Older(plan.Writes, held.Writes)) return;
        _plans[key] = plan;
    });

    public void Apply(MeasureRow measure, bool notify = true) => Update(measure.VillageCode, notify, () =>
    {
        if (_measures.TryGetValue(measure.Id, out var held) && Older(measure.Writes, held.Writes)) return;
        // The history lives apart from the row, which each event replaces.
        if (!_history.TryGetValue(measure.Id, out var history)) _history[measure.Id] = history = [];
        measure.History = history;
        _measures[measure.Id] = measure;
        var key = (measure.VillageCode, measure.CampaignYear);
        if (!_measuresByTarget.TryGetValue(key, out var list)) _measuresByTarget[key] = list = [];
        list[measure.Id] = measure;
    });

    public void Apply(ReportRow report, bool notify = true) => Update(report.UnitCode, notify, () =>
    {
        var key = (report.UnitCode, report.Period);
        if (_reports.TryGetValue(key, out var held) && Older(report.Writes, held.Writes)) return;
        _reports[key] = report;
        if (CountyFor(report.UnitCode) is { } county) county.Reports[key] = report;
        else
        {
            _unplacedReports[key] = report;
            _unplacedVersion++;
        }
    });

    /// <summary>The rows of the county a code lies in (created with its place above), or null for a code with no county.</summary>
    private CountyRows? CountyFor(string code)
    {
        if (!OrgCode.TryParse(code, out var parsed, out _) || parsed.IsNation || parsed.Level < OrgLevel.County) return null;
        var county = parsed.AncestorAt(OrgLevel.County);
        if (_counties.TryGetValue(county.Value, out var rows)) return rows;
        _counties[county.Value] = rows = new CountyRows();
        // Link the county to its city, the city to its province, the province to the nation, as far as not yet linked.
        for (var child = county; ;)
        {
            var parent = child.Parent ?? OrgCode.Nation;
            if (!_above.TryGetValue(parent.Value, out var list)) _above[parent.Value] = list = [];
            var at = list.BinarySearch(child, CodeOrder);
            if (at >= 0) break;
            list.Insert(~at, child);
            if (parent.IsNation) break;
            child = parent;
        }
        return rows;
    }

    private static readonly IComparer<OrgCode> CodeOrder = Comparer<OrgCode>.Create((a, b) => string.CompareOrdinal(a.Value, b.Value));

    /// <summary>A status a measure event reported; it may arrive before the measure's row.</summary>
    public void Apply(StatusChange change, bool notify = true)
    {
        string? code;
        lock (_lock)
        {
            if (!_history.TryGetValue(change.MeasureId, out var history)) _history[change.MeasureId] = history = [];
            MeasureRow.Add(history, change);
            code = _measures.GetValueOrDefault(change.MeasureId)?.VillageCode;
        }
        if (code is not null) Update(code, notify, () => { });
    }

    private void Update(string code, bool notify, Action change)
    {
        lock (_lock)
        {
            change();
            // The unit and every unit above it see a new version; no other unit does.
            var version = ++_sequence;
            _versions[OrgCode.Nation.Value] = version;
            if (OrgCode.TryParse(code, out var changed, out _))
                for (var level = OrgLevel.Province; level <= changed.Level; level++)
                    _versions[changed.AncestorAt(level).Value] = version;
        }
        if (notify) Changed?.Invoke(code);
    }

    public string? NameOf(string code)
    {
        lock (_lock) return _units.GetValueOrDefault(code)?.Name;
    }

    /// <summary>Closed before the month began: out of the month's denominators (a village, or the township it was in).</summary>
    private bool ClosedBefore(string code, DateOnly first) => _units.TryGetValue(code, out var u) && u.ClosedOn is { } closed && closed < first;

    private sealed class Tally
    {
        public readonly TargetCounts Targets = new();
        public readonly MeasureCounts Measures = new();
        public readonly ReportCounts Reports = new();
        public readonly Dictionary<string, int> Phases = [];
        public readonly HashSet<string> Townships = [];
        public readonly HashSet<string> Counties = [];

        public void Finish(ProgressModel model, Month month, DateOnly today)
        {
            Measures.CompletionRate = Measures.Total == 0 ? 0 : (double)(Measures.Completed + Measures.Closed) / Measures.Total;
            Targets.ByPhase.AddRange(Phases.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new PhaseCount { Phase = p.Key, Targets = p.Value }));
            model.CountReports(Reports, Townships, Counties, month, today);
        }
    }

    /// <summary>A unit's progress for a month over its whole subtree, with one row per child unit and the month-by-month trend.</summary>
    public Progress Progress(OrgCode scope, Month month, DateOnly today)
    {
        // A copy: the kept answer is shared by every later query of the unit.
        lock (_lock) return ProgressOf(scope, month, today).Clone();
    }

    /// <summary>Computes and keeps a unit's progress (and so its whole subtree's) ahead of the first query that would pay for it.</summary>
    public void Keep(OrgCode scope, Month month, DateOnly today)
    {
        lock (_lock) ProgressOf(scope, month, today);
    }

    /// <summary>Whether a query of the unit for the month and day would be answered from kept progress, nothing recounted.</summary>
    public bool IsKept(OrgCode scope, Month month, DateOnly today)
    {
        lock (_lock) return KeptProgress(scope, month, today) is not null;
    }

    /// <summary>
    /// The unit's kept progress while nothing it depends on changed, else null. A township's or a village's answer also
    /// depends on rows of its county outside its subtree (the county's summary report, the township's closing): it holds
    /// while the county's version stands.
    /// </summary>
    private Progress? KeptProgress(OrgCode scope, Month month, DateOnly today) =>
        today == _keptOn && _kept.TryGetValue((scope.Value, month), out var kept) && kept.Unplaced == _unplacedVersion && kept.Version == DependedOnVersion(scope)
            ? kept.Progress : null;

    private long DependedOnVersion(OrgCode scope) => VersionOfLocked(scope.IsNation || scope.Level <= OrgLevel.County ? scope : scope.AncestorAt(OrgLevel.County));

    /// <summary>The unit's kept progress while nothing it depends on changed (and for the same month and day), else computed and kept.</summary>
    private Progress ProgressOf(OrgCode scope, Month month, DateOnly today)
    {
        if (today != _keptOn)
        {
            _kept.Clear();
            _keptOn = today;
        }
        if (KeptProgress(scope, month, today) is { } kept) return kept;
        var version = DependedOnVersion(scope);
        var progress = scope.IsNation || scope.Level < OrgLevel.County ? AddUp(scope, month, today) : CountTargets(scope, month, today);
        _kept[(scope.Value, month)] = new Kept(version, _unplacedVersion, progress);
        return progress;
    }

    /// <summary>A county or a unit below it: its targets counted one by one, as they lie in one county.</summary>
    private Progress CountTargets(OrgCode scope, Month month, DateOnly today)
    {
        var asOf = today < month.LastDay ? today : month.LastDay;
        var rows = _counties.GetValueOrDefault(scope.AncestorAt(OrgLevel.County).Value);
        var targets = rows?.Targets.Values ?? (IEnumerable<TargetRow>)[];
        var total = new Tally();
        var children = new SortedDictionary<string, Tally>(StringComparer.Ordinal);
        var childLevel = scope.Level == OrgLevel.Village ? OrgLevel.Unspecified : scope.Level + 1;
        foreach (var target in ActiveTargets(targets, scope, month))
        {
            Count(total, target, asOf);
            if (childLevel == OrgLevel.Unspecified) continue;
            var child = target.Village.AncestorAt(childLevel).Value;
            if (!children.TryGetValue(child, out var tally)) children[child] = tally = new Tally();
            Count(tally, target, asOf);
        }
        // Open child units without targets still get their (empty) row.
        foreach (var code in _children.GetValueOrDefault(scope.Value) ?? [])
            if (childLevel != OrgLevel.Unspecified && !(_units[code].ClosedOn < month.FirstDay) && !children.ContainsKey(code)) children[code] = new Tally();

        total.Finish(this, month, today);
        var progress = new Progress
        {
            UnitCode = scope.Value, UnitName = _units.GetValueOrDefault(scope.Value)?.Name ?? "", Level = scope.Level, Period = month.ToProto(),
            AsOf = asOf.ToProto(), Targets = total.Targets, Measures = total.Measures, Reports = total.Reports,
            Indicators = Indicators((rows?.Reports.Values ?? (IEnumerable<ReportRow>)[]).Concat(_unplacedReports.Values), scope, month), Version = VersionOfLocked(scope),
        };
        foreach (var (code, tally) in children)
        {
            tally.Finish(this, month, today);
            progress.Children.Add(new ChildProgress { UnitCode = code, UnitName = _units.GetValueOrDefault(code)?.Name ?? "", Targets = tally.Targets, Measures = tally.Measures, Reports = tally.Reports });
        }
        AddTrend(progress, targets, scope, month, today, total);
        return progress;
    }

    /// <summary>
    /// A unit above county level (or the nation): the sum of its children's progress. Its targets, measures, reports,
    /// indicators and trend are each a sum over targets and reports, which lie in exactly one child; its townships and
    /// counties (whose reports are expected) too. A child with active targets gets its row, and so does an open child unit.
    /// </summary>
    private Progress AddUp(OrgCode scope, Month month, DateOnly today)
    {
        var asOf = today < month.LastDay ? today : month.LastDay;
        var targets = new TargetCounts();
        var measures = new MeasureCounts();
        var reports = new ReportCounts();
        var indicators = new Reporting.V1.Indicators();
        var phases = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var trend = new MonthProgress[month.Number - 1];
        for (var k = 1; k < month.Number; k++) trend[k - 1] = new MonthProgress { Period = new Month(month.Year, k).ToProto(), Reports = new ReportCounts() };
        var rows = new List<ChildProgress>();
        foreach (var code in _above.GetValueOrDefault(scope.Value) ?? [])
        {
            var child = ProgressOf(code, month, today);
            Add(targets, child.Targets);
            foreach (var phase in child.Targets.ByPhase) phases[phase.Phase] = phases.GetValueOrDefault(phase.Phase) + phase.Targets;
            measures.Total += child.Measures.Total;
            measures.Completed += child.Measures.Completed;
            measures.Closed += child.Measures.Closed;
            measures.Overdue += child.Measures.Overdue;
            Add(reports, child.Reports);
            indicators.Add(child.Indicators);
            for (var k = 0; k < trend.Length; k++)
            {
                Add(trend[k].Reports, child.Trend[k].Reports);
                trend[k].MeasuresClosed += child.Trend[k].MeasuresClosed;
                trend[k].MeasuresCompleted += child.Trend[k].MeasuresCompleted;
                trend[k].MeasuresOverdue += child.Trend[k].MeasuresOverdue;
            }
            if (child.Targets.Total > 0)
                rows.Add(new ChildProgress { UnitCode = code.Value, UnitName = child.UnitName, Targets = child.Targets, Measures = child.Measures, Reports = child.Reports });
        }
        // Reports with no county are summed where their code matches, as a query over all reports would.
        indicators.Add(Indicators(_unplacedReports.Values, scope, month));
        measures.CompletionRate = measures.Total == 0 ? 0 : (double)(measures.Completed + measures.Closed) / measures.Total;
        targets.ByPhase.AddRange(phases.Select(p => new PhaseCount { Phase = p.Key, Targets = p.Value }));
        // Open child units without targets still get their (empty) row.
        foreach (var code in _children.GetValueOrDefault(scope.IsNation ? "" : scope.Value) ?? [])
            if (!(_units[code].ClosedOn < month.FirstDay) && !rows.Exists(r => r.UnitCode == code))
                rows.Add(new ChildProgress { UnitCode = code, UnitName = _units.GetValueOrDefault(code)?.Name ?? "", Targets = new TargetCounts(), Measures = new MeasureCounts(), Reports = new ReportCounts() });
        rows.Sort((a, b) => string.CompareOrdinal(a.UnitCode, b.UnitCode));

        var progress = new Progress
        {
            UnitCode = scope.Value, UnitName = _units.GetValueOrDefault(scope.Value)?.Name ?? "", Level = scope.Level, Period = month.ToProto(),
            AsOf = asOf.ToProto(), Targets = targets, Measures = measures, Reports = reports, Indicators = indicators, Version = VersionOfLocked(scope),
        };
        progress.Children.AddRange(rows);
        progress.Trend.AddRange(trend);
        progress.Trend.Add(new MonthProgress
        {
            Period = month.ToProto(), Reports = reports.Clone(), MeasuresClosed = measures.Closed, MeasuresCompleted = measures.Completed, MeasuresOverdue = measures.Overdue,
        });
        return progress;
    }

    private static void Add(TargetCounts sum, TargetCounts part)
    {
        sum.Total += part.Total;
        sum.Designated += part.Designated;
        sum.Transformed += part.Transformed;
        sum.Reopened += part.Reopened;
    }

    private static void Add(ReportCounts sum, ReportCounts part)
    {
        sum.Expected += part.Expected;
        sum.Received += part.Received;
        sum.OnTime += part.OnTime;
        sum.Late += part.Late;
        sum.Missing += part.Missing;
        sum.Pending += part.Pending;
        sum.Accepted += part.Accepted;
        sum.CountySummariesExpected += part.CountySummariesExpected;
        sum.CountySummariesReceived += part.CountySummariesReceived;
    }

    /// <summary>
    /// The month-by-month trend of the campaign up to the month. Each earlier month is counted at its last day as it
    /// was then: each target active that month, each measure in the status and with the deadline its history gives
    /// for that day (a measure completed in May and reopened in August counts as completed in June and July). The month
    /// itself is the progress just counted.
    /// </summary>
    private void AddTrend(Progress progress, IEnumerable<TargetRow> targets, OrgCode scope, Month month, DateOnly today, Tally current)
    {
        var last = month.Number;
        var closed = new int[last + 1];
        var completed = new int[last + 1];
        var overdue = new int[last + 1];
        var townships = Enumerable.Range(0, last + 1).Select(_ => new HashSet<string>()).ToArray();
        var counties = Enumerable.Range(0, last + 1).Select(_ => new HashSet<string>()).ToArray();
        int Index(DateOnly date) => date.Year < month.Year ? 0 : date.Year > month.Year ? last + 1 : date.Month;
        var prefix = scope.Prefix;
        foreach (var target in targets)
        {
            if (target.CampaignYear != month.Year || !target.VillageCode.StartsWith(prefix, StringComparison.Ordinal)) continue;
            // Active from its designation's month to the month it (or its township) closed, and before the month asked.
            var from = Math.Max(1, Index(target.DesignatedOn));
            var to = last - 1;
            if (_units.GetValueOrDefault(target.VillageCode)?.ClosedOn is { } villageClosed) to = Math.Min(to, Index(villageClosed));
            if (_units.GetValueOrDefault(target.TownshipCode)?.ClosedOn is { } townshipClosed) to = Math.Min(to, Index(townshipClosed));
            for (var k = from; k <= to; k++)
            {
                townships[k].Add(target.TownshipCode);
                counties[k].Add(target.CountyCode);
                var end = new Month(month.Year, k).LastDay;
                foreach (var measure in MeasuresOf(target))
                {
                    if (measure.IsClosedBy(end)) closed[k]++;
                    else if (measure.IsCompletedOn(end)) completed[k]++;
                    if (measure.IsOverdueOn(end)) overdue[k]++;
                }
            }
        }
        for (var k = 1; k < last; k++)
        {
            var m = new Month(month.Year, k);
            var reports = new ReportCounts();
            CountReports(reports, townships[k], counties[k], m, today);
            progress.Trend.Add(new MonthProgress { Period = m.ToProto(), Reports = reports, MeasuresClosed = closed[k], MeasuresCompleted = completed[k], MeasuresOverdue = overdue[k] });
        }
        progress.Trend.Add(new MonthProgress
        {
            Period = month.ToProto(), Reports = current.Reports.Clone(), MeasuresClosed = current.Measures.Closed, MeasuresCompleted = current.Measures.Completed,
            MeasuresOverdue = current.Measures.Overdue,
        });
    }

    /// <summary>The shared phase rule (Platform/TargetPhase.cs) over the plan's phases and the campaign's dates.</summary>
    private TargetPhase PhaseOf(TargetRow target, DateOnly date)
    {
        if (!_plans.TryGetValue((target.VillageCode, target.CampaignYear), out var plan)) return TargetPhase.NoPlan;
        var campaignEnd = plan.CampaignEndsOn ?? target.CampaignEndsOn ?? TargetPhase.DefaultCampaignEnd(target.CampaignYear);
        return TargetPhase.At(plan.PhaseList, plan.StartsOn, campaignEnd, date);
    }

    private IEnumerable<MeasureRow> MeasuresOf(TargetRow target) =>
        _measuresByTarget.TryGetValue((target.VillageCode, target.CampaignYear), out var measures) ? measures.Values : [];

    /// <summary>The targets of the month's campaign under the scope, designated by the month's end and not closed before it began.</summary>
    private IEnumerable<TargetRow> ActiveTargets(IEnumerable<TargetRow> targets, OrgCode scope, Month month)
    {
        var prefix = scope.Prefix;
        return targets.Where(t => t.CampaignYear == month.Year && t.DesignatedOn <= month.LastDay
            && t.VillageCode.StartsWith(prefix, StringComparison.Ordinal)
            && !ClosedBefore(t.VillageCode, month.FirstDay) && !ClosedBefore(t.TownshipCode, month.FirstDay));
    }

    private void Count(Tally tally, TargetRow target, DateOnly asOf)
    {
        tally.Targets.Total++;
        switch (target.Status)
        {
            case TargetStatus.Transformed: tally.Targets.Transformed++; break;
            case TargetStatus.Reopened: tally.Targets.Reopened++; break;
            default: tally.Targets.Designated++; break;
        }
        var phase = PhaseOf(target, asOf).Name;
        tally.Phases[phase] = tally.Phases.GetValueOrDefault(phase) + 1;
        tally.Townships.Add(target.TownshipCode);
        tally.Counties.Add(target.CountyCode);
        foreach (var measure in MeasuresOf(target))
        {
            if (!measure.ExistsOn(asOf)) continue;
            tally.Measures.Total++;
            if (measure.IsClosedBy(asOf)) tally.Measures.Closed++;
            else if (measure.IsCompletedOn(asOf)) tally.Measures.Completed++;
            if (measure.IsOverdueOn(asOf)) tally.Measures.Overdue++;
        }
    }

    /// <summary>
    /// Reports of the month: expected from every township with an active target, and county summaries from every
    /// such county. Missing is judged on today, not on the month's end: a report is missing once its due day has passed.
    /// </summary>
    private void CountReports(ReportCounts counts, HashSet<string> townships, HashSet<string> counties, Month month, DateOnly today)
    {
        var period = month.ToString();
        foreach (var township in townships)
        {
            counts.Expected++;
            if (_reports.TryGetValue((township, period), out var report) && report.Timeliness is Timeliness.OnTime or Timeliness.Late)
            {
                counts.Received++;
                if (report.Timeliness == Timeliness.OnTime) counts.OnTime++; else counts.Late++;
                if (report.Status == ReportStatus.Accepted) counts.Accepted++;
            }
            else if (calendar.Missing(month, today)) counts.Missing++; // the period rule the reporting service applies
            else counts.Pending++;
        }
        foreach (var county in counties)
        {
            counts.CountySummariesExpected++;
            if (_reports.TryGetValue((county, period), out var summary) && summary.Timeliness is Timeliness.OnTime or Timeliness.Late) counts.CountySummariesReceived++;
        }
    }

    private static Reporting.V1.Indicators Indicators(IEnumerable<ReportRow> reports, OrgCode scope, Month month)
    {
        var sum = new Reporting.V1.Indicators();
        var period = month.ToString();
        var prefix = scope.Prefix;
        foreach (var report in reports.Where(r => r.Period == period && r.Kind == ReportKind.Township && r.Timeliness is Timeliness.OnTime or Timeliness.Late && r.UnitCode.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var t = report.TotalList;
            sum.Add(new Reporting.V1.Indicators
            {
                MeetingsHeld = t.MeetingsHeld, Trainings = t.Trainings, MembersDeveloped = t.MembersDeveloped, ServicesForPeople = t.ServicesForPeople,
                DisputesMediated = t.DisputesMediated, CollectiveIncomeToDateYuan = t.CollectiveIncomeToDateYuan,
            });
        }
        return sum;
    }
}
