using Dapper;
using FluentMigrator.Runner;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Platform.Storage;
using Rectify.Reporting;
using Rectify.Reporting.V1;
using Rectify.Tests.Measures;
using Rectify.Tests.Reporting;
using Rectify.Platform.Identity;
using Rectify.Tests.Support;
using static Rectify.Tests.Measures.MeasuresFixture;

namespace Rectify.Tests.Security;

/// <summary>
/// Client request ids belong to the caller's unit and the RPC (issue 9): the same id from another unit or for another
/// RPC is a new request; a retry racing its original gets the original's reply. Over gRPC, on SQLite and PostgreSQL.
/// </summary>
public sealed class IdempotencyScopeSpec : IAsyncLifetime
{
    private static readonly Period March = new() { Year = 2027, Month = 3 };
    private readonly List<TestHost> _hosts = [];

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts) await host.DisposeAsync();
    }

    private async Task<TestHost> StartAsync(DbProvider provider, TestStorage? storage = null)
    {
        var host = await TestHost.StartAsync(provider,
            [new Rectify.Organizations.OrganizationsModule(), new Rectify.Measures.MeasuresModule(), new ReportingModule()],
            new Dictionary<string, string?> { ["Rectify:Measures:ScheduleScans"] = "false", ["Rectify:Reporting:ScheduleScans"] = "false" }, storage: storage);
        _hosts.Add(host);
        SetShanghai(host, new DateTime(2027, 3, 1, 10, 0, 0));
        await DesignateAsync(host, (TargetA1, "上坪村", "铁山垅镇"), (TargetA2, "黄屋村", "铁山垅镇"), (TargetB1, "石门村", "盘古山镇"));
        var database = host.Get<Database<ReportingModule>>();
        await Poll.Until(async () => await database.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM directory_targets")) == 3
            ? true : throw new InvalidOperationException("the targets have not reached reporting"));
        return host;
    }

    private static VillageEntry Entry(string village, string work = "召开支委会，推进集体经济项目") => new()
    {
        VillageCode = village, WorkDone = work, NextMonthPlan = "完成产业路硬化",
        Indicators = new Indicators { MeetingsHeld = 4, Trainings = 1, ServicesForPeople = 3, CollectiveIncomeToDateYuan = 50_000 },
    };

    private static PushReportRequest Push(string id, string township, params VillageEntry[] entries)
    {
        var request = new PushReportRequest { ClientRequestId = id, TownshipCode = township, Period = March, Submit = true };
        request.Villages.AddRange(entries);
        return request;
    }

    private static Task<int> RevisionsAsync(TestHost host, string unit) => host.Get<Database<ReportingModule>>().ReadAsync(c =>
        c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM reports WHERE unit_code = @unit", new { unit }));

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task A_request_id_another_unit_used_is_a_new_request_and_replays_nothing_of_the_other(DbProvider provider)
    {
        var host = await StartAsync(provider);
        SetShanghai(host, new DateTime(2027, 4, 2, 9, 0, 0));
        var townshipA = host.Reporting(TownshipA, "铁山垅镇党建办");
        var townshipB = host.Reporting(TownshipB, "盘古山镇党建办");
        var a = await townshipA.PushReportAsync(Push("2027-03-1", TownshipA, Entry(TargetA1), Entry(TargetA2)));

        var b = await townshipB.PushReportAsync(Push("2027-03-1", TownshipB, Entry(TargetB1, "开展主题党日")));
        Assert.Equal((TownshipB, 1, TargetB1), (b.UnitCode, b.Villages.Count, b.Villages[0].VillageCode));
        Assert.NotEqual(a.Id, b.Id);
        Assert.DoesNotContain(b.Villages, v => v.VillageCode.StartsWith(TownshipA[..9], StringComparison.Ordinal));
        // B's own push was written, not silently dropped.
        Assert.Equal(1, await RevisionsAsync(host, TownshipB));
        var stored = await host.Reporting(County).GetReportAsync(new GetReportRequest { UnitCode = TownshipB, Period = March });
        Assert.Equal((b.Id, ReportStatus.Submitted, "开展主题党日"), (stored.Id, stored.Status, stored.Villages[0].WorkDone));
        // And A's retry still gets A's answer.
        Assert.Equal(a, await townshipA.PushReportAsync(Push("2027-03-1", TownshipA, Entry(TargetA1), Entry(TargetA2))));
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task A_request_id_used_for_a_push_is_a_new_request_for_the_county_summary(DbProvider provider)
    {
        var host = await StartAsync(provider);
        var county = host.Reporting(County, "县委组织部", Role.Reviewer);
        SetShanghai(host, new DateTime(2027, 4, 3, 9, 0, 0));
        // The county pushes for a township (it may write below it), then uses the same id for its own summary.
        var push = await county.PushReportAsync(Push("county-2027-03", TownshipA, Entry(TargetA1), Entry(TargetA2)));
        await county.AcceptReportAsync(new ReviewReportRequest { UnitCode = TownshipA, Period = March });
        SetShanghai(host, new DateTime(2027, 4, 16, 9, 0, 0)); // 盘古山镇 is missing past the lock: the summary can go

        var summary = await county.SubmitCountySummaryAsync(new SubmitCountySummaryRequest { ClientRequestId = "county-2027-03", CountyCode = County, Period = March });
        Assert.Equal((ReportKind.CountySummary, County, 1), (summary.Kind, summary.UnitCode, summary.Summary.TownshipsAccepted));
        Assert.NotEqual(push.Id, summary.Id);
        Assert.Equal(1, await RevisionsAsync(host, County));
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task A_request_id_reused_by_the_same_unit_for_a_different_push_is_refused_not_replayed(DbProvider provider)
    {
        var host = await StartAsync(provider);
        SetShanghai(host, new DateTime(2027, 4, 2, 9, 0, 0));
        var townshipA = host.Reporting(TownshipA, "铁山垅镇党建办");
        var draft = new PushReportRequest { ClientRequestId = "a-1", TownshipCode = TownshipA, Period = March, Submit = false, Villages = { Entry(TargetA1) } };
        await townshipA.PushReportAsync(draft);
        var changed = draft.Clone();
        changed.Villages[0].WorkDone = "另一份内容";
        Assert.Equal(["client_request_id"], (await Rpc.Refused(StatusCode.InvalidArgument, () => townshipA.PushReportAsync(changed))).Fields());
        var stored = await townshipA.GetReportAsync(new GetReportRequest { UnitCode = TownshipA, Period = March });
        Assert.Equal("召开支委会，推进集体经济项目", stored.Villages[0].WorkDone);
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task Five_identical_pushes_in_flight_all_get_the_first_reply_and_one_revision_is_written(DbProvider provider)
    {
        var host = await StartAsync(provider);
        SetShanghai(host, new DateTime(2027, 4, 2, 9, 0, 0));
        // Two townships race at once, each with five retries of one push on five connections, as a township system's would be.
        var races = new[] { Push("race-1", TownshipA, Entry(TargetA1), Entry(TargetA2)), Push("race-1", TownshipB, Entry(TargetB1)) };
        var channels = new List<GrpcChannel>();
        var calls = new List<Task<Report>>();
        foreach (var push in races)
        {
            var token = TestHost.Token(push.TownshipCode);
            for (var i = 0; i < 5; i++)
            {
                var channel = GrpcChannel.ForAddress(host.GrpcUrl);
                channels.Add(channel);
                var client = new ReportingService.ReportingServiceClient(channel.Intercept(m => { m.Add("Authorization", "Bearer " + token); return m; }));
                // A few milliseconds apart: some duplicates find the first one in its transaction, others just after its commit.
                var delay = i * 4;
                calls.Add(Task.Run(async () => { await Task.Delay(delay); return await client.PushReportAsync(push); }));
            }
        }

        var replies = await Task.WhenAll(calls);

        foreach (var (push, five) in races.Zip(replies.Chunk(5)))
        {
            Assert.All(five, r => Assert.Equal(five[0], r));
            Assert.Equal((push.TownshipCode, ReportStatus.Submitted, 1), (five[0].UnitCode, five[0].Status, five[0].Revision));
            Assert.Equal(1, await RevisionsAsync(host, push.TownshipCode));
        }
        var submitted = await host.Get<Database<ReportingModule>>().ReadAsync(c =>
            c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM outbox_messages WHERE message_type LIKE '%ReportSubmitted'"));
        Assert.Equal(2, submitted);
        foreach (var channel in channels) channel.Dispose();
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task Five_identical_county_summaries_in_flight_all_get_the_first_reply(DbProvider provider)
    {
        var host = await StartAsync(provider);
        var county = host.Reporting(County, "县委组织部", Role.Reviewer);
        SetShanghai(host, new DateTime(2027, 4, 3, 9, 0, 0));
        await host.Reporting(TownshipA).PushReportAsync(Push("s1", TownshipA, Entry(TargetA1), Entry(TargetA2)));
        await county.AcceptReportAsync(new ReviewReportRequest { UnitCode = TownshipA, Period = March });
        SetShanghai(host, new DateTime(2027, 4, 16, 9, 0, 0));
        var request = new SubmitCountySummaryRequest { ClientRequestId = "summary-race", CountyCode = County, Period = March };

        var replies = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => county.SubmitCountySummaryAsync(request).ResponseAsync));

        Assert.All(replies, r => Assert.Equal(replies[0], r));
        Assert.Equal(1, await RevisionsAsync(host, County));
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task Request_ids_recorded_before_the_scoping_are_carried_over_to_the_unit_they_were_for(DbProvider provider)
    {
        await using var storage = TestStorage.Create(provider);
        var connectionString = storage.ConnectionString("reporting");
        if (provider == DbProvider.Postgres)
        {
            await using var server = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false }.ConnectionString);
            await server.ExecuteAsync($"CREATE DATABASE \"{new NpgsqlConnectionStringBuilder(connectionString).Database}\"");
        }
        // The reporting database as the release before this one left it, with one township's push recorded under its id alone.
        await using (var migrations = new ServiceCollection().AddFluentMigratorCore()
            .ConfigureRunner(runner => (provider == DbProvider.Sqlite ? runner.AddSQLite() : runner.AddPostgres())
                .WithGlobalConnectionString(connectionString).ScanIn(typeof(Migrator).Assembly, typeof(ReportingModule).Assembly).For.Migrations())
            .BuildServiceProvider(validateScopes: false))
            migrations.GetRequiredService<IMigrationRunner>().MigrateUp(202611240301);
        var legacy = new Report { Id = "legacy-report", Kind = ReportKind.Township, UnitCode = TownshipA, UnitName = "铁山垅镇", Period = March, Revision = 1, Status = ReportStatus.Submitted };
        var reporting = new Database(provider.ToString(), provider, connectionString);
        await reporting.WriteAsync(session => session.ExecuteAsync(
            "INSERT INTO push_requests (client_request_id, unit_code, response, recorded_at) VALUES ('2027-03-1', @unit, @response, @at)",
            new { unit = TownshipA, response = JsonFormatter.Default.Format(legacy), at = DateTime.UtcNow }));

        var host = await StartAsync(provider, storage);
        SetShanghai(host, new DateTime(2027, 4, 2, 9, 0, 0));
        // The township that pushed it still gets its answer; another township's push with the same id is its own.
        Assert.Equal(legacy, await host.Reporting(TownshipA).PushReportAsync(Push("2027-03-1", TownshipA, Entry(TargetA1), Entry(TargetA2))));
        var b = await host.Reporting(TownshipB).PushReportAsync(Push("2027-03-1", TownshipB, Entry(TargetB1)));
        Assert.Equal((TownshipB, 1), (b.UnitCode, await RevisionsAsync(host, TownshipB)));
        await host.DisposeAsync();
        _hosts.Remove(host);
    }
}
