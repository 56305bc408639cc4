using Dapper;
using Grpc.Core;
using Rectify.Common.V1;
using Rectify.Gateway.V1;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Reporting;
using Rectify.Reporting.V1;
using Rectify.Tests.Gateway;
using Rectify.Tests.Measures;
using Rectify.Tests.Support;
using static Rectify.Tests.Measures.MeasuresFixture;

namespace Rectify.Tests.Reporting;

/// <summary>
/// The one period rule (Platform/ReportingCalendar.cs) at each of its boundaries — the month's last day, the next
/// month's first day, the due day and the lock day — for township drafts and submissions, the county summary and the
/// gateway's count of expected reports.
/// </summary>
public sealed class ReportingCalendarTests
{
    private static readonly Month March = new(2027, 3);
    private static readonly ReportingCalendar Calendar = new(new ReportingOptions());

    [Theory]
    [InlineData("2027-02-28", PeriodOpening.InFuture, PeriodOpening.InFuture, PeriodOpening.InFuture, false)]
    [InlineData("2027-03-01", PeriodOpening.Open, PeriodOpening.NotOver, PeriodOpening.NotOver, false)]
    [InlineData("2027-03-31", PeriodOpening.Open, PeriodOpening.NotOver, PeriodOpening.NotOver, false)] // the month's last day
    [InlineData("2027-04-01", PeriodOpening.Open, PeriodOpening.Open, PeriodOpening.Open, false)]       // the next month's first day
    [InlineData("2027-04-05", PeriodOpening.Open, PeriodOpening.Open, PeriodOpening.Open, false)]       // the due day
    [InlineData("2027-04-06", PeriodOpening.Open, PeriodOpening.Open, PeriodOpening.Open, true)]        // the day after: missing if not in
    [InlineData("2027-04-15", PeriodOpening.Open, PeriodOpening.Open, PeriodOpening.Open, true)]        // the lock day
    [InlineData("2027-04-16", PeriodOpening.Locked, PeriodOpening.Locked, PeriodOpening.Open, true)]    // locked; the summary is not
    public void The_period_rule_opens_drafts_with_the_month_submissions_and_summaries_after_it_and_locks_after_the_lock_day(
        string day, PeriodOpening draft, PeriodOpening submission, PeriodOpening summary, bool missing)
    {
        var today = DateOnly.Parse(day);
        Assert.Equal((draft, submission, summary, missing),
            (Calendar.ForDraft(March, today, null), Calendar.ForSubmission(March, today, null), ReportingCalendar.ForCountySummary(March, today), Calendar.Missing(March, today)));
    }

    [Fact]
    public void An_exception_reopens_a_locked_month_until_its_last_day_and_the_due_and_lock_days_follow_the_configuration()
    {
        Assert.Equal(PeriodOpening.Open, Calendar.ForSubmission(March, new DateOnly(2027, 4, 20), new DateOnly(2027, 4, 20)));
        Assert.Equal(PeriodOpening.Locked, Calendar.ForSubmission(March, new DateOnly(2027, 4, 21), new DateOnly(2027, 4, 20)));
        var configured = new ReportingCalendar(new ReportingOptions { DueDay = 10, LockDay = 20 });
        Assert.Equal((new DateOnly(2027, 4, 10), new DateOnly(2027, 4, 20)), (configured.DueOn(March), configured.LockedAfter(March)));
        Assert.Equal((false, true), (configured.Missing(March, new DateOnly(2027, 4, 10)), configured.Missing(March, new DateOnly(2027, 4, 11))));
        Assert.Equal(PeriodOpening.Open, configured.ForSubmission(March, new DateOnly(2027, 4, 20), null));
        Assert.Equal(PeriodOpening.Locked, configured.ForSubmission(March, new DateOnly(2027, 4, 21), null));
    }
}

/// <summary>The period rule through gRPC, in reporting and in the gateway, on SQLite and PostgreSQL.</summary>
public abstract class ReportingPeriodSpec(DbProvider provider) : IAsyncLifetime
{
    private TestHost _host = null!;
    private ReportingService.ReportingServiceClient _townshipA = null!, _townshipB = null!, _county = null!;
    private static readonly Period March = new() { Year = 2027, Month = 3 };

