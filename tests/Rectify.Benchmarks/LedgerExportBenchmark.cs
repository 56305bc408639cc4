using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Data.Sqlite;
using Rectify.Kernel;
using Rectify.Measures;
using Rectify.Measures.V1;
using Rectify.Organizations;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Storage;

namespace Rectify.Benchmarks;

/// <summary>
/// The 台账 workbook of a county with 10,000 measures (20 townships × 25 villages × 20 measures, with progress notes and
/// close records in their history), exported over real gRPC from a standalone host: the median of 7 runs (target ≤ 3 s),
/// and the server process's managed heap and working set sampled during the export against before it — beside a single
/// township's export (500 measures), so flat memory shows as the same peak for 20× the rows.
/// </summary>
public static class LedgerExportBenchmark
{
    private const int Townships = 20, VillagesPerTownship = 25, ProblemsPerTarget = 5, MeasuresPerProblem = 4, Runs = 7;
    private const string County = "360731000000", Township = "360731101000";

    public static async Task RunAsync()
    {
        var folder = Directory.CreateTempSubdirectory("rectify-bench-ledger-").FullName;
        try
        {
            var database = new Database<MeasuresModule>("measures", DbProvider.Sqlite, $"Data Source={Path.Combine(folder, "measures.db")}");
            await Migrator.MigrateAsync(database, typeof(MeasuresModule).Assembly);
            var count = await GenerateAsync(database);
            // The real clock: tokens are checked against it.
            var (app, grpcUrl) = await BenchHost.StartAsync(folder, [new OrganizationsModule(), new MeasuresModule()],
                new() { ["Rectify:Measures:ScheduleScans"] = "false" });
            using var channel = GrpcChannel.ForAddress(grpcUrl);
            using (var call = new OrganizationService.OrganizationServiceClient(channel).ImportUnits(BenchHost.Headers(OrgCode.Nation)))
            {
                var line = 1;
                foreach (var (code, name, parent) in new[] { ("360000000000", "江西省", ""), ("360700000000", "赣州市", "360000000000"), (County, "于都县", "360700000000") })
                    await call.RequestStream.WriteAsync(new ImportUnitRow { Line = ++line, Code = code, Name = name, ParentCode = parent });
                await call.RequestStream.CompleteAsync();
                await call;
            }
            var client = new MeasureService.MeasureServiceClient(channel);
            var headers = BenchHost.Headers(OrgCode.Parse(County), Role.Viewer);
            Console.WriteLine($"Ledger export: {count:N0} measures in one county ({Townships} townships × {VillagesPerTownship} villages), SQLite, standalone host, gRPC");

            foreach (var (scope, what) in new[] { (Township, "one township (500 measures)"), (County, "the county (10,000 measures)") })
            {
                await ExportAsync(client, headers, scope); // warm-up: JIT, pools, page cache
                var seconds = new List<double>();
                var peaksManaged = new List<double>();
                var peaksWorking = new List<double>();
                long bytes = 0;
                string fileName = "";
                for (var run = 0; run < Runs; run++)
                {
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    GC.Collect();
                    var process = Process.GetCurrentProcess();
                    var managedBefore = GC.GetTotalMemory(false);
                    process.Refresh();
                    var workingBefore = process.WorkingSet64;
                    long peakManaged = managedBefore, peakWorking = workingBefore;
                    using var stop = new CancellationTokenSource();
                    var sampler = Task.Run(async () =>
                    {
                        while (!stop.IsCancellationRequested)
                        {
                            peakManaged = Math.Max(peakManaged, GC.GetTotalMemory(false));
                            process.Refresh();
                            peakWorking = Math.Max(peakWorking, process.WorkingSet64);
                            await Task.Delay(5);
                        }
                    });
                    var watch = Stopwatch.StartNew();
                    (bytes, fileName) = await ExportAsync(client, headers, scope);
                    seconds.Add(watch.Elapsed.TotalSeconds);
                    await stop.CancelAsync();
                    await sampler;
                    peaksManaged.Add((peakManaged - managedBefore) / 1048576.0);
                    peaksWorking.Add((peakWorking - workingBefore) / 1048576.0);
                    Console.WriteLine($"  {what} run {run + 1}: {seconds[^1]:F2} s, {bytes / 1024.0:N0} KB; managed heap before {managedBefore / 1048576.0:F0} MB, peak +{peaksManaged[^1]:F1} MB; working set before {workingBefore / 1048576.0:F0} MB, peak +{peaksWorking[^1]:F1} MB");
                }
                // The live heap: a full collection at each sample (slower, so apart from the timed runs) leaves only what the export holds.
                var peaksLive = new List<double>();
                for (var run = 0; run < 3; run++)
                {
                    var before = GC.GetTotalMemory(true);
                    var peak = before;
                    using var stop = new CancellationTokenSource();
                    var sampler = Task.Run(async () =>
                    {
                        while (!stop.IsCancellationRequested)
                        {
                            peak = Math.Max(peak, GC.GetTotalMemory(true));
                            await Task.Delay(20);
                        }
                    });
                    await ExportAsync(client, headers, scope);
                    await stop.CancelAsync();
                    await sampler;
                    peaksLive.Add((peak - before) / 1048576.0);
                }
                Console.WriteLine($"  {what}: live managed heap (after a full collection) peak +{Stats.Median(peaksLive):F1} MB over its {GC.GetTotalMemory(true) / 1048576.0:F0} MB before (median of 3)");
                Console.WriteLine($"{what}: {fileName}, {bytes / 1024.0:N0} KB — median {Stats.Median(seconds):F2} s over {Runs} runs (target ≤ 3 s); " +
                    $"median peak growth during the export: managed heap +{Stats.Median(peaksManaged):F1} MB, working set +{Stats.Median(peaksWorking):F1} MB");
            }
            await app.StopAsync();
            await app.DisposeAsync();
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The export as a client receives it: chunks counted and dropped, the file's name from the first.</summary>
    private static async Task<(long Bytes, string FileName)> ExportAsync(MeasureService.MeasureServiceClient client, Metadata headers, string scope)
    {
        using var call = client.ExportLedger(new ExportLedgerRequest { ScopeCode = scope, Format = ExportFormat.Xlsx }, headers);
        long bytes = 0;
        var fileName = "";
        await foreach (var chunk in call.ResponseStream.ReadAllAsync())
        {
            if (chunk.FileName.Length > 0) fileName = chunk.FileName;
            bytes += chunk.Data.Length;
        }
        return (bytes, fileName);
    }

    /// <summary>Targets, plans, problems, measures and their history, bulk-loaded with prepared statements in one transaction.</summary>
    private static async Task<int> GenerateAsync(Database database)
    {
        string[] categories = ["COLLECTIVE_ECONOMY", "WEAK_LEADERSHIP", "MASS_CONTACT", "MEMBER_MANAGEMENT", "CLAN_INTERFERENCE"];
        var random = new Random(20270915);
        await using var connection = new SqliteConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        SqliteCommand Command(string sql, params string[] names)
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in names) command.Parameters.Add(name, SqliteType.Text);
            return command;
        }
        var target = Command("INSERT INTO targets (village_code, campaign_year, village_name, township_name, county_code, campaign_ends_on, designated_at) VALUES ($v, 2027, $n, $t, $c, '2027-12-31', '2027-02-01 00:00:00')", "$v", "$n", "$t", "$c");
        var plan = Command("INSERT INTO plans (id, village_code, campaign_year, starts_on, basic_situation, goals, phases, created_by, created_at) VALUES ($id, $v, 2027, '2027-03-01', '', '[]', '[]', 'bench', '2027-03-01 00:00:00')", "$id", "$v");
        var problem = Command("INSERT INTO problems (id, plan_id, position, category_code, description) VALUES ($id, $plan, $pos, $cat, $d)", "$id", "$plan", "$pos", "$cat", "$d");
        var measure = Command("""
            INSERT INTO measures (id, plan_id, problem_id, position, village_code, village_name, campaign_year, category_code, description,
                responsible_persons, deadline, ongoing, status, percent, reopen_count, created_at, updated_at)
            VALUES ($id, $plan, $problem, $pos, $v, $n, 2027, $cat, $d, '|刘文华|陈建国|', $deadline, $ongoing, $status, $percent, 0, '2027-03-01 00:00:00', '2027-03-01 00:00:00')
            """, "$id", "$plan", "$problem", "$pos", "$v", "$n", "$cat", "$d", "$deadline", "$ongoing", "$status", "$percent");
        var change = Command("""
            INSERT INTO measure_changes (measure_id, kind, status_after, on_date, "percent", note, verifier, recorded_by, recorded_at)
            VALUES ($m, $kind, $status, '2027-08-01', 50, $note, $verifier, 'bench', '2027-08-01 00:00:00')
            """, "$m", "$kind", "$status", "$note", "$verifier");
        void Set(SqliteCommand command, params object?[] values)
        {
            for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }
        var count = 0;
        for (var tw = 1; tw <= Townships; tw++)
        for (var vi = 1; vi <= VillagesPerTownship; vi++)
        {
            var village = $"360731{100 + tw}{200 + vi}";
            var villageName = $"第{vi}村";
            Set(target, village, villageName, $"第{tw}镇", County);
            await target.ExecuteNonQueryAsync();
            var planId = Guid.NewGuid().ToString();
            Set(plan, planId, village);
            await plan.ExecuteNonQueryAsync();
            for (var pr = 0; pr < ProblemsPerTarget; pr++)
            {
                var problemId = Guid.NewGuid().ToString();
                Set(problem, problemId, planId, pr + 1, categories[pr], $"问题表现{pr + 1}：党组织书记带富能力不强，村级集体经济收入低于5万元，群众满意度不高");
                await problem.ExecuteNonQueryAsync();
                for (var m = 0; m < MeasuresPerProblem; m++, count++)
                {
                    var roll = random.Next(100);
                    var status = roll < 30 ? MeasureStatus.NotStarted : roll < 60 ? MeasureStatus.InProgress : roll < 80 ? MeasureStatus.Completed : MeasureStatus.Closed;
                    var id = Guid.NewGuid().ToString();
                    Set(measure, id, planId, problemId, pr * MeasuresPerProblem + m + 1, village, villageName, categories[pr],
                        $"整改措施{m + 1}：选派第一书记驻村帮扶，建立村集体合作社，发展特色产业，每月召开一次党员大会",
                        new DateOnly(2027, 3, 1).AddDays(random.Next(300)).ToString("yyyy-MM-dd"), m == 0 ? 1 : 0, (int)status,
                        status is MeasureStatus.Completed or MeasureStatus.Closed ? 100 : random.Next(0, 90));
                    await measure.ExecuteNonQueryAsync();
                    if (status == MeasureStatus.NotStarted) continue;
                    Set(change, id, (int)MeasureChangeKind.Progressed, (int)MeasureStatus.InProgress, "已召开党员大会，制定产业发展方案，完成合作社注册登记", null);
                    await change.ExecuteNonQueryAsync();
                    if (status != MeasureStatus.Closed) continue;
                    Set(change, id, (int)MeasureChangeKind.Closed, (int)MeasureStatus.Closed, "验收合格", "王志明");
                    await change.ExecuteNonQueryAsync();
                }
            }
        }
        await transaction.CommitAsync();
        return count;
    }
}
