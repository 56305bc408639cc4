using System.Text.Json;
using Rectify.Common.V1;
using Microsoft.Extensions.Time.Testing;
using Rectify.Events.Measures;
using Rectify.Events.Reporting;
using Rectify.Gateway.ReadModel;
using Rectify.Gateway.V1;
using Rectify.Kernel;
using Rectify.Platform;
using ReportStatus = Rectify.Reporting.V1.ReportStatus;
using TargetStatus = Rectify.Assessment.V1.TargetStatus;

namespace Rectify.Tests.Gateway;

/// <summary>
/// The read model keeps each unit's progress and adds up its children's instead of summing its subtree: every answer,
/// at every level, for past and current months, must be the one a sum over the whole subtree gives (the model's way
/// before it kept anything, written out here as the oracle), also after each change anywhere, so a kept answer is never
/// served once its subtree has changed. Rows arrive in any order: targets and reports before their units, measures'
/// statuses before their measures, units closed mid-campaign.
/// </summary>
public sealed class ProgressSumsTests
{
    private static readonly ReportingCalendar Calendar = new(new ReportingOptions());
    private static readonly string[] Phases = ["摸底排查", "集中整顿", "巩固提升"];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Every_unit_answers_what_a_sum_over_its_subtree_gives_before_and_after_each_change(int seed)
    {
        var random = new Random(seed);
        var world = new World(random);
        var model = new ProgressModel(Calendar, new FakeTimeProvider(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        world.Seed(model);
        var asked = new (Month Month, DateOnly Today)[] { (new(2027, 3), new(2027, 6, 20)), (new(2027, 6), new(2027, 6, 20)), (new(2027, 6), new(2027, 7, 10)), (new(2027, 7), new(2027, 7, 10)) };

        void CheckAll(string after)
        {
            foreach (var (month, today) in asked)
                foreach (var code in world.Codes)
                    Assert.True(Expected(world, model, code, month, today).Equals(model.Progress(code, month, today)), $"{code} for {month} on {today} after {after}");
        }

        CheckAll("the load");
        for (var step = 0; step < 60; step++)
        {
            var change = world.Change(model);
            // The path of the change and a few units elsewhere, so kept answers of both are checked right after it.
            foreach (var (month, today) in asked.Take(2))
                foreach (var code in world.Codes.Where(_ => random.Next(4) == 0).Append(OrgCode.Nation))
                    Assert.True(Expected(world, model, code, month, today).Equals(model.Progress(code, month, today)), $"{code} for {month} on {today} after {change}");
        }
        CheckAll("60 changes");
    }

    [Fact]
    public void A_kept_answer_is_a_copy_a_caller_may_change()
    {
        var world = new World(new Random(7));
        var model = new ProgressModel(Calendar, new FakeTimeProvider(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        world.Seed(model);
        var month = new Month(2027, 6);
        var today = new DateOnly(2027, 6, 20);
        var first = model.Progress(OrgCode.Nation, month, today);
        var total = first.Targets.Total;
        first.Targets.Total += 100;
        first.Children.Clear();
        var again = model.Progress(OrgCode.Nation, month, today);
        Assert.Equal(total, again.Targets.Total);
        Assert.Equal(Expected(world, model, OrgCode.Nation, month, today), again);
    }

    /// <summary>A small nation: 2 provinces × 2 cities × 2 counties × 3 townships × 4 villages, some units never registered.</summary>
    private sealed class World(Random random)
    {
        public readonly Dictionary<string, UnitRow> Units = [];
        public readonly Dictionary<(string, int), TargetRow> Targets = [];
        public readonly Dictionary<(string, int), PlanRow> Plans = [];
        public readonly Dictionary<string, MeasureRow> Measures = [];
        public readonly Dictionary<(string, string), ReportRow> Reports = [];
        public readonly List<OrgCode> Codes = [OrgCode.Nation];
        private readonly List<string> _villages = [], _townships = [], _counties = [];
        private readonly List<UnitRow> _unregistered = [];
        private long _writes = 1;

        public void Seed(ProgressModel model)
        {
            foreach (var p in new[] { "36", "44" })
            foreach (var c in new[] { "01", "07" })
            foreach (var d in new[] { "21", "31" })
            foreach (var t in new[] { "101", "102", "203" })
            foreach (var v in new[] { "201", "202", "203", "301" })
            {
                var village = $"{p}{c}{d}{t}{v}";
                _villages.Add(village);
                foreach (var code in new[] { $"{p}0000000000", $"{p}{c}00000000", $"{p}{c}{d}000000", $"{p}{c}{d}{t}000", village })
                {
                    var parsed = OrgCode.Parse(code);
                    if (Units.ContainsKey(code) || _unregistered.Exists(u => u.Code == code)) continue;
                    Codes.Add(parsed);
                    if (parsed.Level == OrgLevel.Township) _townships.Add(code);
                    if (parsed.Level == OrgLevel.County) _counties.Add(code);
                    var unit = new UnitRow { Code = code, Name = "单位" + code, ParentCode = parsed.Parent?.Value, Writes = _writes++ };
                    // A sixth of the units come later (or never): their targets and reports arrive first.
                    if (random.Next(6) == 0) _unregistered.Add(unit);
                    else Put(model, unit);
                }
            }
            foreach (var village in _villages.Where(_ => random.Next(3) == 0)) AddTarget(model, village);
            foreach (var township in _townships)
                for (var m = 1; m <= 6; m++)
                    if (random.Next(4) != 0) PutReport(model, township, m, ReportKind.Township);
            foreach (var county in _counties)
                for (var m = 1; m <= 6; m++)
                    if (random.Next(2) == 0) PutReport(model, county, m, ReportKind.CountySummary);
        }

        /// <summary>One change somewhere, applied to the model; says what it was.</summary>
        public string Change(ProgressModel model)
        {
            switch (random.Next(8))
            {
                case 0 when _unregistered.Count > 0:
                    var unit = _unregistered[0];
                    _unregistered.RemoveAt(0);
                    unit.Writes = _writes++;
                    Put(model, unit);
                    return $"unit {unit.Code} registered";
                case 1:
                    var closing = Units.Values.Where(u => OrgCode.Parse(u.Code).Level >= OrgLevel.Township).ToList();
                    var closed = closing[random.Next(closing.Count)];
                    Put(model, new UnitRow { Code = closed.Code, Name = closed.Name, ParentCode = closed.ParentCode, ClosedOn = new DateOnly(2027, random.Next(1, 8), 10), Writes = _writes++ });
                    return $"unit {closed.Code} closed";
                case 2:
                    var village = _villages[random.Next(_villages.Count)];
                    AddTarget(model, village);
                    return $"target {village} designated";
                case 3 when Targets.Count > 0:
                    var target = Targets.Values.ElementAt(random.Next(Targets.Count));
                    Put(model, new TargetRow
                    {
                        VillageCode = target.VillageCode, CampaignYear = target.CampaignYear, VillageName = target.VillageName, DesignatedOn = target.DesignatedOn,
                        CampaignEndsOn = target.CampaignEndsOn, Status = (TargetStatus)random.Next(1, 4), Writes = _writes++,
                    });
                    return $"target {target.VillageCode} status";
                case 4 when Measures.Count > 0:
                    var measure = Measures.Values.ElementAt(random.Next(Measures.Count));
                    var change = StatusOf(measure.Id, random.Next(1, 6));
                    model.Apply(change);
                    return $"measure {measure.Id} of {measure.VillageCode} {change.Status} on {change.OnDate}";
                case 5 when Targets.Count > 0:
                    var planned = Targets.Values.ElementAt(random.Next(Targets.Count));
                    PutPlan(model, planned.VillageCode, planned.CampaignYear);
                    return $"plan of {planned.VillageCode}";
                case 6:
                    var township = _townships[random.Next(_townships.Count)];
                    var month = random.Next(1, 8);
                    PutReport(model, township, month, ReportKind.Township);
                    return $"report of {township} for {month}";
                case 7 when random.Next(2) == 0:
                    // A county's summary: its townships' and villages' rows count it too.
                    var county = _counties[random.Next(_counties.Count)];
                    var summaryMonth = random.Next(1, 8);
                    PutReport(model, county, summaryMonth, ReportKind.CountySummary);
                    return $"summary of {county} for {summaryMonth}";
                default:
                    if (Targets.Count == 0) return "nothing";
                    var owner = Targets.Values.ElementAt(random.Next(Targets.Count));
                    AddMeasure(model, owner.VillageCode, owner.CampaignYear);
                    return $"measure added to {owner.VillageCode}";
            }
        }

        private void AddTarget(ProgressModel model, string village)
        {
            // Most in the 2027 campaign, designated in its first half; a few in 2026's, which no 2027 month counts.
            var year = random.Next(8) == 0 ? 2026 : 2027;
            var target = new TargetRow
            {
                VillageCode = village, CampaignYear = year, VillageName = "村" + village, DesignatedOn = new DateOnly(year, random.Next(1, 8), random.Next(1, 28)),
                CampaignEndsOn = random.Next(3) == 0 ? null : new DateOnly(year, 12, 31), Status = (TargetStatus)random.Next(1, 4), Writes = _writes++,
            };
            Put(model, target);
            if (random.Next(2) == 0) PutPlan(model, village, year);
            for (var i = random.Next(0, 5); i > 0; i--) AddMeasure(model, village, year);
        }

        private void PutPlan(ProgressModel model, string village, int year)
        {
            var ends = new DateOnly(year, random.Next(2, 5), 28);
            var phases = Phases.Select((name, i) => new PlanPhase(name, ends.AddMonths(2 * i))).ToList();
            var plan = new PlanRow
            {
                VillageCode = village, CampaignYear = year, Phases = JsonSerializer.Serialize(phases),
                StartsOn = random.Next(2) == 0 ? null : new DateOnly(year, random.Next(1, 4), 1), CampaignEndsOn = random.Next(2) == 0 ? null : new DateOnly(year, 11, 30), Writes = _writes++,
            };
            Plans[(village, year)] = plan;
            model.Apply(plan);
        }

        private void AddMeasure(ProgressModel model, string village, int year)
        {
            var id = Guid.NewGuid().ToString();
            // Its statuses may come before the measure's row; a few measures keep no history at all (consumed before it was kept).
            var legacy = random.Next(6) == 0;
            if (!legacy && random.Next(3) == 0) model.Apply(StatusOf(id, (int)MeasureStatus.NotStarted));
            var status = (MeasureStatus)random.Next(1, 6);
            var completed = status is MeasureStatus.Completed or MeasureStatus.Closed ? new DateOnly(year, random.Next(1, 8), 5) : (DateOnly?)null;
            var measure = new MeasureRow
            {
                Id = id, VillageCode = village, CampaignYear = year, Deadline = new DateOnly(year, random.Next(1, 13), 15), Status = status,
                CompletedOn = completed, ClosedOn = status == MeasureStatus.Closed ? completed!.Value.AddDays(3) : null, Writes = _writes++,
            };
            Measures[id] = measure;
            model.Apply(measure);
            if (legacy) return;
            model.Apply(StatusOf(id, (int)MeasureStatus.NotStarted));
            for (var i = random.Next(0, 3); i > 0; i--) model.Apply(StatusOf(id, random.Next(2, 6)));
        }

        private StatusChange StatusOf(string measure, int status)
        {
            var on = new DateOnly(2027, random.Next(1, 8), random.Next(1, 28));
            return new StatusChange
            {
                MeasureId = measure, Status = (MeasureStatus)status, At = on.ToDateTime(new TimeOnly(random.Next(0, 16), 0)), OnDate = on,
                Deadline = new DateOnly(2027, random.Next(1, 13), 10),
            };
        }

        private void PutReport(ProgressModel model, string unit, int month, ReportKind kind)
        {
            var totals = new ReportIndicators(random.Next(5), random.Next(3), random.Next(2), random.Next(4), random.Next(3), random.Next(100_000));
            var report = new ReportRow
            {
                UnitCode = unit, Period = new Month(2027, month).ToString(), Kind = kind, Status = (ReportStatus)random.Next(1, 5),
                Timeliness = (Timeliness)random.Next(1, 5), Totals = JsonSerializer.Serialize(totals), Writes = _writes++,
            };
            Reports[(unit, report.Period)] = report;
            model.Apply(report);
        }

        private void Put(ProgressModel model, UnitRow unit)
        {
            Units[unit.Code] = unit;
            model.Apply(unit);
        }

        private void Put(ProgressModel model, TargetRow target)
        {
            Targets[(target.VillageCode, target.CampaignYear)] = target;
            model.Apply(target);
        }
    }

    // The oracle: the whole subtree summed for each question, as the model did before it kept per-unit progress.

    private sealed class Tally
    {
        public readonly TargetCounts Targets = new();
        public readonly MeasureCounts Measures = new();
        public readonly ReportCounts Reports = new();
        public readonly Dictionary<string, int> Phases = [];
        public readonly HashSet<string> Townships = [];
        public readonly HashSet<string> Counties = [];

        public void Finish(World world, Month month, DateOnly today)
        {
            Measures.CompletionRate = Measures.Total == 0 ? 0 : (double)(Measures.Completed + Measures.Closed) / Measures.Total;
            Targets.ByPhase.AddRange(Phases.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new PhaseCount { Phase = p.Key, Targets = p.Value }));
            CountReports(world, Reports, Townships, Counties, month, today);
        }
    }

    private static Progress Expected(World world, ProgressModel model, OrgCode scope, Month month, DateOnly today)
    {
        var asOf = today < month.LastDay ? today : month.LastDay;
        var total = new Tally();
        var children = new SortedDictionary<string, Tally>(StringComparer.Ordinal);
        var childLevel = scope.IsNation ? OrgLevel.Province : scope.Level == OrgLevel.Village ? OrgLevel.Unspecified : scope.Level + 1;
        bool ClosedBefore(string code, DateOnly first) => world.Units.TryGetValue(code, out var u) && u.ClosedOn is { } closed && closed < first;
        var prefix = scope.Prefix;
        foreach (var target in world.Targets.Values.Where(t => t.CampaignYear == month.Year && t.DesignatedOn <= month.LastDay
            && t.VillageCode.StartsWith(prefix, StringComparison.Ordinal) && !ClosedBefore(t.VillageCode, month.FirstDay) && !ClosedBefore(t.TownshipCode, month.FirstDay)))
        {
            Count(world, total, target, asOf);
            if (childLevel == OrgLevel.Unspecified) continue;
            var child = target.Village.AncestorAt(childLevel).Value;
            if (!children.TryGetValue(child, out var tally)) children[child] = tally = new Tally();
            Count(world, tally, target, asOf);
        }
        var parent = scope.IsNation ? null : scope.Value;
        foreach (var unit in world.Units.Values.Where(u => u.ParentCode == parent))
            if (childLevel != OrgLevel.Unspecified && !(unit.ClosedOn < month.FirstDay) && !children.ContainsKey(unit.Code)) children[unit.Code] = new Tally();

        total.Finish(world, month, today);
        var indicators = new Rectify.Reporting.V1.Indicators();
        foreach (var report in world.Reports.Values.Where(r => r.Period == month.ToString() && r.Kind == ReportKind.Township && r.Timeliness is Timeliness.OnTime or Timeliness.Late && r.UnitCode.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var t = report.TotalList;
            indicators.Add(new Rectify.Reporting.V1.Indicators
            {
                MeetingsHeld = t.MeetingsHeld, Trainings = t.Trainings, MembersDeveloped = t.MembersDeveloped, ServicesForPeople = t.ServicesForPeople,
                DisputesMediated = t.DisputesMediated, CollectiveIncomeToDateYuan = t.CollectiveIncomeToDateYuan,
            });
        }
        var progress = new Progress
        {
            UnitCode = scope.Value, UnitName = world.Units.GetValueOrDefault(scope.Value)?.Name ?? "", Level = scope.Level, Period = month.ToProto(),
            AsOf = asOf.ToProto(), Targets = total.Targets, Measures = total.Measures, Reports = total.Reports, Indicators = indicators, Version = model.VersionOf(scope),
        };
        foreach (var (code, tally) in children)
        {
            tally.Finish(world, month, today);
            progress.Children.Add(new ChildProgress { UnitCode = code, UnitName = world.Units.GetValueOrDefault(code)?.Name ?? "", Targets = tally.Targets, Measures = tally.Measures, Reports = tally.Reports });
        }

        // The trend: each earlier month at its last day, with the targets active that month.
        var last = month.Number;
        var closedCount = new int[last + 1];
        var completedCount = new int[last + 1];
        var overdueCount = new int[last + 1];
        var townships = Enumerable.Range(0, last + 1).Select(_ => new HashSet<string>()).ToArray();
        var counties = Enumerable.Range(0, last + 1).Select(_ => new HashSet<string>()).ToArray();
        int Index(DateOnly date) => date.Year < month.Year ? 0 : date.Year > month.Year ? last + 1 : date.Month;
        foreach (var target in world.Targets.Values)
        {
            if (target.CampaignYear != month.Year || !target.VillageCode.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var from = Math.Max(1, Index(target.DesignatedOn));
            var to = last - 1;
            if (world.Units.GetValueOrDefault(target.VillageCode)?.ClosedOn is { } villageClosed) to = Math.Min(to, Index(villageClosed));
            if (world.Units.GetValueOrDefault(target.TownshipCode)?.ClosedOn is { } townshipClosed) to = Math.Min(to, Index(townshipClosed));
            for (var k = from; k <= to; k++)
            {
                townships[k].Add(target.TownshipCode);
                counties[k].Add(target.CountyCode);
                var end = new Month(month.Year, k).LastDay;
                foreach (var measure in MeasuresOf(world, target))
                {
                    if (measure.IsClosedBy(end)) closedCount[k]++;
                    else if (measure.IsCompletedOn(end)) completedCount[k]++;
                    if (measure.IsOverdueOn(end)) overdueCount[k]++;
                }
            }
        }
        for (var k = 1; k < last; k++)
        {
            var m = new Month(month.Year, k);
            var reports = new ReportCounts();
            CountReports(world, reports, townships[k], counties[k], m, today);
            progress.Trend.Add(new MonthProgress { Period = m.ToProto(), Reports = reports, MeasuresClosed = closedCount[k], MeasuresCompleted = completedCount[k], MeasuresOverdue = overdueCount[k] });
        }
        progress.Trend.Add(new MonthProgress
        {
            Period = month.ToProto(), Reports = total.Reports.Clone(), MeasuresClosed = total.Measures.Closed, MeasuresCompleted = total.Measures.Completed, MeasuresOverdue = total.Measures.Overdue,
        });
        return progress;
    }

    private static IEnumerable<MeasureRow> MeasuresOf(World world, TargetRow target) =>
        world.Measures.Values.Where(m => m.VillageCode == target.VillageCode && m.CampaignYear == target.CampaignYear);

    private static void Count(World world, Tally tally, TargetRow target, DateOnly asOf)
    {
        tally.Targets.Total++;
        switch (target.Status)
        {
            case TargetStatus.Transformed: tally.Targets.Transformed++; break;
            case TargetStatus.Reopened: tally.Targets.Reopened++; break;
            default: tally.Targets.Designated++; break;
        }
        var phase = world.Plans.TryGetValue((target.VillageCode, target.CampaignYear), out var plan)
            ? TargetPhase.At(plan.PhaseList, plan.StartsOn, plan.CampaignEndsOn ?? target.CampaignEndsOn ?? TargetPhase.DefaultCampaignEnd(target.CampaignYear), asOf).Name
            : TargetPhase.NoPlan.Name;
        tally.Phases[phase] = tally.Phases.GetValueOrDefault(phase) + 1;
        tally.Townships.Add(target.TownshipCode);
        tally.Counties.Add(target.CountyCode);
        foreach (var measure in MeasuresOf(world, target))
        {
            if (!measure.ExistsOn(asOf)) continue;
            tally.Measures.Total++;
            if (measure.IsClosedBy(asOf)) tally.Measures.Closed++;
            else if (measure.IsCompletedOn(asOf)) tally.Measures.Completed++;
            if (measure.IsOverdueOn(asOf)) tally.Measures.Overdue++;
        }
    }

    private static void CountReports(World world, ReportCounts counts, HashSet<string> townships, HashSet<string> counties, Month month, DateOnly today)
    {
        var period = month.ToString();
        foreach (var township in townships)
        {
            counts.Expected++;
            if (world.Reports.TryGetValue((township, period), out var report) && report.Timeliness is Timeliness.OnTime or Timeliness.Late)
            {
                counts.Received++;
                if (report.Timeliness == Timeliness.OnTime) counts.OnTime++; else counts.Late++;
                if (report.Status == ReportStatus.Accepted) counts.Accepted++;
            }
            else if (Calendar.Missing(month, today)) counts.Missing++;
            else counts.Pending++;
        }
        foreach (var county in counties)
        {
            counts.CountySummariesExpected++;
            if (world.Reports.TryGetValue((county, period), out var summary) && summary.Timeliness is Timeliness.OnTime or Timeliness.Late) counts.CountySummariesReceived++;
        }
    }
}
