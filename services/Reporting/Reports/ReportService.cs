using Dapper;
using Google.Protobuf;
using Rectify.Common.V1;
using Rectify.Events.Reporting;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Hosting;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Reporting.Directory;
using Rectify.Reporting.V1;
using ReportKind = Rectify.Reporting.V1.ReportKind;
using Timeliness = Rectify.Reporting.V1.Timeliness;

namespace Rectify.Reporting.Reports;

/// <summary>
/// 月报: a township's report on its target villages for a month — saved as a
/// draft, submitted (the ledger snapshotted from the measures service), then
/// accepted by the county or returned (退回) for a new revision. The county's
/// summary to the city is made from its townships' reports and goes through
/// the same cycle one level up.
/// </summary>
public sealed class ReportService(Database<ReportingModule> database, RequestReplies replies, ReportingCalendar calendar, MeasureService.MeasureServiceClient measures, TimeProvider clock)
{
    private const int MaxTextLength = 4000;

    public async Task<Report> PushAsync(Caller caller, PushReportRequest request, CancellationToken ct)
    {
        var v = new Violations();
        var requestId = v.Text("client_request_id", request.ClientRequestId, 64);
        var township = v.Code("township_code", request.TownshipCode);
        if (township is { } t) v.Check(t.Level == OrgLevel.Township, "township_code", "must be a township's code");
        var month = Month.From(v, "period", request.Period);
        var today = clock.Today();
        // The period rule (ReportingCalendar): drafts from the month's first day, submissions once it is over; the lock is checked with the exception below.
        if (month is { } m)
            switch (request.Submit ? calendar.ForSubmission(m, today, null) : calendar.ForDraft(m, today, null))
            {
                case PeriodOpening.InFuture: v.Add("period", $"{m} is in the future"); break;
                case PeriodOpening.NotOver:
                    v.Add("period", $"{m} is not over yet: keep it as a draft (submit = false) and submit it from {ReportingCalendar.SubmissionsOpenOn(m):yyyy-MM-dd}");
                    break;
            }
        var seen = new HashSet<string>();
        for (var i = 0; i < request.Villages.Count; i++)
        {
            var entry = request.Villages[i];
            if (v.Code($"villages[{i}].village_code", entry.VillageCode) is { } code)
                v.Check(seen.Add(code.Value), $"villages[{i}].village_code", "appears twice in the report");
            v.Text($"villages[{i}].work_done", entry.WorkDone, MaxTextLength, required: request.Submit);
            v.Text($"villages[{i}].problems_met", entry.ProblemsMet, MaxTextLength, required: false);
            v.Text($"villages[{i}].next_month_plan", entry.NextMonthPlan, MaxTextLength, required: request.Submit);
            CheckIndicators(v, $"villages[{i}].indicators", entry.Indicators ?? new Indicators());
        }
        v.ThrowIfAny();
        caller.EnsureCanWrite(township!.Value);

        var key = RequestReplies.For(caller, "PushReport", requestId!, township.Value.Value, request);
        if (await replies.FindAsync(key, ct) is { } replayed) return replayed;
        // The ledger is read before the transaction: a remote call must not hold the database.
        var ledger = request.Submit ? await LedgerAsync(township.Value, month!.Value, ct) : null;
        var now = clock.GetUtcNow();
        return await replies.RunOnceAsync(key, async session =>
        {
            var active = await TargetDirectory.ActiveAsync(session, township.Value, month!.Value);
            if (active.Count == 0)
                throw ValidationException.For("period", $"{township.Value.Value} has no active target in {month}: the month is before the campaign, or after it");
            var targets = active.ToDictionary(a => a.VillageCode);
            var late = new Violations();
            for (var i = 0; i < request.Villages.Count; i++)
                late.Check(targets.ContainsKey(request.Villages[i].VillageCode), $"villages[{i}].village_code",
                    $"is not an active target of {township.Value.Value} in {month}");
            if (request.Submit)
            {
                var missing = targets.Keys.Except(request.Villages.Select(e => e.VillageCode)).ToList();
                late.Check(missing.Count == 0, "villages", $"must report on every active target; missing {string.Join(", ", missing)}");
            }
            late.ThrowIfAny();

            var revisions = await ReportStore.RevisionsAsync(session, township.Value.Value, month.Value);
            var latest = revisions.LastOrDefault();
            if (latest?.State is ReportStatus.Submitted or ReportStatus.Accepted)
                throw new PreconditionFailedException("REPORT_SUBMITTED", township.Value.Value, $"The {month} report was submitted (revision {latest.Revision}); it can be changed only after the county returns it.");
            await EnsureOpenAsync(session, township.Value.Value, month.Value, today, request.Submit);

            var report = new Report
            {
                Kind = ReportKind.Township, UnitCode = township.Value.Value, UnitName = active[0].TownshipName, Period = month.Value.ToProto(),
                Totals = new Indicators(), LedgerTotals = new LedgerSnapshot(),
            };
            foreach (var entry in request.Villages.OrderBy(e => e.VillageCode))
            {
                var copy = entry.Clone();
                copy.Indicators ??= new Indicators();
                copy.VillageName = targets[entry.VillageCode].VillageName;
                copy.Ledger = ledger?.GetValueOrDefault(entry.VillageCode) ?? (request.Submit ? new LedgerSnapshot() : null);
                report.Totals.Add(copy.Indicators);
                if (copy.Ledger is not null) Add(report.LedgerTotals, copy.Ledger);
                report.Villages.Add(copy);
            }
            // A report keeps the timeliness of its first submission: a resubmission after 退回 is not late for it.
            var firstSubmission = revisions.FirstOrDefault(r => r.SubmittedOn is not null);
            var row = new ReportRow
            {
                Id = latest?.State == ReportStatus.Draft ? latest.Id : Guid.NewGuid().ToString(),
                Kind = (int)ReportKind.Township, UnitCode = report.UnitCode, UnitName = report.UnitName, CountyCode = active[0].CountyCode,
                Period = month.Value.ToString(), Revision = latest is null ? 1 : latest.State == ReportStatus.Draft ? latest.Revision : latest.Revision + 1,
                Status = (int)(request.Submit ? ReportStatus.Submitted : ReportStatus.Draft),
                Timeliness = request.Submit ? (int)(firstSubmission is null ? Timelines.OfSubmission(calendar, month.Value, today) : (Timeliness)firstSubmission.Timeliness!.Value) : null,
                SubmittedOn = request.Submit ? today : null, Content = JsonFormatter.Default.Format(report), UpdatedBy = caller.Subject, UpdatedAt = now.UtcDateTime,
            };
            if (latest?.State == ReportStatus.Draft) await ReportStore.UpdateAsync(session, row);
            else await ReportStore.InsertAsync(session, row);
            if (request.Submit)
                await session.PublishAsync(new ReportSubmitted(row.Id, ((ReportKind)row.Kind).ToEvent(), row.UnitCode, row.CountyCode, row.Period, row.Revision, ((Timeliness)row.Timeliness!.Value).ToEvent(),
                    today, ToEvent(report.Totals), report.Villages.Count, now));
            return row.ToProto();
        }, ct);
    }

