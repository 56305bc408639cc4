using Dapper;
using Grpc.Core;
using Rectify.Common.V1;
using Rectify.Platform.Storage;
using Rectify.Reporting;
using Rectify.Reporting.Reports;
using Rectify.Reporting.V1;
using Rectify.Tests.Support;
using static Rectify.Tests.Measures.MeasuresFixture;

namespace Rectify.Tests.Reporting;

/// <summary>
/// Concurrent pushes share one transaction (GroupCommit): each caller gets its own report, and a bad push among good
/// ones is refused alone with nothing of it written. The writer is held while the pushes queue, so they are written
/// as one group, not one by one.
/// </summary>
public abstract class GroupCommitSpec(DbProvider provider) : IAsyncLifetime
{
    private TestHost _host = null!;
    private static readonly Period March = new() { Year = 2027, Month = 3 };
    private static readonly Period April = new() { Year = 2027, Month = 4 };

    public async ValueTask InitializeAsync()
    {
        _host = await TestHost.StartAsync(provider,
            [new Rectify.Organizations.OrganizationsModule(), new Rectify.Measures.MeasuresModule(), new ReportingModule()],
            new Dictionary<string, string?> { ["Rectify:Measures:ScheduleScans"] = "false", ["Rectify:Reporting:ScheduleScans"] = "false" });
        SetShanghai(_host, new DateTime(2027, 3, 1, 10, 0, 0));
        await DesignateAsync(_host, (TargetA1, "上坪村", "铁山垅镇"), (TargetA2, "黄屋村", "铁山垅镇"), (TargetB1, "石门村", "盘古山镇"));
        var database = _host.Get<Database<ReportingModule>>();
        await Poll.UntilCount(() => database.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM directory_targets")), 3, "targets in reporting's directory");
        SetShanghai(_host, new DateTime(2027, 4, 2, 9, 0, 0));
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private static PushReportRequest Push(string id, string township, Period period, params (string Village, int Meetings)[] entries)
    {
        var request = new PushReportRequest { ClientRequestId = id, TownshipCode = township, Period = period, Submit = false };
        foreach (var (village, meetings) in entries)
            request.Villages.Add(new VillageEntry { VillageCode = village, WorkDone = "召开支委会", Indicators = new Indicators { MeetingsHeld = meetings } });
        return request;
    }

    [Fact]
    public async Task Concurrent_pushes_in_one_group_each_get_their_own_report_and_a_bad_one_is_refused_alone_with_nothing_of_it_written()
    {
        var county = _host.Reporting(County, "县委组织部");
        var commits = _host.Get<GroupCommit>();
        var database = _host.Get<Database<ReportingModule>>();

        // Hold the writer, so the pushes below queue up and are written together in the next group.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = commits.WriteAsync(async _ => { await release.Task; return 0; }, CancellationToken.None);
        await Poll.UntilCount(() => commits.Waiting, 0, "the holding write taken by the writer");
        var good = new[]
        {
            Push("g-a-03", TownshipA, March, (TargetA1, 3), (TargetA2, 4)),
            Push("g-b-03", TownshipB, March, (TargetB1, 5)),
            Push("g-a-04", TownshipA, April, (TargetA2, 6)),
        };
        // Passes the request's own checks; refused in the write (石门村 is not 铁山垅镇's target), after its request id was claimed.
        var bad = Push("bad-b-04", TownshipB, April, (TargetB1, 7), (TargetA1, 8));
        var answers = good.Select(p => county.PushReportAsync(p).ResponseAsync).ToList();
        var refused = Rpc.Refused(StatusCode.InvalidArgument, () => county.PushReportAsync(bad));
        await Poll.UntilCount(() => commits.Waiting, 4, "pushes queued behind the held writer");
        release.SetResult();
        await holding;

        var reports = await Task.WhenAll(answers);
        for (var i = 0; i < good.Length; i++)
        {
            Assert.Equal((good[i].TownshipCode, good[i].Period, ReportStatus.Draft, 1), (reports[i].UnitCode, reports[i].Period, reports[i].Status, reports[i].Revision));
            Assert.Equal(good[i].Villages.Select(v => (v.VillageCode, v.Indicators.MeetingsHeld)), reports[i].Villages.Select(v => (v.VillageCode, v.Indicators.MeetingsHeld)));
        }
        Assert.Equal(["villages[1].village_code"], (await refused).Fields());

        var (written, claims) = await database.ReadAsync(async c => (
            (await c.QueryAsync<string>("SELECT unit_code || '/' || period FROM reports ORDER BY unit_code, period")).ToList(),
            (await c.QueryAsync<string>("SELECT client_request_id FROM request_replies ORDER BY client_request_id")).ToList()));
        Assert.Equal([$"{TownshipA}/2027-03", $"{TownshipA}/2027-04", $"{TownshipB}/2027-03"], written);
        // The bad push's claim of its request id went with its savepoint; its retry, corrected, is a new request.
        Assert.Equal(["g-a-03", "g-a-04", "g-b-03"], claims);
        var corrected = await county.PushReportAsync(Push("bad-b-04", TownshipB, April, (TargetB1, 7)));
        Assert.Equal((TownshipB, 1), (corrected.UnitCode, corrected.Villages.Count));
        // Each answer was kept for its own request: a retry of one replays it.
        Assert.Equal(reports[1], await county.PushReportAsync(good[1]));
    }
}

public sealed class GroupCommitOnSqlite() : GroupCommitSpec(DbProvider.Sqlite);

public sealed class GroupCommitOnPostgres() : GroupCommitSpec(DbProvider.Postgres);