    public async ValueTask InitializeAsync()
    {
        _host = await TestHost.StartAsync(provider, GatewaySpec.Modules(),
            new Dictionary<string, string?> { ["Rectify:Measures:ScheduleScans"] = "false", ["Rectify:Reporting:ScheduleScans"] = "false" });
        await GatewaySpec.PrepareAsync(_host);
        var database = _host.Get<Database<ReportingModule>>();
        await Poll.Until(async () => await database.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM directory_targets")) == 3 ? true : throw new InvalidOperationException("the targets have not arrived"));
        _townshipA = _host.Reporting(TownshipA, "铁山垅镇党建办");
        _townshipB = _host.Reporting(TownshipB, "盘古山镇党建办");
        _county = _host.Reporting(County, "县委组织部", Role.Reviewer);
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private static VillageEntry Entry(string village) => new()
    {
        VillageCode = village, WorkDone = "召开支委会", NextMonthPlan = "推进产业路",
        Indicators = new Indicators { MeetingsHeld = 4, Trainings = 1, ServicesForPeople = 3, DisputesMediated = 2, CollectiveIncomeToDateYuan = 20_000 },
    };

    private static PushReportRequest Push(string id, string township, bool submit, params string[] villages)
    {
        var request = new PushReportRequest { ClientRequestId = id, TownshipCode = township, Period = March, Submit = submit };
        request.Villages.AddRange(villages.Select(Entry));
        return request;
    }

    private async Task<int> Reports() => await _host.Get<Database<ReportingModule>>().ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM reports"));

    [Fact]
    public async Task A_month_is_drafted_while_it_runs_and_submitted_once_it_is_over_until_its_lock_day()
    {
        SetShanghai(_host, new DateTime(2027, 3, 31, 23, 59, 0)); // the month's last day
        var draft = await _townshipA.PushReportAsync(Push("a-draft", TownshipA, false, TargetA1, TargetA2));
        Assert.Equal(ReportStatus.Draft, draft.Status);
        var refused = await Rpc.Refused(StatusCode.InvalidArgument, () => _townshipA.PushReportAsync(Push("a-early", TownshipA, true, TargetA1, TargetA2)));
        Assert.Equal(["period"], refused.Fields());
        Assert.Contains("from 2027-04-01", refused.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>().FieldViolations[0].Description);
        Assert.Equal((1, ReportStatus.Draft), (await Reports(), (await _county.GetReportAsync(new GetReportRequest { UnitCode = TownshipA, Period = March })).Status));

        SetShanghai(_host, new DateTime(2027, 4, 1, 0, 0, 0)); // the next month's first day
        var submitted = await _townshipA.PushReportAsync(Push("a-submit", TownshipA, true, TargetA1, TargetA2));
        Assert.Equal((ReportStatus.Submitted, Timeliness.OnTime, draft.Id), (submitted.Status, submitted.Timeliness, submitted.Id));

        SetShanghai(_host, new DateTime(2027, 4, 15, 23, 59, 0)); // the lock day: a draft and a late submission still go in
        Assert.Equal(ReportStatus.Draft, (await _townshipB.PushReportAsync(Push("b-draft", TownshipB, false, TargetB1))).Status);
        SetShanghai(_host, new DateTime(2027, 4, 16, 0, 0, 0)); // the day after: locked for both
        var before = await Reports();
        Assert.Equal("REPORTING_LOCKED", (await Rpc.Refused(StatusCode.FailedPrecondition, () => _townshipB.PushReportAsync(Push("b-late", TownshipB, true, TargetB1)))).PreconditionType());
        Assert.Equal("REPORTING_LOCKED", (await Rpc.Refused(StatusCode.FailedPrecondition, () => _townshipB.PushReportAsync(Push("b-draft-2", TownshipB, false, TargetB1)))).PreconditionType());
        Assert.Equal(before, await Reports());
    }

    [Fact]
    public async Task A_county_summary_is_submitted_in_the_same_months_as_its_townships_reports()
    {
        var summary = new SubmitCountySummaryRequest { ClientRequestId = "county-2027-03", CountyCode = County, Period = March };
        SetShanghai(_host, new DateTime(2027, 3, 31, 23, 59, 0)); // townships may draft March; neither they nor the county submit it
        await _townshipA.PushReportAsync(Push("a-draft", TownshipA, false, TargetA1, TargetA2));
        Assert.Equal(["period"], (await Rpc.Refused(StatusCode.InvalidArgument, () => _townshipA.PushReportAsync(Push("a-early", TownshipA, true, TargetA1, TargetA2)))).Fields());
        Assert.Equal(["period"], (await Rpc.Refused(StatusCode.InvalidArgument, () => _county.SubmitCountySummaryAsync(summary))).Fields());

        SetShanghai(_host, new DateTime(2027, 4, 1, 0, 0, 0)); // both open: the summary now waits only for its townships
        await _townshipA.PushReportAsync(Push("a-submit", TownshipA, true, TargetA1, TargetA2));
        await _county.AcceptReportAsync(new ReviewReportRequest { UnitCode = TownshipA, Period = March });
        Assert.Equal("TOWNSHIP_REPORTS_OPEN", (await Rpc.Refused(StatusCode.FailedPrecondition, () => _county.SubmitCountySummaryAsync(summary))).PreconditionType());

        SetShanghai(_host, new DateTime(2027, 4, 16, 0, 0, 0)); // 盘古山镇 is missing past its lock: the summary goes
        var submitted = await _county.SubmitCountySummaryAsync(summary);
        Assert.Equal((ReportStatus.Submitted, 1, 1), (submitted.Status, submitted.Summary.TownshipsAccepted, submitted.Summary.TownshipsMissing));
    }

    [Fact]
    public async Task The_gateway_counts_a_report_pending_through_the_due_day_and_missing_after_it_by_the_same_rule()
    {
        SetShanghai(_host, new DateTime(2027, 3, 31, 23, 59, 0)); // the running month: expected, pending
        await GatewaySpec.Until(_host, County, March, p => p.Reports is { Expected: 2, Pending: 2, Missing: 0 });
        SetShanghai(_host, new DateTime(2027, 4, 5, 23, 59, 0)); // the due day
        await _townshipA.PushReportAsync(Push("a-submit", TownshipA, true, TargetA1, TargetA2));
        await GatewaySpec.Until(_host, County, March, p => p.Reports is { Expected: 2, Received: 1, OnTime: 1, Pending: 1, Missing: 0 });
        SetShanghai(_host, new DateTime(2027, 4, 6, 0, 0, 0)); // the day after: 盘古山镇 is missing, in the gateway as in reporting
        var progress = await GatewaySpec.Until(_host, County, March, p => p.Reports is { Expected: 2, Received: 1, Pending: 0, Missing: 1 });
        var listed = await _county.ListReportsAsync(new ListReportsRequest { ScopeCode = County, Period = March });
        Assert.Equal([(TownshipA, Timeliness.OnTime), (TownshipB, Timeliness.Missing)], listed.Reports.Select(r => (r.UnitCode, r.Timeliness)));
        Assert.Equal(1, progress.Reports.OnTime);
        SetShanghai(_host, new DateTime(2027, 4, 15, 23, 59, 0)); // the lock day: a late report still counts as received, late
        await _townshipB.PushReportAsync(Push("b-late", TownshipB, true, TargetB1));
        await GatewaySpec.Until(_host, County, March, p => p.Reports is { Expected: 2, Received: 2, OnTime: 1, Late: 1, Missing: 0 });
    }
}

public sealed class ReportingPeriodOnSqlite() : ReportingPeriodSpec(DbProvider.Sqlite);

public sealed class ReportingPeriodOnPostgres() : ReportingPeriodSpec(DbProvider.Postgres);