    private static void CheckIndicators(Violations v, string path, Indicators i)
    {
        void NonNegative(long value, string field) => v.Check(value >= 0, $"{path}.{field}", "must not be negative");
        NonNegative(i.MeetingsHeld, "meetings_held");
        NonNegative(i.Trainings, "trainings");
        NonNegative(i.MembersDeveloped, "members_developed");
        NonNegative(i.ServicesForPeople, "services_for_people");
        NonNegative(i.DisputesMediated, "disputes_mediated");
        NonNegative(i.CollectiveIncomeToDateYuan, "collective_income_to_date_yuan");
    }


    private static void Add(LedgerSnapshot sum, LedgerSnapshot l)
    {
        sum.Total += l.Total;
        sum.Completed += l.Completed;
        sum.Closed += l.Closed;
        sum.Overdue += l.Overdue;
    }

    private static ReportIndicators ToEvent(Indicators i) =>
        new(i.MeetingsHeld, i.Trainings, i.MembersDeveloped, i.ServicesForPeople, i.DisputesMediated, i.CollectiveIncomeToDateYuan);

    /// <summary>The township's ledger per target village now, from the measures service: never typed in twice.</summary>
    private async Task<Dictionary<string, LedgerSnapshot>> LedgerAsync(OrgCode township, Month month, CancellationToken ct)
    {
        var counts = await measures.GetLedgerCountsAsync(new GetLedgerCountsRequest { ScopeCode = township.Value, CampaignYear = month.Year }, cancellationToken: ct);
        return counts.Targets.ToDictionary(t => t.VillageCode, t => new LedgerSnapshot { Total = t.Counts.Total, Completed = t.Counts.Completed, Closed = t.Counts.Closed, Overdue = t.Counts.Overdue });
    }

