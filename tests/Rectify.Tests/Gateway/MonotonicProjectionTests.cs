using Dapper;
using Rectify.Events;
using Rectify.Events.Assessment;
using Rectify.Events.Measures;
using Rectify.Events.Reporting;
using Rectify.Gateway;
using Rectify.Gateway.ReadModel;
using Rectify.Gateway.V1;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;

namespace Rectify.Tests.Gateway;

/// <summary>
/// The gateway's projections are atomic and monotonic: one aggregate's events, consumed concurrently, out of order and
/// twice, leave the newest state in the row and in the in-memory model. The events share one instant, as a demo seed on
/// a fixed clock (or two replicas with skewed clocks) produces them: only the publisher's version orders them.
/// </summary>
public abstract class MonotonicProjectionTests(DbProvider provider) : IAsyncLifetime
{
    private const string County = "360731000000", Township = "360731101000", Village = "360731101201";
    private static readonly DateTimeOffset At = new(2027, 3, 10, 2, 0, 0, TimeSpan.Zero);
    private static readonly Month March = new(2027, 3);
    private static readonly DateOnly Today = new(2027, 4, 20);
    private readonly GatewayModule _gateway = new();
    private TestHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await TestHost.StartAsync(provider, [_gateway]);

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private static MeasureSnapshot Measure(MeasureStatus status, long version) =>
        new("8d0c6a52-3f7e-4a55-9d3e-0c2b9b1f7a01", "plan-1", Village, "上坪村", 2027, "COLLECTIVE_ECONOMY", "整修通组产业路", ["陈建国"], new DateOnly(2027, 3, 31), false, status, version);

    private static readonly ReportIndicators First = new(1, 1, 0, 1, 1, 10_000), Second = new(4, 2, 1, 3, 2, 20_000);

    /// <summary>Designated, then transformed; a measure created, progressed, completed, closed; a report submitted, returned, resubmitted, accepted.</summary>
    private static List<IIntegrationEvent> History() =>
    [
        new TargetsDesignated(County, 2027, new DateOnly(2027, 12, 31), [new DesignatedTarget(Village, "上坪村", "铁山垅镇", Version: 1)], At),
        new TargetTransformed("campaign-1", 2027, Village, "上坪村", 82, new DateOnly(2027, 3, 10), At, Version: 2),
        new MeasureCreated(Measure(MeasureStatus.NotStarted, 1), At),
        new MeasureProgressed(Measure(MeasureStatus.InProgress, 2), new DateOnly(2027, 3, 10), 50, At),
        new MeasureCompleted(Measure(MeasureStatus.Completed, 3), At),
        new MeasureClosed(Measure(MeasureStatus.Closed, 4), "王书记", At),
        new ReportSubmitted("r-1", ReportKind.Township, Township, County, "2027-03", 1, Timeliness.OnTime, new DateOnly(2027, 4, 3), First, 1, At, ReportVersion.Submitted(1)),
        new ReportReturned("r-1", ReportKind.Township, Township, County, "2027-03", 1, "数据不全", "county", At, ReportVersion.Reviewed(1)),
        new ReportSubmitted("r-2", ReportKind.Township, Township, County, "2027-03", 2, Timeliness.OnTime, new DateOnly(2027, 4, 8), Second, 1, At, ReportVersion.Submitted(2)),
        new ReportAccepted("r-2", ReportKind.Township, Township, County, "2027-03", 2, "county", At, ReportVersion.Reviewed(2)),
    ];

