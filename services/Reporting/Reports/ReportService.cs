using Dapper;
using Google.Protobuf;
using Rectify.Common.V1;
using Rectify.Events.Reporting;
using Rectify.Kernel;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Hosting;
using Rectify.Platform.Identity;
using Rectify.Platform.Outbox;
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
    public async Task<Report> PushAsync(Caller caller, PushReportRequest request, CancellationToken ct)
    {
        var today = clock.Today();
        var push = PushReportInput.Parse(request, calendar, today);
        caller.EnsureCanWrite(push.Township);

        var key = RequestReplies.For(caller, "PushReport", push.RequestId, push.Township.Value, request);
        if (await replies.FindAsync(key, ct) is { } replayed) return replayed;
        // The ledger is read before the transaction: a remote call must not hold the database.
        var ledger = push.Submit ? await LedgerAsync(push.Township, push.Period, ct) : null;
        var now = clock.GetUtcNow();
        return await FirstSaveRaceAsync(() => replies.RunOnceAsync(key, async session =>
        {
            var active = await TargetDirectory.ActiveAsync(session, push.Township, push.Period);
            if (active.Count == 0)
                throw ValidationException.For("period", $"{push.Township.Value} has no active target in {push.Period}: the month is before the campaign, or after it");
            var targets = active.ToDictionary(a => a.VillageCode);
            var late = new Violations();
            for (var i = 0; i < push.Villages.Count; i++)
                late.Check(targets.ContainsKey(push.Villages[i].VillageCode), $"villages[{i}].village_code",
                    $"is not an active target of {push.Township.Value} in {push.Period}");
            if (push.Submit)
            {
                var missing = targets.Keys.Except(push.Villages.Select(e => e.VillageCode)).ToList();
                late.Check(missing.Count == 0, "villages", $"must report on every active target; missing {string.Join(", ", missing)}");
            }
            late.ThrowIfAny();

            var revisions = await ReportStore.RevisionHeadsAsync(session, push.Township, push.Period);
            var latest = revisions.LastOrDefault();
            if (latest?.State is ReportStatus.Submitted or ReportStatus.Accepted)
                throw new PreconditionFailedException("REPORT_SUBMITTED", push.Township.Value, $"The {push.Period} report was submitted (revision {latest.Revision}); it can be changed only after the county returns it.");
            await EnsureOpenAsync(session, push.Township, push.Period, today, push.Submit);

            var report = new Report
            {
                Kind = ReportKind.Township, UnitCode = push.Township.Value, UnitName = active[0].TownshipName, Period = push.Period.ToProto(),
                Totals = new Indicators(), LedgerTotals = new LedgerSnapshot(),
            };
            foreach (var entry in push.Villages.OrderBy(e => e.VillageCode))
            {
                var copy = entry.Clone();
                copy.Indicators ??= new Indicators();
                copy.VillageName = targets[entry.VillageCode].VillageName;
                copy.Ledger = ledger?.GetValueOrDefault(entry.VillageCode) ?? (push.Submit ? new LedgerSnapshot() : null);
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
                Period = push.Period.ToString(), Revision = latest is null ? 1 : latest.State == ReportStatus.Draft ? latest.Revision : latest.Revision + 1,
                Status = (int)(push.Submit ? ReportStatus.Submitted : ReportStatus.Draft),
                Timeliness = push.Submit ? (int)(firstSubmission is null ? Timelines.OfSubmission(calendar, push.Period, today) : (Timeliness)firstSubmission.Timeliness!.Value) : null,
                SubmittedOn = push.Submit ? today : null, Content = JsonFormatter.Default.Format(report), UpdatedBy = caller.Subject, UpdatedAt = now.UtcDateTime,
            };
            if (latest?.State == ReportStatus.Draft) await ReportStore.UpdateAsync(session, row);
            else await ReportStore.InsertAsync(session, row);
            if (push.Submit)
                await session.PublishAsync(new ReportSubmitted(row.Id, ((ReportKind)row.Kind).ToEvent(), row.UnitCode, row.CountyCode, row.Period, row.Revision, ((Timeliness)row.Timeliness!.Value).ToEvent(),
                    today, ToEvent(report.Totals), report.Villages.Count, now, ReportVersion.Submitted(row.Revision)));
            return row.ToProto(report);
        }, ct));
    }

    /// <summary>
    /// Two first saves of one report with different request ids both find no revision and both insert revision 1; the
    /// database keeps one and the other's transaction (its request id's claim too) rolls back whole. That one is run
    /// again: it now finds the saved revision and updates the draft or is refused as any later save would be, instead of
    /// answering AlreadyExists for a race the caller cannot see.
    /// </summary>
    private static async Task<Report> FirstSaveRaceAsync(Func<Task<Report>> save)
    {
        for (var attempt = 1; ; attempt++)
        {
            try { return await save(); }
            catch (Exception e) when (attempt < 4 && Sql.IsUniqueViolation(e)) { }
        }
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

    private async Task EnsureOpenAsync(DbSession session, OrgCode unit, Month month, DateOnly today, bool submit)
    {
        var until = await session.ExecuteScalarAsync<DateOnly?>("SELECT until FROM reporting_exceptions WHERE unit_code = @unit AND period = @month",
            new { unit, month });
        if ((submit ? calendar.ForSubmission(month, today, until) : calendar.ForDraft(month, today, until)) == PeriodOpening.Locked)
            throw new PreconditionFailedException("REPORTING_LOCKED", unit.Value,
                $"Reports for {month} were taken until {calendar.LockedAfter(month):yyyy-MM-dd}; a late submission (补报) needs the county's exception.");
    }

    public async Task<Report> GetAsync(Caller caller, GetReportRequest request, CancellationToken ct)
    {
        var read = GetReportInput.Parse(request);
        caller.EnsureCanRead(read.Unit);
        var revisions = await database.ReadAsync(c => ReportStore.RevisionsAsync(c, read.Unit, read.Period), ct);
        var row = read.Revision == 0 ? revisions.LastOrDefault() : revisions.FirstOrDefault(r => r.Revision == read.Revision);
        return row?.ToProto() ?? throw new NotFoundException("report", $"{read.Unit.Value}/{read.Period}" + (read.Revision == 0 ? "" : $"/{read.Revision}"));
    }

    public async Task<ListReportsResponse> ListAsync(Caller caller, ListReportsRequest request, CancellationToken ct)
    {
        var list = ListReportsInput.Parse(request);
        caller.EnsureCanRead(list.Scope);
        var today = clock.Today();
        var month = list.Period;
        var (active, reports, exceptions) = await database.ReadAsync(async c => (
            await TargetDirectory.ActiveAsync(c, list.Scope, month),
            await ReportStore.UnderAsync(c, list.Scope, month, (int)ReportKind.Township),
            (await c.QueryAsync<string>("SELECT unit_code FROM reporting_exceptions WHERE period = @month", new { month })).ToHashSet()), ct);
        var response = new ListReportsResponse
        {
            Period = month.ToProto(), DueOn = calendar.DueOn(month).ToProto(), LockedAfter = calendar.LockedAfter(month).ToProto(),
        };
        foreach (var township in active.GroupBy(a => a.TownshipCode).OrderBy(g => g.Key))
        {
            var revisions = reports.GetValueOrDefault(township.Key) ?? [];
            var first = revisions.FirstOrDefault(r => r.SubmittedOn is not null);
            response.Reports.Add(new ExpectedReport
            {
                UnitCode = township.Key, UnitName = township.First().TownshipName,
                Timeliness = first is null ? Timelines.OfAbsence(calendar, month, today) : (Timeliness)first.Timeliness!.Value,
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
        var review = ReviewReportInput.Parse(request, accept);
        caller.EnsureCanDecide(review.Unit, "accept or return its report");
        var now = clock.GetUtcNow();
        return await database.WriteAsync(async session =>
        {
            var latest = (await ReportStore.RevisionsAsync(session, review.Unit, review.Period)).LastOrDefault()
                ?? throw new NotFoundException("report", $"{review.Unit.Value}/{review.Period}");
            if (latest.State != ReportStatus.Submitted)
                throw new PreconditionFailedException("NOT_SUBMITTED", latest.Id, $"Revision {latest.Revision} is {latest.State}; only a submitted report is reviewed.");
            latest.Status = (int)(accept ? ReportStatus.Accepted : ReportStatus.Returned);
            latest.ReturnReason = accept ? null : review.Reason;
            latest.ReviewedBy = caller.Subject;
            latest.UpdatedBy = caller.Subject;
            latest.UpdatedAt = now.UtcDateTime;
            await ReportStore.UpdateAsync(session, latest);
            await session.PublishAsync(accept
                ? new ReportAccepted(latest.Id, ((ReportKind)latest.Kind).ToEvent(), latest.UnitCode, latest.CountyCode, latest.Period, latest.Revision, caller.Subject, now, ReportVersion.Reviewed(latest.Revision))
                : new ReportReturned(latest.Id, ((ReportKind)latest.Kind).ToEvent(), latest.UnitCode, latest.CountyCode, latest.Period, latest.Revision, review.Reason, caller.Subject, now, ReportVersion.Reviewed(latest.Revision)));
            return latest.ToProto();
        }, ct);
    }

    public async Task<ReportingException> GrantExceptionAsync(Caller caller, GrantExceptionRequest request, CancellationToken ct)
    {
        var grant = GrantExceptionInput.Parse(request, clock.Today());
        caller.EnsureCanDecide(grant.Township, "grant it a late submission (补报)");
        await database.WriteAsync(async session =>
        {
            await session.ExecuteAsync("DELETE FROM reporting_exceptions WHERE unit_code = @code AND period = @period", new { code = grant.Township, period = grant.Period });
            await session.ExecuteAsync("""
                INSERT INTO reporting_exceptions (unit_code, period, reason, until, granted_by, granted_at) VALUES (@code, @period, @reason, @until, @by, @at)
                """, new { code = grant.Township, period = grant.Period, reason = grant.Reason, until = grant.Until, by = caller.Subject, at = clock.GetUtcNow().UtcDateTime });
        }, ct);
        return new ReportingException { TownshipCode = grant.Township.Value, Period = grant.Period.ToProto(), Reason = grant.Reason, Until = grant.Until.ToProto(), GrantedBy = caller.Subject };
    }

    /// <summary>
    /// The county's summary to the city (各县每月向市委组织部汇报), made from its townships' accepted reports.
    /// Submitted only when every expected township report is accepted or recorded missing (past its lock, no exception).
    /// </summary>
    public async Task<Report> SubmitCountySummaryAsync(Caller caller, SubmitCountySummaryRequest request, CancellationToken ct)
    {
        var today = clock.Today();
        var submission = SubmitCountySummaryInput.Parse(request, today);
        caller.EnsureCanWrite(submission.County);
        var key = RequestReplies.For(caller, "SubmitCountySummary", submission.RequestId, submission.County.Value, request);
        if (await replies.FindAsync(key, ct) is { } replayed) return replayed;
        var (county, month) = (submission.County, submission.Period);
        var now = clock.GetUtcNow();
        return await FirstSaveRaceAsync(() => replies.RunOnceAsync(key, async session =>
        {
            var active = await TargetDirectory.ActiveAsync(session, county, month);
            if (active.Count == 0) throw ValidationException.For("period", $"{county.Value} has no active target in {month}");
            var reports = await ReportStore.UnderAsync(session, county, month, (int)ReportKind.Township);
            var exceptions = (await session.QueryAsync<string>("SELECT unit_code FROM reporting_exceptions WHERE period = @period AND until >= @today",
                new { period = month, today })).ToHashSet();
            var summary = new CountySummary();
            var report = new Report { Kind = ReportKind.CountySummary, UnitCode = county.Value, UnitName = county.Value, Period = month.ToProto(), Totals = new Indicators(), LedgerTotals = new LedgerSnapshot(), Summary = summary };
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
                else if (revisions.All(r => r.SubmittedOn is null) && calendar.IsLocked(month, today, null) && !exceptions.Contains(township))
                {
                    summary.TownshipsMissing++;
                    summary.MissingTownships.Add(township);
                }
                else waiting.Add(township);
            }
            if (waiting.Count > 0)
                throw new PreconditionFailedException("TOWNSHIP_REPORTS_OPEN", county.Value,
                    $"The reports of {string.Join(", ", waiting)} are neither accepted nor missing yet; the summary waits for them.");
            var revisionsOfSummary = await ReportStore.RevisionsAsync(session, county, month);
            var latestSummary = revisionsOfSummary.LastOrDefault();
            if (latestSummary?.State is ReportStatus.Submitted or ReportStatus.Accepted)
                throw new PreconditionFailedException("REPORT_SUBMITTED", county.Value, $"The {month} summary was submitted (revision {latestSummary.Revision}).");
            var first = revisionsOfSummary.FirstOrDefault(r => r.SubmittedOn is not null);
            var row = new ReportRow
            {
                Id = Guid.NewGuid().ToString(), Kind = (int)ReportKind.CountySummary, UnitCode = county.Value, UnitName = report.UnitName,
                CountyCode = county.Value, Period = month.ToString(), Revision = (latestSummary?.Revision ?? 0) + 1, Status = (int)ReportStatus.Submitted,
                Timeliness = (int)(first is null ? Timelines.OfSubmission(calendar, month, today) : (Timeliness)first.Timeliness!.Value), SubmittedOn = today,
                Content = JsonFormatter.Default.Format(report), UpdatedBy = caller.Subject, UpdatedAt = now.UtcDateTime,
            };
            await ReportStore.InsertAsync(session, row);
            await session.PublishAsync(new ReportSubmitted(row.Id, ((ReportKind)row.Kind).ToEvent(), row.UnitCode, row.CountyCode, row.Period, row.Revision, ((Timeliness)row.Timeliness.Value).ToEvent(),
                today, ToEvent(report.Totals), active.Count, now, ReportVersion.Submitted(row.Revision)));
            return row.ToProto();
        }, ct));
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