    private async Task EnsureOpenAsync(DbSession session, string unitCode, Month month, DateOnly today, bool submit)
    {
        var until = await session.ExecuteScalarAsync<DateOnly?>("SELECT until FROM reporting_exceptions WHERE unit_code = @unitCode AND period = @period",
            new { unitCode, period = month.ToString() });
        if ((submit ? calendar.ForSubmission(month, today, until) : calendar.ForDraft(month, today, until)) == PeriodOpening.Locked)
            throw new PreconditionFailedException("REPORTING_LOCKED", unitCode,
                $"Reports for {month} were taken until {calendar.LockedAfter(month):yyyy-MM-dd}; a late submission (补报) needs the county's exception.");
    }

    public async Task<Report> GetAsync(Caller caller, GetReportRequest request, CancellationToken ct)
    {
        var v = new Violations();
        var unit = v.Code("unit_code", request.UnitCode);
        var month = Month.From(v, "period", request.Period);
        v.Check(request.Revision >= 0, "revision", "must be 0 (the latest) or a revision number");
        v.ThrowIfAny();
        caller.EnsureCanRead(unit!.Value);
        var revisions = await database.ReadAsync(c => ReportStore.RevisionsAsync(c, unit.Value.Value, month!.Value), ct);
        var row = request.Revision == 0 ? revisions.LastOrDefault() : revisions.FirstOrDefault(r => r.Revision == request.Revision);
        return row?.ToProto() ?? throw new NotFoundException("report", $"{unit.Value.Value}/{month}" + (request.Revision == 0 ? "" : $"/{request.Revision}"));
    }

    public async Task<ListReportsResponse> ListAsync(Caller caller, ListReportsRequest request, CancellationToken ct)
    {
        var v = new Violations();
        var scope = v.Code("scope_code", request.ScopeCode);
        var month = Month.From(v, "period", request.Period);
        v.ThrowIfAny();
        caller.EnsureCanRead(scope!.Value);
        var today = clock.Today();
        var (active, reports, exceptions) = await database.ReadAsync(async c => (
            await TargetDirectory.ActiveAsync(c, scope.Value, month!.Value),
            await ReportStore.UnderAsync(c, scope.Value, month.Value, (int)ReportKind.Township),
            (await c.QueryAsync<string>("SELECT unit_code FROM reporting_exceptions WHERE period = @period", new { period = month.Value.ToString() })).ToHashSet()), ct);
        var response = new ListReportsResponse
        {
            Period = month!.Value.ToProto(), DueOn = calendar.DueOn(month.Value).ToProto(), LockedAfter = calendar.LockedAfter(month.Value).ToProto(),
        };
        foreach (var township in active.GroupBy(a => a.TownshipCode).OrderBy(g => g.Key))
        {
            var revisions = reports.GetValueOrDefault(township.Key) ?? [];
            var first = revisions.FirstOrDefault(r => r.SubmittedOn is not null);
            response.Reports.Add(new ExpectedReport
            {
                UnitCode = township.Key, UnitName = township.First().TownshipName,
                Timeliness = first is null ? Timelines.OfAbsence(calendar, month.Value, today) : (Timeliness)first.Timeliness!.Value,
                Status = revisions.Count == 0 ? ReportStatus.Unspecified : revisions[^1].State,
                Revision = revisions.Count == 0 ? 0 : revisions[^1].Revision,
                ExceptionGranted = exceptions.Contains(township.Key),
            });
        }
        return response;
    }

    public Task<Report> AcceptAsync(Caller caller, ReviewReportRequest request, CancellationToken ct) => ReviewAsync(caller, request, accept: true, ct);

    public Task<Report> ReturnAsync(Caller caller, ReviewReportRequest request, CancellationToken ct) => ReviewAsync(caller, request, accept: false, ct);

