using Dapper;
using Grpc.Core;
using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Organizations.V1;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Reporting;
using Rectify.Reporting.V1;
using Rectify.Tests.Measures;
using Rectify.Tests.Support;
using static Rectify.Tests.Measures.MeasuresFixture;

namespace Rectify.Tests.Reporting;

/// <summary>Monthly reports through gRPC with organizations, measures and reporting in one host, on SQLite and PostgreSQL.</summary>
public abstract class ReportingSpec(DbProvider provider) : IAsyncLifetime
{
    protected TestHost Host = null!;
    private ReportingService.ReportingServiceClient _townshipA = null!;
    private ReportingService.ReportingServiceClient _county = null!;
    private static readonly Period March = new() { Year = 2027, Month = 3 };

    public async ValueTask InitializeAsync()
    {
        Host = await TestHost.StartAsync(provider,
            [new Rectify.Organizations.OrganizationsModule(), new Rectify.Measures.MeasuresModule(), new ReportingModule()],
            new Dictionary<string, string?> { ["Rectify:Measures:ScheduleScans"] = "false", ["Rectify:Reporting:ScheduleScans"] = "false" });
        SetShanghai(Host, new DateTime(2027, 3, 1, 10, 0, 0));
        await DesignateAsync(Host, (TargetA1, "上坪村", "铁山垅镇"), (TargetA2, "黄屋村", "铁山垅镇"), (TargetB1, "石门村", "盘古山镇"));
        var database = Host.Get<Database<ReportingModule>>();
        await Poll.UntilCount(() => database.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM directory_targets")), 3, "targets in reporting's directory");
        await Host.Measures(MeasuresFixture.TownshipA).CreatePlanAsync(SimplePlan(TargetA1, new DateOnly(2027, 3, 20)));
        _townshipA = Host.Reporting(MeasuresFixture.TownshipA, "铁山垅镇党建办");
        _county = Host.Reporting(County, "县委组织部", Role.Reviewer);
    }

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();

    private static VillageEntry Entry(string village, int meetings = 4) => new()
    {
        VillageCode = village, WorkDone = "召开支委会，推进集体经济项目", ProblemsMet = "资金到位慢", NextMonthPlan = "完成产业路硬化",
        Indicators = new Indicators { MeetingsHeld = meetings, Trainings = 1, MembersDeveloped = 0, ServicesForPeople = 3, DisputesMediated = 2, CollectiveIncomeToDateYuan = 50_000 },
    };

    private static PushReportRequest Push(string id, bool submit, params VillageEntry[] entries)
    {
        var request = new PushReportRequest { ClientRequestId = id, TownshipCode = MeasuresFixture.TownshipA, Period = March, Submit = submit };
        request.Villages.AddRange(entries);
        return request;
    }

    private async Task<string> Snapshot() => await Host.Get<Database<ReportingModule>>().ReadAsync(async c =>
    {
        var parts = new List<string>();
        foreach (var table in new[] { "reports", "request_replies", "reporting_exceptions", "outbox_messages" })
            parts.Add($"{table}={await c.ExecuteScalarAsync<int>($"SELECT COUNT(*) FROM {table}")}");
        parts.Add(string.Join(",", await c.QueryAsync<string>("SELECT unit_code || ':' || CAST(revision AS VARCHAR(3)) || ':' || CAST(status AS VARCHAR(2)) FROM reports ORDER BY unit_code, revision")));
        return string.Join(" ", parts);
    });

    [Fact]
    public async Task A_township_saves_a_draft_then_submits_with_the_ledger_snapshotted_and_a_retried_push_changes_nothing()
    {
        SetShanghai(Host, new DateTime(2027, 4, 2, 9, 0, 0));
        var draft = await _townshipA.PushReportAsync(Push("t-101-2027-03-a", false, Entry(TargetA1)));
        Assert.Equal((ReportStatus.Draft, 1, Timeliness.Unspecified), (draft.Status, draft.Revision, draft.Timeliness));
        var edited = await _townshipA.PushReportAsync(Push("t-101-2027-03-b", false, Entry(TargetA1, meetings: 5), Entry(TargetA2)));
        Assert.Equal((draft.Id, 1, 2), (edited.Id, edited.Revision, edited.Villages.Count));

        var submitted = await _townshipA.PushReportAsync(Push("t-101-2027-03-c", true, Entry(TargetA1, meetings: 5), Entry(TargetA2)));
        Assert.Equal((ReportStatus.Submitted, Timeliness.OnTime, 1), (submitted.Status, submitted.Timeliness, submitted.Revision));
        // The ledger comes from the measures service: 上坪村's plan has three measures, one due 20 March and now overdue.
        Assert.Equal((3, 3, 0), (submitted.Villages[0].Ledger.Total, submitted.LedgerTotals.Overdue, submitted.Villages[1].Ledger.Total));
        Assert.Equal((9, 2, 100_000L), (submitted.Totals.MeetingsHeld, submitted.Totals.Trainings, submitted.Totals.CollectiveIncomeToDateYuan));

        var before = await Snapshot();
        var retried = await _townshipA.PushReportAsync(Push("t-101-2027-03-c", true, Entry(TargetA1, meetings: 5), Entry(TargetA2)));
        Assert.Equal(submitted, retried);
        Assert.Equal(before, await Snapshot());
        var outbox = await Host.Get<Database<ReportingModule>>().ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM outbox_messages WHERE message_type LIKE '%ReportSubmitted'"));
        Assert.Equal(1, outbox);
    }

    [Fact]
    public async Task The_county_returns_with_a_reason_the_township_resubmits_a_new_revision_and_the_county_accepts()
    {
        SetShanghai(Host, new DateTime(2027, 4, 5, 23, 59, 0));
        await _townshipA.PushReportAsync(Push("r1", true, Entry(TargetA1), Entry(TargetA2)));
        await Rpc.Refused(StatusCode.InvalidArgument, () => _county.ReturnReportAsync(new ReviewReportRequest { UnitCode = MeasuresFixture.TownshipA, Period = March }));
        await Rpc.Refused(StatusCode.PermissionDenied, () => _townshipA.AcceptReportAsync(new ReviewReportRequest { UnitCode = MeasuresFixture.TownshipA, Period = March }));
        var returned = await _county.ReturnReportAsync(new ReviewReportRequest { UnitCode = MeasuresFixture.TownshipA, Period = March, Reason = "为民办实事数量与台账不符" });
        Assert.Equal((ReportStatus.Returned, "为民办实事数量与台账不符"), (returned.Status, returned.ReturnReason));

        SetShanghai(Host, new DateTime(2027, 4, 8, 9, 0, 0));
        var resubmitted = await _townshipA.PushReportAsync(Push("r2", true, Entry(TargetA1), Entry(TargetA2)));
        // A new revision; it keeps the first submission's timeliness (on time on 5 April), not today's.
        Assert.Equal((2, ReportStatus.Submitted, Timeliness.OnTime), (resubmitted.Revision, resubmitted.Status, resubmitted.Timeliness));
        var accepted = await _county.AcceptReportAsync(new ReviewReportRequest { UnitCode = MeasuresFixture.TownshipA, Period = March });
        Assert.Equal(ReportStatus.Accepted, accepted.Status);
        Assert.Equal(ReportStatus.Returned, (await _county.GetReportAsync(new GetReportRequest { UnitCode = MeasuresFixture.TownshipA, Period = March, Revision = 1 })).Status);
        Assert.Equal("REPORT_SUBMITTED", (await Rpc.Refused(StatusCode.FailedPrecondition, () => _townshipA.PushReportAsync(Push("r3", true, Entry(TargetA1), Entry(TargetA2))))).PreconditionType());
    }

    [Theory]
    [InlineData(2027, 4, 5, 23, 59, Timeliness.OnTime)]
    [InlineData(2027, 4, 6, 0, 0, Timeliness.Late)]
    [InlineData(2027, 4, 15, 23, 59, Timeliness.Late)]
    public async Task Reports_are_on_time_by_day_5_and_late_until_day_15(int y, int m, int d, int hour, int minute, Timeliness expected)
    {
        SetShanghai(Host, new DateTime(y, m, d, hour, minute, 0));
        Assert.Equal(expected, (await _townshipA.PushReportAsync(Push($"t-{d}", true, Entry(TargetA1), Entry(TargetA2)))).Timeliness);
    }

    [Fact]
    public async Task After_day_15_the_period_is_locked_unless_the_county_grants_an_exception()
    {
        SetShanghai(Host, new DateTime(2027, 4, 6, 9, 0, 0));
        var list = await _county.ListReportsAsync(new ListReportsRequest { ScopeCode = County, Period = March });
        Assert.Equal([(MeasuresFixture.TownshipA, Timeliness.Missing), (MeasuresFixture.TownshipB, Timeliness.Missing)], list.Reports.Select(r => (r.UnitCode, r.Timeliness)));
        SetShanghai(Host, new DateTime(2027, 4, 16, 0, 0, 0));
        var before = await Snapshot();
        Assert.Equal("REPORTING_LOCKED", (await Rpc.Refused(StatusCode.FailedPrecondition, () => _townshipA.PushReportAsync(Push("late-1", true, Entry(TargetA1), Entry(TargetA2))))).PreconditionType());
        Assert.Equal(before, await Snapshot());
        await Rpc.Refused(StatusCode.PermissionDenied, () => _townshipA.GrantExceptionAsync(new GrantExceptionRequest { TownshipCode = MeasuresFixture.TownshipA, Period = March, Reason = "自己批", Until = D(2027, 4, 20) }));
        await _county.GrantExceptionAsync(new GrantExceptionRequest { TownshipCode = MeasuresFixture.TownshipA, Period = March, Reason = "汛期抢险，同意补报", Until = D(2027, 4, 20) });
        var late = await _townshipA.PushReportAsync(Push("late-2", true, Entry(TargetA1), Entry(TargetA2)));
        Assert.Equal(Timeliness.Late, late.Timeliness);
        var after = await _county.ListReportsAsync(new ListReportsRequest { ScopeCode = County, Period = March });
        Assert.Equal((Timeliness.Late, true), (after.Reports[0].Timeliness, after.Reports[0].ExceptionGranted));
    }

    [Fact]
    public async Task Bad_pushes_are_refused_with_their_fields_and_nothing_is_written()
    {
        SetShanghai(Host, new DateTime(2027, 4, 2, 9, 0, 0));
        var before = await Snapshot();
        var future = Push("bad-1", false, Entry(TargetA1));
        future.Period = new Period { Year = 2027, Month = 5 };
        Assert.Equal(["period"], (await Rpc.Refused(StatusCode.InvalidArgument, () => _townshipA.PushReportAsync(future))).Fields());
        var beforeCampaign = Push("bad-2", false, Entry(TargetA1));
        beforeCampaign.Period = new Period { Year = 2027, Month = 2 };
        Assert.Equal(["period"], (await Rpc.Refused(StatusCode.InvalidArgument, () => _townshipA.PushReportAsync(beforeCampaign))).Fields());
        Assert.Equal(["villages[1].village_code"], (await Rpc.Refused(StatusCode.InvalidArgument, () => _townshipA.PushReportAsync(Push("bad-3", false, Entry(TargetA1), Entry(NotATarget))))).Fields());
        Assert.Equal(["villages[1].village_code"], (await Rpc.Refused(StatusCode.InvalidArgument, () => _townshipA.PushReportAsync(Push("bad-4", false, Entry(TargetA1), Entry(TargetA1))))).Fields());
        var negative = Entry(TargetA1);
        negative.Indicators.DisputesMediated = -1;
        Assert.Equal(["villages[0].indicators.disputes_mediated"], (await Rpc.Refused(StatusCode.InvalidArgument, () => _townshipA.PushReportAsync(Push("bad-5", false, negative)))).Fields());
        Assert.Equal(["villages"], (await Rpc.Refused(StatusCode.InvalidArgument, () => _townshipA.PushReportAsync(Push("bad-6", true, Entry(TargetA1))))).Fields());
        var other = Push("bad-7", false, Entry(TargetB1));
        other.TownshipCode = MeasuresFixture.TownshipB;
        await Rpc.Refused(StatusCode.PermissionDenied, () => _townshipA.PushReportAsync(other));
        Assert.Equal(before, await Snapshot());

        await _townshipA.PushReportAsync(Push("ok", true, Entry(TargetA1), Entry(TargetA2)));
        before = await Snapshot();
        Assert.Equal("REPORT_SUBMITTED", (await Rpc.Refused(StatusCode.FailedPrecondition, () => _townshipA.PushReportAsync(Push("edit", false, Entry(TargetA1))))).PreconditionType());
        Assert.Equal(before, await Snapshot());
    }

    [Fact]
    public async Task A_unit_closed_mid_campaign_leaves_the_denominator_from_the_next_month()
    {
        var admin = Host.Organizations("000000000000", Role.Service);
        using (var import = admin.ImportUnits())
        {
            foreach (var (code, name, parent) in new[] { ("360000000000", "江西省", ""), ("360700000000", "赣州市", "360000000000"), (County, "于都县", "360700000000"),
                         (MeasuresFixture.TownshipB, "盘古山镇", County), (TargetB1, "石门村", MeasuresFixture.TownshipB) })
                await import.RequestStream.WriteAsync(new ImportUnitRow { Code = code, Name = name, ParentCode = parent });
            await import.RequestStream.CompleteAsync();
            await import;
        }
        await admin.CloseUnitAsync(new CloseUnitRequest { Code = TargetB1, ClosedOn = D(2027, 3, 20), Reason = "撤并" });
        SetShanghai(Host, new DateTime(2027, 5, 2, 9, 0, 0));
        var database = Host.Get<Database<ReportingModule>>();
        await Poll.Until(async () => await database.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM directory_closures")) == 1 ? true : throw new InvalidOperationException("the closing has not arrived"));
        Assert.Equal(2, (await _county.ListReportsAsync(new ListReportsRequest { ScopeCode = County, Period = March })).Reports.Count);
        var april = await _county.ListReportsAsync(new ListReportsRequest { ScopeCode = County, Period = new Period { Year = 2027, Month = 4 } });
        Assert.Equal([MeasuresFixture.TownshipA], april.Reports.Select(r => r.UnitCode));
    }

    [Fact]
    public async Task The_county_summary_waits_for_every_township_then_goes_to_the_city()
    {
        SetShanghai(Host, new DateTime(2027, 4, 3, 9, 0, 0));
        await _townshipA.PushReportAsync(Push("s1", true, Entry(TargetA1), Entry(TargetA2)));
        await _county.AcceptReportAsync(new ReviewReportRequest { UnitCode = MeasuresFixture.TownshipA, Period = March });
        var summary = new SubmitCountySummaryRequest { ClientRequestId = "county-2027-03", CountyCode = County, Period = March };
        Assert.Equal("TOWNSHIP_REPORTS_OPEN", (await Rpc.Refused(StatusCode.FailedPrecondition, () => _county.SubmitCountySummaryAsync(summary))).PreconditionType());

        SetShanghai(Host, new DateTime(2027, 4, 16, 9, 0, 0)); // 盘古山镇 never reported: past the lock it is recorded missing
        var submitted = await _county.SubmitCountySummaryAsync(summary);
        Assert.Equal((2, 1, 1, 1, 0), (submitted.Summary.TownshipsExpected, submitted.Summary.TownshipsAccepted, submitted.Summary.TownshipsMissing, submitted.Summary.OnTime, submitted.Summary.Late));
        Assert.Equal([MeasuresFixture.TownshipB], submitted.Summary.MissingTownships);
        Assert.Equal((ReportKind.CountySummary, Timeliness.Late, 8), (submitted.Kind, submitted.Timeliness, submitted.Totals.MeetingsHeld));
        Assert.Equal(submitted, await _county.SubmitCountySummaryAsync(summary));

        await Rpc.Refused(StatusCode.PermissionDenied, () => _county.AcceptReportAsync(new ReviewReportRequest { UnitCode = County, Period = March }));
        var city = Host.Reporting("360700000000", "市委组织部", Role.Reviewer);
        Assert.Equal(ReportStatus.Accepted, (await city.AcceptReportAsync(new ReviewReportRequest { UnitCode = County, Period = March })).Status);
    }

    [Fact]
    public async Task Townships_that_have_not_reported_are_reminded_before_day_5_and_chased_once_after_it()
    {
        var reporting = Host.Reporting(County);
        SetShanghai(Host, new DateTime(2027, 4, 1, 9, 0, 0));
        Assert.Equal((0, 0), Counts(await reporting.RunReminderScanAsync(new RunReminderScanRequest())));
        SetShanghai(Host, new DateTime(2027, 4, 2, 9, 0, 0));
        Assert.Equal((2, 0), Counts(await reporting.RunReminderScanAsync(new RunReminderScanRequest())));  // 3 days before: both townships
        await _townshipA.PushReportAsync(Push("rem", true, Entry(TargetA1), Entry(TargetA2)));
        SetShanghai(Host, new DateTime(2027, 4, 4, 9, 0, 0));
        Assert.Equal((1, 0), Counts(await reporting.RunReminderScanAsync(new RunReminderScanRequest())));  // 1 day before: only 盘古山镇
        SetShanghai(Host, new DateTime(2027, 4, 6, 9, 0, 0));
        Assert.Equal((0, 1), Counts(await reporting.RunReminderScanAsync(new RunReminderScanRequest())));  // the day after: missing
        Assert.Equal((0, 0), Counts(await reporting.RunReminderScanAsync(new RunReminderScanRequest())));
        static (int, int) Counts(RunReminderScanResponse r) => (r.DueSoon, r.Missing);
    }

}

public sealed class ReportingOnSqlite() : ReportingSpec(DbProvider.Sqlite);

public sealed class ReportingOnPostgres() : ReportingSpec(DbProvider.Postgres);

public static class ReportingClients
{
    public static ReportingService.ReportingServiceClient Reporting(this TestHost host, string org, string subject = "tester", Role role = Role.Officer) => new(host.As(org, role, subject));
}