    [Fact]
    public async Task Events_replayed_concurrently_out_of_order_and_twice_leave_the_newest_state()
    {
        var history = History();
        // The newest of each aggregate first, alone, so an older event consumed after it must not move the row back.
        var newest = new IIntegrationEvent[] { history[1], history[5], history[9] };
        foreach (var e in newest) await _host.PublishAsync(e);
        await _host.SettledAsync();
        // Then everything, shuffled, each event twice (as two publishes: two message ids, so deduplication does not hide it), all at once.
        var replay = history.Concat(history).OrderBy(_ => Random.Shared.Next()).ToList();
        await Task.WhenAll(replay.Select(_host.PublishAsync));
        await _host.SettledAsync();

        var db = _gateway.GetDatabase(_host.Services);
        var (measure, target, report) = await db.ReadAsync(async s => (
            await s.QuerySingleAsync<MeasureRow>($"SELECT {ReadModelStore.MeasureColumns} FROM rm_measures"),
            await s.QuerySingleAsync<TargetRow>($"SELECT {ReadModelStore.TargetColumns} FROM rm_targets"),
            await s.QuerySingleAsync<ReportRow>($"SELECT {ReadModelStore.ReportColumns} FROM rm_reports")));
        Assert.Equal((MeasureStatus.Closed, 4L), (measure.Status, measure.Version));
        Assert.Equal(new DateOnly(2027, 3, 10), measure.ClosedOn);
        Assert.Equal((Rectify.Assessment.V1.TargetStatus.Transformed, 2L, 1L), (target.Status, target.Version, target.FactsVersion));
        Assert.Equal(new DateOnly(2027, 3, 10), target.DesignatedOn);
        Assert.Equal((Rectify.Reporting.V1.ReportStatus.Accepted, ReportVersion.Reviewed(2), ReportVersion.Submitted(2)), (report.Status, report.Version, report.TotalsVersion));
        Assert.Equal(Second, report.TotalList);
        Assert.Equal(Timeliness.OnTime, report.Timeliness);

        // The model answers the same, and the same as a model loaded afresh from the rows.
        var live = _host.Get<ProgressModel>().Progress(OrgCode.Parse(County), March, Today);
        Assert.Equal((1, 1, 0), (live.Targets.Total, live.Targets.Transformed, live.Targets.Designated));
        Assert.Equal((1, 1, 0, 0), (live.Measures.Total, live.Measures.Closed, live.Measures.Completed, live.Measures.Overdue));
        Assert.Equal((1, 1, 1), (live.Reports.Expected, live.Reports.Accepted, live.Reports.OnTime));
        Assert.Equal(Second.MeetingsHeld, live.Indicators.MeetingsHeld);
        var reloaded = new ProgressModel(_host.Get<ReportingCalendar>(), _host.Clock);
        await reloaded.LoadAsync(db, CancellationToken.None);
        Assert.Equal(WithoutVersion(live), WithoutVersion(reloaded.Progress(OrgCode.Parse(County), March, Today)));
    }

    [Fact]
    public async Task A_status_consumed_before_its_designation_and_a_review_before_its_submission_are_kept()
    {
        var history = History();
        // Reversed: every aggregate's events newest first, one after another.
        foreach (var e in Enumerable.Reverse(history))
        {
            await _host.PublishAsync(e);
            await _host.SettledAsync();
        }
        var live = _host.Get<ProgressModel>().Progress(OrgCode.Parse(County), March, Today);
        Assert.Equal((1, 1), (live.Targets.Total, live.Targets.Transformed));
        Assert.Equal((1, 1), (live.Measures.Total, live.Measures.Closed));
        Assert.Equal((1, 1, 1), (live.Reports.Expected, live.Reports.Accepted, live.Reports.OnTime));
        Assert.Equal(Second.CollectiveIncomeToDateYuan, live.Indicators.CollectiveIncomeToDateYuan);
    }

    /// <summary>
    /// An earlier year's failed acceptance imported as history (往年整顿对象及结果): Reopened in the read model as a rebuild from
    /// the assessment service would hold it, whichever of the designation and the outcome is consumed first.
    /// </summary>
    [Fact]
    public async Task An_archived_failed_acceptance_is_reopened_whichever_event_comes_first()
    {
        var designated = new TargetsDesignated(County, 2022, new DateOnly(2022, 12, 31), [new DesignatedTarget(Village, "上坪村", "铁山垅镇", Version: 1)], At,
            EnteredAsHistory: true, DecidedOn: new DateOnly(2022, 4, 10));
        var failed = new PastAcceptanceFailedRecorded("campaign-2022", 2022, Village, "上坪村", new DateOnly(2022, 12, 21), At, Version: 2);
        await _host.PublishAsync(failed);
        await _host.SettledAsync();
        await _host.PublishAsync(designated);
        await _host.SettledAsync();
        var target = await _gateway.GetDatabase(_host.Services).ReadAsync(s => s.QuerySingleAsync<TargetRow>($"SELECT {ReadModelStore.TargetColumns} FROM rm_targets"));
        Assert.Equal((Rectify.Assessment.V1.TargetStatus.Reopened, 2L, new DateOnly(2022, 4, 10)), (target.Status, target.Version, target.DesignatedOn));
    }

    private static Progress WithoutVersion(Progress progress)
    {
        var copy = progress.Clone();
        copy.Version = 0;
        return copy;
    }
}

public sealed class MonotonicProjectionOnSqlite() : MonotonicProjectionTests(DbProvider.Sqlite);

public sealed class MonotonicProjectionOnPostgres() : MonotonicProjectionTests(DbProvider.Postgres);
