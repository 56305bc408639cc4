using Dapper;
using Rectify.Common.V1;
using Rectify.Platform;
using Rectify.Platform.Storage;
using Rectify.Reporting;
using Rectify.Reporting.Reports;
using Rectify.Reporting.V1;
using Rectify.Tests.Support;
using static Rectify.Tests.Measures.MeasuresFixture;

namespace Rectify.Tests.Reporting;

/// <summary>
/// The answers kept for client request ids (once push_requests) do not grow for ever: after
/// Rectify:Reporting:KeepRequestRepliesFor (30 days) they are pruned, and within it a retry still gets its first answer.
/// </summary>
public sealed class RequestReplyRetentionTests
{
    private static PushReportRequest Push(string id, string township, string village, int month, bool submit) => new()
    {
        ClientRequestId = id, TownshipCode = township, Period = new Period { Year = 2027, Month = month }, Submit = submit,
        Villages = { new VillageEntry { VillageCode = village, WorkDone = "召开支委会", NextMonthPlan = "完成产业路硬化", Indicators = new Indicators { MeetingsHeld = 2 } } },
    };

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task Replies_older_than_the_keep_time_are_pruned_and_a_retry_within_it_still_gets_its_first_answer(DbProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await TestHost.StartAsync(provider,
            [new Rectify.Organizations.OrganizationsModule(), new Rectify.Measures.MeasuresModule(), new ReportingModule()],
            new Dictionary<string, string?>
            {
                ["Rectify:Measures:ScheduleScans"] = "false", ["Rectify:Reporting:ScheduleScans"] = "false",
                ["Rectify:Reporting:KeepRequestRepliesFor"] = "30.00:00:00", // the default, which test hosts otherwise lift
            });
        SetShanghai(host, new DateTime(2027, 3, 1, 10, 0, 0));
        await DesignateAsync(host, (TargetA1, "上坪村", "铁山垅镇"), (TargetB1, "石门村", "盘古山镇"));
        var database = host.Get<Database<ReportingModule>>();
        await Poll.Until(async () => await database.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM directory_targets"), ct) == 2
            ? true : throw new InvalidOperationException("the targets have not reached reporting"));
        Task<int> RepliesAsync(string id) => database.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM request_replies WHERE client_request_id = @id", new { id }), ct);
        Task<int> RevisionsAsync(string unit) => database.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM reports WHERE unit_code = @unit", new { unit }), ct);
        var retention = host.Get<RequestReplyRetention>();
        var townshipA = host.Reporting(TownshipA);
        var townshipB = host.Reporting(TownshipB);

        SetShanghai(host, new DateTime(2027, 4, 2, 9, 0, 0));
        var march = await townshipA.PushReportAsync(Push("a-march", TownshipA, TargetA1, 3, submit: true), cancellationToken: ct);

        // Day 29: still kept, so the township's retry gets its first answer and writes nothing.
        SetShanghai(host, new DateTime(2027, 5, 1, 9, 0, 0));
        await retention.PruneAsync(ct);
        Assert.Equal(march, await townshipA.PushReportAsync(Push("a-march", TownshipA, TargetA1, 3, submit: true), cancellationToken: ct));
        Assert.Equal((1, 1), (await RepliesAsync("a-march"), await RevisionsAsync(TownshipA)));
        var may = await townshipB.PushReportAsync(Push("b-may", TownshipB, TargetB1, 5, submit: false), cancellationToken: ct);

        // Day 32 for the first, day 3 for the second: the first is pruned, the second kept and still answers its retry.
        SetShanghai(host, new DateTime(2027, 5, 4, 9, 0, 0));
        await retention.PruneAsync(ct);
        Assert.Equal((0, 1), (await RepliesAsync("a-march"), await RepliesAsync("b-may")));
        Assert.Equal(may, await townshipB.PushReportAsync(Push("b-may", TownshipB, TargetB1, 5, submit: false), cancellationToken: ct));
        Assert.Equal((1, 1), (await RepliesAsync("b-may"), await RevisionsAsync(TownshipB)));
        Assert.Equal(0, await retention.PruneAsync(ct));
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task More_than_one_batch_of_old_replies_recorded_at_one_instant_is_pruned_entirely(DbProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await TestHost.StartAsync(provider, [new ReportingModule()],
            new Dictionary<string, string?> { ["Rectify:Reporting:ScheduleScans"] = "false", ["Rectify:Reporting:KeepRequestRepliesFor"] = "30.00:00:00" });
        var database = host.Get<Database<ReportingModule>>();
        var old = host.Clock.GetUtcNow().UtcDateTime - TimeSpan.FromDays(31);
        var recent = host.Clock.GetUtcNow().UtcDateTime - TimeSpan.FromDays(29);
        await database.WriteAsync(s => s.ExecuteAsync("""
            INSERT INTO request_replies (unit_code, rpc, client_request_id, target_code, request_hash, response, recorded_at)
            VALUES (@unit, 'PushReport', @id, @unit, NULL, '{}', @at)
            """, Enumerable.Range(0, 2500).Select(i => new { unit = TownshipA, id = $"old-{i}", at = old })
                .Append(new { unit = TownshipA, id = "recent", at = recent }).ToList()), ct);
        await host.Get<RequestReplyRetention>().PruneAsync(ct);
        Assert.Equal(["recent"], await database.ReadAsync(c => c.QueryAsync<string>("SELECT client_request_id FROM request_replies"), ct));
    }

    [Fact]
    public void A_keep_time_under_a_day_is_refused_at_start()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => RequestReplyRetention.Validate(new ReportingOptions { KeepRequestRepliesFor = TimeSpan.FromHours(23) }));
        Assert.Contains("KeepRequestRepliesFor", refused.Message);
    }
}