    /// <summary>The unit above decides on the latest submitted revision: accept it, or return it with a reason.</summary>
    private async Task<Report> ReviewAsync(Caller caller, ReviewReportRequest request, bool accept, CancellationToken ct)
    {
        var v = new Violations();
        var unit = v.Code("unit_code", request.UnitCode);
        var month = Month.From(v, "period", request.Period);
        var reason = v.Text("reason", request.Reason, 1000, required: !accept, multiline: true);
        v.ThrowIfAny();
        caller.EnsureCanDecide(unit!.Value, "accept or return its report");
        var now = clock.GetUtcNow();
        return await database.WriteAsync(async session =>
        {
            var latest = (await ReportStore.RevisionsAsync(session, unit.Value.Value, month!.Value)).LastOrDefault()
                ?? throw new NotFoundException("report", $"{unit.Value.Value}/{month}");
            if (latest.State != ReportStatus.Submitted)
                throw new PreconditionFailedException("NOT_SUBMITTED", latest.Id, $"Revision {latest.Revision} is {latest.State}; only a submitted report is reviewed.");
            latest.Status = (int)(accept ? ReportStatus.Accepted : ReportStatus.Returned);
            latest.ReturnReason = accept ? null : reason;
            latest.ReviewedBy = caller.Subject;
            latest.UpdatedBy = caller.Subject;
            latest.UpdatedAt = now.UtcDateTime;
            await ReportStore.UpdateAsync(session, latest);
            await session.PublishAsync(accept
                ? new ReportAccepted(latest.Id, ((ReportKind)latest.Kind).ToEvent(), latest.UnitCode, latest.CountyCode, latest.Period, latest.Revision, caller.Subject, now)
                : new ReportReturned(latest.Id, ((ReportKind)latest.Kind).ToEvent(), latest.UnitCode, latest.CountyCode, latest.Period, latest.Revision, reason!, caller.Subject, now));
            return latest.ToProto();
        }, ct);
    }

    public async Task<ReportingException> GrantExceptionAsync(Caller caller, GrantExceptionRequest request, CancellationToken ct)
    {
        var v = new Violations();
        var township = v.Code("township_code", request.TownshipCode);
        var month = Month.From(v, "period", request.Period);
        var reason = v.Text("reason", request.Reason, 1000, multiline: true);
        var today = clock.Today();
        // 补报 makes up a month that is over: a month still running or to come has no report to make up yet.
        if (month is { } m) v.Check(ReportingCalendar.IsOver(m, today), "period", $"{m} is not over yet: an exception (补报) is for a past month");
        // From today to the end of the year after the period's: a report is made up within its campaign or the look-back (回头看) year.
        var until = month is { } p
            ? v.DateWithin("until", request.Until, today, new DateOnly(p.Year + 1, 12, 31), $"from today to the end of {p.Year + 1}, the look-back year of {p}")
            : v.Date("until", request.Until);
        v.ThrowIfAny();
        caller.EnsureCanDecide(township!.Value, "grant it a late submission (补报)");
        await database.WriteAsync(async session =>
        {
            await session.ExecuteAsync("DELETE FROM reporting_exceptions WHERE unit_code = @code AND period = @period", new { code = township.Value.Value, period = month!.Value.ToString() });
            await session.ExecuteAsync("""
                INSERT INTO reporting_exceptions (unit_code, period, reason, until, granted_by, granted_at) VALUES (@code, @period, @reason, @until, @by, @at)
                """, new { code = township.Value.Value, period = month.Value.ToString(), reason, until, by = caller.Subject, at = clock.GetUtcNow().UtcDateTime });
        }, ct);
        return new ReportingException { TownshipCode = township.Value.Value, Period = month!.Value.ToProto(), Reason = reason!, Until = until!.Value.ToProto(), GrantedBy = caller.Subject };
    }

