using System.Diagnostics;
using Dapper;
using Grpc.Core;
using Grpc.Net.Client;
using MassTransit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Rectify.Common.V1;
using Rectify.Events.Assessment;
using Rectify.Gateway;
using Rectify.Gateway.V1;
using Rectify.Kernel;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Storage;
using Rectify.Reporting.V1;

namespace Rectify.Benchmarks;

/// <summary>
/// Reporting and the gateway (issue 5), on the generated province (100 counties, 1,500 townships, 25,000
/// villages; 10% targets with 20 measures each; a year of monthly reports), standalone, SQLite, warm:
/// ingest of township reports over gRPC with concurrent clients beside the machine's empty-call rate,
/// gateway progress for the province and a county, and freshness from a push to the county view.
/// </summary>
public static class GatewayBenchmark
{
    private const int Concurrency = 16;
    private static readonly DateOnly Campaign = new(2027, 1, 1);

    public static async Task RunAsync()
    {
        var folder = Directory.CreateTempSubdirectory("rectify-bench-gateway-").FullName;
        try
        {
            var rows = ProvinceGenerator.Rows();
            var villages = rows.Where(r => OrgCode.Parse(r.Code).Level == OrgLevel.Village).ToList();
            // Every tenth village is a target: 2,500 in all, each with 20 measures in the gateway's read model.
            var targets = villages.Where((_, i) => i % 10 == 0).ToList();
            var gatewayDb = new Database<GatewayModule>("gateway", DbProvider.Sqlite, $"Data Source={Path.Combine(folder, "gateway.db")}");
            await Migrator.MigrateAsync(gatewayDb, typeof(GatewayModule).Assembly);
            await SeedMeasuresAsync(gatewayDb, targets.Select(t => t.Code).ToList());

            // January 2028, before the 5th: the whole of 2027 is over and reportable (the lock is set a year out for this run).
            var clock = new FakeTimeProvider(new DateTimeOffset(2028, 1, 3, 10, 0, 0, TimeSpan.FromHours(8)));
            var (app, grpcUrl) = await BenchHost.StartAsync(folder,
                [new Rectify.Organizations.OrganizationsModule(), new Rectify.Measures.MeasuresModule(), new Rectify.Reporting.ReportingModule(), new GatewayModule()],
                new() { ["Rectify:Measures:ScheduleScans"] = "false", ["Rectify:Reporting:ScheduleScans"] = "false", ["Rectify:Reporting:LockDay"] = "400" }, clock);
            using var channel = GrpcChannel.ForAddress(grpcUrl);
            // Minted on the host's clock: tokens are checked on the injected clock, which stands in December 2027 here.
            var headers = BenchHost.Headers(OrgCode.Nation, Role.Service, clock.GetUtcNow());

            using (var import = new OrganizationService.OrganizationServiceClient(channel).ImportUnits(headers))
            {
                foreach (var row in rows) await import.RequestStream.WriteAsync(row);
                await import.RequestStream.CompleteAsync();
                await import;
            }
            var bus = app.Services.GetRequiredService<IBus>();
            var names = rows.ToDictionary(r => r.Code, r => r.Name);
            foreach (var inCounty in targets.GroupBy(t => t.Code[..6]))
                await bus.Publish(new TargetsDesignated(inCounty.Key + "000000", 2027, new DateOnly(2027, 12, 31),
                    inCounty.Select(t => new DesignatedTarget(t.Code, t.Name, names[t.ParentCode])).ToList(), new DateTimeOffset(Campaign.ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(8))));
            var reportingDb = app.Services.GetRequiredService<Database<Rectify.Reporting.ReportingModule>>();
            while (await reportingDb.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM directory_targets")) < targets.Count) await Task.Delay(100);

            var townships = targets.Select(t => t.ParentCode).Distinct().Order().ToList();
            var byTownship = targets.GroupBy(t => t.ParentCode).ToDictionary(g => g.Key, g => g.ToList());
            Console.WriteLine($"Gateway: {rows.Count:N0} units, {targets.Count:N0} targets in {townships.Count:N0} townships, {targets.Count * 20:N0} measures; {Concurrency} concurrent clients");

            // Ingest: every township's report for every month of the year, submitted over gRPC.
            var reporting = new ReportingService.ReportingServiceClient(channel);
            var pushes = townships.SelectMany(t => Enumerable.Range(1, 12).Select(m => (Township: t, Month: m))).ToList();
            var clockWatch = Stopwatch.StartNew();
            await Parallel.ForEachAsync(pushes, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (push, ct) =>
            {
                var request = new PushReportRequest { ClientRequestId = $"{push.Township}-{push.Month}", TownshipCode = push.Township, Period = new Period { Year = 2027, Month = push.Month }, Submit = true };
                request.Villages.AddRange(byTownship[push.Township].Select(v => new VillageEntry { VillageCode = v.Code, WorkDone = "召开支委会", NextMonthPlan = "推进整改", Indicators = new Indicators { MeetingsHeld = 4, Trainings = 1 } }));
                await reporting.PushReportAsync(request, headers, cancellationToken: ct);
            });
            var ingest = pushes.Count / clockWatch.Elapsed.TotalSeconds;
            var emptyAtConcurrency = await Floor.EmptyCallsAsync(channel, Concurrency, pushes.Count, headers);
            Console.WriteLine($"ingest: {pushes.Count:N0} township reports submitted at {ingest:N0}/s; empty unary call {emptyAtConcurrency}");
            Figures.AtLeast("report ingest, 16 clients", ingest, "reports/s", "empty unary calls/s at 16", emptyAtConcurrency.PerSecond, 0.30);

            var gateway = new ProgressService.ProgressServiceClient(channel);
            var december = new Period { Year = 2027, Month = 12 };
            var province = new GetProgressRequest { UnitCode = ProvinceGenerator.Province, Period = december };
            while ((await gateway.GetProgressAsync(province, headers)).Reports.Received < townships.Count) await Task.Delay(100);
            var provinceMs = await Stats.Time(200, () => gateway.GetProgressAsync(province, headers).ResponseAsync);
            var countyCode = targets[0].Code[..6] + "000000";
            var county = new GetProgressRequest { UnitCode = countyCode, Period = december };
            var countyMs = await Stats.Time(1000, () => gateway.GetProgressAsync(county, headers).ResponseAsync);
            var answer = await gateway.GetProgressAsync(province, headers);
            var empty = await Floor.EmptyCallsAsync(channel, 1, 1000, headers);
            Console.WriteLine($"gateway progress, province ({answer.Targets.Total:N0} targets, {answer.Measures.Total:N0} measures, {answer.Children.Count} child rows, {answer.Trend.Count}-month trend): p50 {Stats.Percentile(provinceMs, 50):F2} ms, p99 {Stats.Percentile(provinceMs, 99):F2} ms");
            Console.WriteLine($"gateway progress, county: p50 {Stats.Percentile(countyMs, 50):F2} ms, p99 {Stats.Percentile(countyMs, 99):F2} ms; empty unary call {empty}");
            Figures.AtMost("gateway progress, province root p99", Stats.Percentile(provinceMs, 99), "ms", "empty-call p99", empty.P99, 5);
            Figures.AtMost("gateway progress, county p99", Stats.Percentile(countyMs, 99), "ms", "empty-call p99", empty.P99, 2);

            // Freshness: the county returns a township's December report; the township pushes it again with one more meeting; until the county view shows it.
            var township = targets[0].ParentCode;
            var freshness = new List<double>();
            for (var i = 1; i <= 100; i++)
            {
                await reporting.ReturnReportAsync(new ReviewReportRequest { UnitCode = township, Period = december, Reason = "请补充" }, headers);
                var before = (await gateway.GetProgressAsync(county, headers)).Indicators.MeetingsHeld;
                var request = new PushReportRequest { ClientRequestId = $"fresh-{i}", TownshipCode = township, Period = december, Submit = true };
                request.Villages.AddRange(byTownship[township].Select((v, k) => new VillageEntry { VillageCode = v.Code, WorkDone = "补充材料", NextMonthPlan = "推进整改", Indicators = new Indicators { MeetingsHeld = 4 + (k == 0 ? i : 0), Trainings = 1 } }));
                var start = Stopwatch.GetTimestamp();
                await reporting.PushReportAsync(request, headers);
                while ((await gateway.GetProgressAsync(county, headers)).Indicators.MeetingsHeld == before) await Task.Delay(1);
                freshness.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            Console.WriteLine($"freshness, push → visible in the county view: p50 {Stats.Percentile(freshness, 50):F0} ms, p99 {Stats.Percentile(freshness, 99):F0} ms (target p99 ≤ 1,000 ms)");
            Figures.Absolute("gateway freshness p99 (push → county view)", Stats.Percentile(freshness, 99), "ms", "empty-call p99", empty.P99, 1000, atMost: true);
            await app.StopAsync();
            await app.DisposeAsync();
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            // A failed run leaves the host's files open: the failure, not the clean-up, is what to see.
            try { Directory.Delete(folder, recursive: true); }
            catch (IOException) { }
        }
    }


    /// <summary>20 measures a target in the gateway's read model, as their events would leave them: a third closed, a fifth completed, the rest open.</summary>
    private static async Task SeedMeasuresAsync(Database database, List<string> villages)
    {
        var random = new Random(2027);
        await using var connection = new SqliteConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO rm_measures (id, village_code, campaign_year, deadline, status, completed_on, closed_on, as_of) VALUES ($id, $v, 2027, $d, $s, $c, $x, '2027-01-01 00:00:00')";
        var p = new[] { "$id", "$v", "$d", "$s", "$c", "$x" }.ToDictionary(n => n, n => insert.Parameters.Add(n, SqliteType.Text));
        foreach (var village in villages)
            for (var m = 0; m < 20; m++)
            {
                var deadline = Campaign.AddDays(random.Next(30, 360));
                var roll = random.Next(100);
                var (status, completed, closed) = roll < 33 ? (4, deadline.AddDays(-3), deadline.AddDays(-1)) : roll < 53 ? (3, deadline.AddDays(-2), (DateOnly?)null) : (2, (DateOnly?)null, (DateOnly?)null);
                p["$id"].Value = Guid.NewGuid().ToString(); p["$v"].Value = village; p["$d"].Value = deadline.ToString("yyyy-MM-dd"); p["$s"].Value = status;
                p["$c"].Value = completed?.ToString("yyyy-MM-dd") ?? (object)DBNull.Value; p["$x"].Value = closed?.ToString("yyyy-MM-dd") ?? (object)DBNull.Value;
                await insert.ExecuteNonQueryAsync();
            }
        await tx.CommitAsync();
    }
}