    /// <summary>
    /// The county's summary to the city (各县每月向市委组织部汇报), made from its townships' accepted reports.
    /// Submitted only when every expected township report is accepted or recorded missing (past its lock, no exception).
    /// </summary>
    public async Task<Report> SubmitCountySummaryAsync(Caller caller, SubmitCountySummaryRequest request, CancellationToken ct)
    {
        var v = new Violations();
        var requestId = v.Text("client_request_id", request.ClientRequestId, 64);
        var county = v.Code("county_code", request.CountyCode);
        if (county is { } c) v.Check(c.Level == OrgLevel.County, "county_code", "must be a county's code");
        var month = Month.From(v, "period", request.Period);
        var today = clock.Today();
        // The same months as its townships' submissions (ReportingCalendar.ForCountySummary).
        if (month is { } m)
            switch (ReportingCalendar.ForCountySummary(m, today))
            {
                case PeriodOpening.InFuture: v.Add("period", $"{m} is in the future"); break;
                case PeriodOpening.NotOver: v.Add("period", $"{m} is not over yet: its summary can be submitted from {ReportingCalendar.SubmissionsOpenOn(m):yyyy-MM-dd}, like its townships' reports"); break;
            }
        v.ThrowIfAny();
        caller.EnsureCanWrite(county!.Value);
        var key = RequestReplies.For(caller, "SubmitCountySummary", requestId!, county.Value.Value, request);
        if (await replies.FindAsync(key, ct) is { } replayed) return replayed;
        var now = clock.GetUtcNow();
        return await replies.RunOnceAsync(key, async session =>
        {
            var active = await TargetDirectory.ActiveAsync(session, county.Value, month!.Value);
            if (active.Count == 0) throw ValidationException.For("period", $"{county.Value.Value} has no active target in {month}");
            var reports = await ReportStore.UnderAsync(session, county.Value, month.Value, (int)ReportKind.Township);
            var exceptions = (await session.QueryAsync<string>("SELECT unit_code FROM reporting_exceptions WHERE period = @period AND until >= @today",
                new { period = month.Value.ToString(), today })).ToHashSet();
            var summary = new CountySummary();
            var report = new Report { Kind = ReportKind.CountySummary, UnitCode = county.Value.Value, UnitName = county.Value.Value, Period = month.Value.ToProto(), Totals = new Indicators(), LedgerTotals = new LedgerSnapshot(), Summary = summary };
            var waiting = new List<string>();
            foreach (var township in active.GroupBy(a => a.TownshipCode).Select(g => g.Key).Order())
            {
                summary.TownshipsExpected++;
                var revisions = reports.GetValueOrDefault(township) ?? [];
                var latest = revisions.LastOrDefault();
                if (latest?.State == ReportStatus.Accepted)
                {
                    summary.TownshipsAccepted++;
                    var accepted = latest.ToProto();
                    report.Totals.Add(accepted.Totals);
                    Add(report.LedgerTotals, accepted.LedgerTotals);
                    if ((Timeliness)revisions.First(r => r.SubmittedOn is not null).Timeliness!.Value == Timeliness.OnTime) summary.OnTime++;
                    else summary.Late++;
                }
                else if (revisions.All(r => r.SubmittedOn is null) && calendar.IsLocked(month.Value, today, null) && !exceptions.Contains(township))
                {
                    summary.TownshipsMissing++;
                    summary.MissingTownships.Add(township);
                }
                else waiting.Add(township);
            }
            if (waiting.Count > 0)
                throw new PreconditionFailedException("TOWNSHIP_REPORTS_OPEN", county.Value.Value,
                    $"The reports of {string.Join(", ", waiting)} are neither accepted nor missing yet; the summary waits for them.");
            var revisionsOfSummary = await ReportStore.RevisionsAsync(session, county.Value.Value, month.Value);
            var latestSummary = revisionsOfSummary.LastOrDefault();
            if (latestSummary?.State is ReportStatus.Submitted or ReportStatus.Accepted)
                throw new PreconditionFailedException("REPORT_SUBMITTED", county.Value.Value, $"The {month} summary was submitted (revision {latestSummary.Revision}).");
            var first = revisionsOfSummary.FirstOrDefault(r => r.SubmittedOn is not null);
            var row = new ReportRow
            {
                Id = Guid.NewGuid().ToString(), Kind = (int)ReportKind.CountySummary, UnitCode = county.Value.Value, UnitName = report.UnitName,
                CountyCode = county.Value.Value, Period = month.Value.ToString(), Revision = (latestSummary?.Revision ?? 0) + 1, Status = (int)ReportStatus.Submitted,
                Timeliness = (int)(first is null ? Timelines.OfSubmission(calendar, month.Value, today) : (Timeliness)first.Timeliness!.Value), SubmittedOn = today,
                Content = JsonFormatter.Default.Format(report), UpdatedBy = caller.Subject, UpdatedAt = now.UtcDateTime,
            };
            await ReportStore.InsertAsync(session, row);
            await session.PublishAsync(new ReportSubmitted(row.Id, ((ReportKind)row.Kind).ToEvent(), row.UnitCode, row.CountyCode, row.Period, row.Revision, ((Timeliness)row.Timeliness.Value).ToEvent(),
                today, ToEvent(report.Totals), active.Count, now));
            return row.ToProto();
        }, ct);
    }
}

/// <summary>The calendar's verdicts as the proto's Timeliness.</summary>
internal static class Timelines
{
    public static Timeliness OfSubmission(ReportingCalendar calendar, Month month, DateOnly submittedOn) =>
        calendar.OnTime(month, submittedOn) ? Timeliness.OnTime : Timeliness.Late;

    public static Timeliness OfAbsence(ReportingCalendar calendar, Month month, DateOnly today) =>
        calendar.Missing(month, today) ? Timeliness.Missing : Timeliness.Pending;
}
