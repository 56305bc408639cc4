using System.Diagnostics;
using Dapper;
using Grpc.Net.Client;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Rectify.Kernel;
using Rectify.Measures;
using Rectify.Measures.Deadlines;
using Rectify.Measures.Ledger;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Storage;

namespace Rectify.Benchmarks;

/// <summary>
/// Measures (issue 3), national scale: 1,000,000 measures (50,000 targets × 20) in one SQLite file.
/// A county's ledger over gRPC (~2,000 measures; p99 ≤ 10 ms), a province's subtree counts over gRPC (25 counties with
/// targets, 2,500 targets, 50,000 measures; issue 15: p99 ≤ 5× the empty-call p99) and the daily deadline scan (issue 15:
/// ≤ 2× the bare SQL of the same work).
/// </summary>
public static class MeasuresBenchmark
{
    private const int Provinces = 20, Cities = 5, Counties = 5, Townships = 10, TargetsPerTownship = 10, MeasuresPerTarget = 20;
    private static readonly DateOnly Today = new(2027, 9, 15);
    private static readonly DateOnly CampaignStart = new(2027, 3, 1), CampaignEnd = new(2027, 12, 31);
    private const string County = "110101000000", Province = "110000000000";
    // Generated once per process (81 s on a busy machine) and reused by every run of `--runs N`: each run scans it afresh.
    private static string? _folder;
    // `measures counts`: the province subtree counts alone (and the writes beside them), without the ledger reads and the scan.
    private static readonly bool CountsOnly = Environment.GetCommandLineArgs().Skip(1).Contains("counts");

    public static async Task RunAsync()
    {
        var clock = Stopwatch.StartNew();
        var database = await GeneratedAsync(clock);
        var folder = _folder!;
        var fakeClock = new FakeTimeProvider(new DateTimeOffset(Today.ToDateTime(new TimeOnly(7, 0)), TimeSpan.FromHours(8)));
        // `measures scan` runs the deadline scan alone (its 1M measures are slow to scan; the counts need not run beside it).
        if (Environment.GetCommandLineArgs().Skip(1).Where(a => !a.StartsWith("--")).Skip(1).FirstOrDefault() == "scan")
        {
            await ScanAsync(database, fakeClock, clock);
            return;
        }

        // The subtree counts and the ledger first: they read the measures only. The previous run's scan left its outbox rows
        // behind; cleared before the host starts, so its relay is not publishing hundreds of thousands of events during the reads.
        await database.WriteAsync(s => s.ExecuteAsync("DELETE FROM deadline_occurrences; DELETE FROM deadline_scans; DELETE FROM outbox_messages;"));
        var (app, grpcUrl) = await BenchHost.StartAsync(folder, [new MeasuresModule()], new() { ["Rectify:Measures:ScheduleScans"] = "false" });
        try
        {
            using var channel = GrpcChannel.ForAddress(grpcUrl);
            var client = new MeasureService.MeasureServiceClient(channel);
            var headers = BenchHost.Headers(OrgCode.Nation);
            if (!CountsOnly) await LedgerAsync(client, headers);
            await CountsAsync(client, channel, headers);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        if (CountsOnly)
        {
            await CountChangingWritesOnPostgresAsync(folder);
            return;
        }

        await ScanAsync(database, fakeClock, clock);
    }

    /// <summary>The daily deadline scan on the generated measures, beside the bare SQL of the same work.</summary>
    private static async Task ScanAsync(Database<MeasuresModule> database, FakeTimeProvider fakeClock, Stopwatch clock)
    {
        var scan = new DeadlineScan(database, fakeClock, NullLogger<DeadlineScan>.Instance);
        await database.WriteAsync(s => s.ExecuteAsync("DELETE FROM deadline_occurrences; DELETE FROM deadline_scans; DELETE FROM outbox_messages;"));
        clock.Restart();
        var result = await scan.RunAsync(CancellationToken.None);
        var scanMs = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        var again = await scan.RunAsync(CancellationToken.None);
        var rerunMs = clock.Elapsed.TotalMilliseconds;
        if (again.Total != 0) throw new InvalidOperationException("A second scan published again.");
        Console.WriteLine($"scan: found and published {result.Total:N0} occurrences ({result.DueSoon:N0} due soon, {result.Overdue:N0} overdue, {result.Escalated:N0} escalated) in {scanMs / 1000:F2} s; same-day rerun {rerunMs / 1000:F2} s, 0 published");

        var (candidatesMs, floorMs) = await BareScanAsync(database, scan);
        Console.WriteLine($"bare SQL of the same work: the day's candidates SELECT {candidatesMs:F0} ms (the floor until issue 15); with the look-back SELECTs and the same {result.Total:N0} occurrence keys and outbox rows inserted by prepared statements in one transaction {floorMs:F0} ms");
        Figures.AtMost("deadline scan, 1M measures", scanMs, "ms", "bare SQL of the same work", floorMs, 2);
    }

    /// <summary>A county's ledger over gRPC: the first page by deadline with its total, and the overdue-only page.</summary>
    private static async Task LedgerAsync(MeasureService.MeasureServiceClient client, Grpc.Core.Metadata headers)
    {
        var ledger = new ListMeasuresRequest { ScopeCode = County, Page = new Common.V1.PageRequest { PageSize = 50 } };
        var total = (await client.ListMeasuresAsync(ledger, headers)).TotalSize;
        var ledgerMs = await Stats.Time(1000, () => client.ListMeasuresAsync(ledger, headers).ResponseAsync);
        Console.WriteLine($"county ledger over gRPC ({total:N0} measures, first page of 50 by deadline, with total): p50 {Stats.Percentile(ledgerMs, 50):F2} ms, p99 {Stats.Percentile(ledgerMs, 99):F2} ms (target p99 ≤ 10 ms)");
        var overdue = new ListMeasuresRequest { ScopeCode = County, OverdueOnly = true, Page = new Common.V1.PageRequest { PageSize = 50 } };
        var overdueMs = await Stats.Time(1000, () => client.ListMeasuresAsync(overdue, headers).ResponseAsync);
        Console.WriteLine($"county ledger, overdue only: p50 {Stats.Percentile(overdueMs, 50):F2} ms, p99 {Stats.Percentile(overdueMs, 99):F2} ms");
    }

    /// <summary>The province's subtree counts, totals only (the call the gateway's Reconciler makes), beside the empty call; checked against the full answer.</summary>
    private static async Task CountsAsync(MeasureService.MeasureServiceClient client, GrpcChannel channel, Grpc.Core.Metadata headers)
    {
        var counts = new GetLedgerCountsRequest { ScopeCode = Province, TotalsOnly = true };
        var answer = await client.GetLedgerCountsAsync(counts, headers);
        var countsMs = await Stats.Time(1000, () => client.GetLedgerCountsAsync(counts, headers).ResponseAsync);
        var empty = await Floor.EmptyCallsAsync(channel, 1, 1000, headers);
        Console.WriteLine($"province subtree counts over gRPC, totals only ({answer.Total.Total:N0} measures, {answer.Total.Overdue:N0} overdue, {answer.Children.Count} cities): p50 {Stats.Percentile(countsMs, 50):F2} ms, p99 {Stats.Percentile(countsMs, 99):F2} ms; empty unary call {empty}");
        var fullRequest = new GetLedgerCountsRequest { ScopeCode = Province };
        var full = await client.GetLedgerCountsAsync(fullRequest, headers);
        if (!full.Total.Equals(answer.Total) || !full.Children.Equals(answer.Children)) throw new InvalidOperationException("The totals-only answer differs from the full one.");
        var fullMs = await Stats.Time(50, () => client.GetLedgerCountsAsync(fullRequest, headers).ResponseAsync);
        Console.WriteLine($"  the full answer (a row per target: {full.Targets.Count:N0}, for the township report and the exports): p50 {Stats.Percentile(fullMs, 50):F2} ms, p99 {Stats.Percentile(fullMs, 99):F2} ms over 50 calls");
        Figures.AtMost("province subtree counts (measures) p99", Stats.Percentile(countsMs, 99), "ms", "empty-call p99", empty.P99, 5);
        await CountChangingWritesAsync(client, headers, BenchHost.Headers(OrgCode.Parse(Province), Role.Reviewer), counts, 400, 4);
    }

    /// <summary>
    /// Writes that change the counts (销号: a completed measure of the province closed, by a reviewer of the province), 4 at a
    /// time, with the totals-only call read between them: the write rate, the read's p99 while the counts change, and the
    /// totals checked against the full answer afterwards. Each run closes other measures (400 of the province's ~10,000 completed).
    /// </summary>
    private static async Task CountChangingWritesAsync(MeasureService.MeasureServiceClient client, Grpc.Core.Metadata headers, Grpc.Core.Metadata reviewer, GetLedgerCountsRequest counts, int Writes, int Concurrency)
    {
        var completed = new Queue<string>();
        var page = new ListMeasuresRequest { ScopeCode = Province, Statuses = { MeasureStatus.Completed }, Page = new Common.V1.PageRequest { PageSize = Math.Min(Writes, 500) } };
        while (completed.Count < Writes)
        {
            var listed = await client.ListMeasuresAsync(page, headers);
            foreach (var m in listed.Measures.Take(Writes - completed.Count)) completed.Enqueue(m.Id);
            if (listed.Page.NextPageToken == "") break;
            page.Page.PageToken = listed.Page.NextPageToken;
        }
        var before = (await client.GetLedgerCountsAsync(counts, headers)).Total;
        var reads = new List<double>();
        var watch = Stopwatch.StartNew();
        var writers = Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            while (true)
            {
                string id;
                lock (completed) { if (!completed.TryDequeue(out id!)) return; }
                await client.CloseMeasureAsync(new CloseMeasureRequest { MeasureId = id, Verifier = "谢德明" }, reviewer);
            }
        }).ToList();
        var closing = Task.WhenAll(writers);
        while (!closing.IsCompleted)
        {
            var read = Stopwatch.StartNew();
            await client.GetLedgerCountsAsync(counts, headers);
            reads.Add(read.Elapsed.TotalMilliseconds);
        }
        await closing;
        var seconds = watch.Elapsed.TotalSeconds;
        var after = (await client.GetLedgerCountsAsync(counts, headers)).Total;
        var full = (await client.GetLedgerCountsAsync(new GetLedgerCountsRequest { ScopeCode = Province }, headers)).Total;
        if (!full.Equals(after) || after.Closed - before.Closed != Writes) throw new InvalidOperationException($"After {Writes} closes: totals {after}, full {full}, before {before}.");
        Console.WriteLine($"  count-changing writes (销号, {Concurrency} at a time, {Writes:N0}): {Writes / seconds:N0}/s; totals-only read between them: {reads.Count:N0} reads, p50 {Stats.Percentile(reads, 50):F2} ms, p99 {Stats.Percentile(reads, 99):F2} ms");
    }

    /// <summary>
    /// The same count-changing writes on PostgreSQL, where they can run at once (SQLite has one writer): one province of
    /// 2,500 targets with 4 completed measures each, in a database of its own, closed 16 at a time (every write then also
    /// changes the province's counts row).
    /// </summary>
    private static async Task CountChangingWritesOnPostgresAsync(string folder)
    {
        var postgres = Environment.GetEnvironmentVariable("RECTIFY_TEST_POSTGRES") ?? "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres";
        var name = $"rectify_bench_counts_{Guid.NewGuid():N}";
        var connectionString = new Npgsql.NpgsqlConnectionStringBuilder(postgres) { Database = name }.ConnectionString;
        var database = new Database<MeasuresModule>("measures", DbProvider.Postgres, connectionString);
        await Migrator.MigrateAsync(database, typeof(MeasuresModule).Assembly);
        try
        {
            await database.WriteAsync(async session =>
            {
                var targets = new List<object>();
                var plans = new List<object>();
                var measures = new List<object>();
                for (var ci = 1; ci <= Cities; ci++)
                for (var co = 1; co <= Counties; co++)
                for (var tw = 1; tw <= Townships; tw++)
                for (var vi = 1; vi <= TargetsPerTownship; vi++)
                {
                    var village = $"11{ci:D2}{co:D2}{100 + tw}{200 + vi}";
                    var plan = Guid.NewGuid().ToString();
                    targets.Add(new { village, name = $"第{vi}村", township = $"第{tw}镇", county = village[..6] + "000000" });
                    plans.Add(new { plan, village });
                    for (var m = 0; m < 4; m++)
                        measures.Add(new { id = Guid.NewGuid().ToString(), plan, position = m + 1, village, name = $"第{vi}村", description = $"整改措施{m + 1}", status = (int)MeasureStatus.Completed });
                }
                await session.ExecuteAsync("INSERT INTO targets (village_code, campaign_year, village_name, township_name, county_code, campaign_ends_on, designated_at) VALUES (@village, 2027, @name, @township, @county, DATE '2027-12-31', TIMESTAMP '2027-02-01 00:00:00')", targets);
                await session.ExecuteAsync("INSERT INTO plans (id, village_code, campaign_year, starts_on, basic_situation, goals, phases, created_by, created_at) VALUES (@plan, @village, 2027, DATE '2027-03-01', '', '[]', '[]', 'bench', TIMESTAMP '2027-03-01 00:00:00')", plans);
                await session.ExecuteAsync("""
                    INSERT INTO measures (id, plan_id, problem_id, position, village_code, village_name, campaign_year, category_code, description,
                        responsible_persons, deadline, ongoing, status, "percent", reopen_count, created_at, updated_at)
                    VALUES (@id, @plan, @plan, @position, @village, @name, 2027, 'COLLECTIVE_ECONOMY', @description, '|刘文华|', DATE '2027-12-31', FALSE, @status, 100, 0,
                        TIMESTAMP '2027-03-01 00:00:00', TIMESTAMP '2027-03-01 00:00:00')
                    """, measures);
            });
            await TargetMeasureCounts.RebuildAsync(database, TimeProvider.System.Today());
            // With a server database the development key is refused: tokens signed by a key of the host's own.
            var keyFile = Path.Combine(folder, "issuer.pem");
            var key = Rectify.Platform.Identity.IssuerKey.LoadOrCreate(keyFile);
            Grpc.Core.Metadata Signed(OrgCode org, Role role) =>
                new() { { "Authorization", "Bearer " + TokenIssuer.Mint(key.Credentials, "rectify", "rectify", "bench", org, role, DateTimeOffset.UtcNow, TimeSpan.FromHours(2)) } };
            var (app, grpcUrl) = await BenchHost.StartAsync(Path.Combine(folder, "postgres"), [new MeasuresModule()], new()
            {
                ["Rectify:Mode"] = "Standalone",
                ["Rectify:Auth:SigningKeyFile"] = keyFile,
                ["Rectify:Measures:ScheduleScans"] = "false",
                ["Rectify:Storage:Provider"] = "Postgres",
                ["ConnectionStrings:measures"] = connectionString,
            });
            try
            {
                using var channel = GrpcChannel.ForAddress(grpcUrl);
                Console.WriteLine("PostgreSQL, one province (2,500 targets, 10,000 completed measures):");
                await CountChangingWritesAsync(new MeasureService.MeasureServiceClient(channel), Signed(OrgCode.Nation, Role.Service), Signed(OrgCode.Parse(Province), Role.Reviewer), new GetLedgerCountsRequest { ScopeCode = Province, TotalsOnly = true }, 2000, 16);
            }
            finally
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
        finally
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
            await using var admin = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(postgres) { Database = "postgres" }.ConnectionString);
            await admin.OpenAsync();
            await admin.ExecuteAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        }
    }

    private static async Task<Database<MeasuresModule>> GeneratedAsync(Stopwatch clock)
    {
        if (_folder is not null) return new Database<MeasuresModule>("measures", DbProvider.Sqlite, $"Data Source={Path.Combine(_folder, "measures.db")}");
        var folder = Directory.CreateTempSubdirectory("rectify-bench-measures-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        };
        var database = new Database<MeasuresModule>("measures", DbProvider.Sqlite, $"Data Source={Path.Combine(folder, "measures.db")}");
        await Migrator.MigrateAsync(database, typeof(MeasuresModule).Assembly);
        clock.Restart();
        var count = await GenerateAsync(database);
        Console.WriteLine($"Measures: generated {count:N0} measures for {Provinces * Cities * Counties * Townships * TargetsPerTownship:N0} targets in {clock.Elapsed.TotalSeconds:F1} s (SQLite, bulk insert, once per process); scan day {Today:yyyy-MM-dd}");
        // Loaded around the service, so its per-target counts are rebuilt as an operator would after such a load.
        clock.Restart();
        await TargetMeasureCounts.RebuildAsync(database, TimeProvider.System.Today());
        Console.WriteLine($"per-target counts rebuilt from the measures in {clock.Elapsed.TotalSeconds:F1} s");
        _folder = folder;
        return database;
    }

    /// <summary>
    /// The floor of the scan: the same SELECTs it runs (the day's candidates over the day's deadline dates with the keys
    /// already recorded for them, and the two look-backs for measures first seen past their deadline) on a bare connection, and the same rows it wrote (its
    /// occurrence keys and outbox rows, read back untimed and deleted) inserted again by one prepared statement each in one
    /// transaction: the database's share of the work without the service around it. Returns the candidates SELECT alone too.
    /// </summary>
    private static async Task<(double CandidatesMs, double FloorMs)> BareScanAsync(Database database, DeadlineScan scan)
    {
        var open = MeasureRules.OpenStatuses;
        await using var connection = new SqliteConnection(database.ConnectionString);
        await connection.OpenAsync();
        var earliest = await connection.ExecuteScalarAsync<DateOnly>($"SELECT MIN(deadline) FROM measures WHERE {database.Sql.InList("status", "@open")}", new { open });
        var dates = DeadlineScan.DeadlinesWithOccurrences(Today, Today, earliest);
        var occurrences = (await connection.QueryAsync<(string Key, string MeasureId, string Day, string At)>(
            "SELECT occurrence_key, measure_id, scan_date, recorded_at FROM deadline_occurrences")).ToList();
        var messages = (await connection.QueryAsync<(string Id, string Type, string Payload, string At)>(
            "SELECT message_id, message_type, payload, occurred_at FROM outbox_messages")).ToList();
        await connection.ExecuteAsync("DELETE FROM deadline_occurrences; DELETE FROM outbox_messages;");

        var watch = Stopwatch.StartNew();
        var candidates = (await connection.QueryAsync<MeasureRow>(scan.CandidatesSql, new { dates, open, history = true })).Count();
        var candidatesMs = watch.Elapsed.TotalMilliseconds;
        // The keys already recorded for those candidates, which the scan reads with them (none here, as in the scan's first run).
        var recorded = (await connection.QueryAsync<string>(scan.RecordedSql, new { dates, open, day = Today, escalated = "escalated:%" })).Count();
        var late = (await connection.QueryAsync<MeasureRow>(scan.LateSql, new { open, latest = Today.AddDays(-1), prefix = "overdue:%", history = true })).Count()
            + (await connection.QueryAsync<MeasureRow>(scan.LateSql, new { open, latest = Today.AddDays(-DeadlineScan.EscalateAfterDays), prefix = "escalated:%", history = true })).Count();
        await using (var transaction = (SqliteTransaction)await connection.BeginTransactionAsync())
        {
            var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO deadline_occurrences (occurrence_key, measure_id, scan_date, recorded_at) VALUES ($k, $m, $d, $a)";
            var (k, m, d, a) = (insert.Parameters.Add("$k", SqliteType.Text), insert.Parameters.Add("$m", SqliteType.Text), insert.Parameters.Add("$d", SqliteType.Text), insert.Parameters.Add("$a", SqliteType.Text));
            foreach (var o in occurrences)
            {
                (k.Value, m.Value, d.Value, a.Value) = (o.Key, o.MeasureId, o.Day, o.At);
                await insert.ExecuteNonQueryAsync();
            }
            var outbox = connection.CreateCommand();
            outbox.Transaction = transaction;
            outbox.CommandText = "INSERT INTO outbox_messages (message_id, message_type, payload, occurred_at) VALUES ($i, $t, $p, $o)";
            var (i, t, p, w) = (outbox.Parameters.Add("$i", SqliteType.Text), outbox.Parameters.Add("$t", SqliteType.Text), outbox.Parameters.Add("$p", SqliteType.Text), outbox.Parameters.Add("$o", SqliteType.Text));
            foreach (var message in messages)
            {
                (i.Value, t.Value, p.Value, w.Value) = (message.Id, message.Type, message.Payload, message.At);
                await outbox.ExecuteNonQueryAsync();
            }
            await transaction.CommitAsync();
        }
        var floorMs = watch.Elapsed.TotalMilliseconds;
        Console.WriteLine($"bare SELECTs: {candidates:N0} day candidates over {dates.Count} deadline dates ({recorded:N0} of their keys recorded), {late:N0} look-back rows (the scan's rows deleted first, so the look-back also finds the day's own overdue measures: a few % more than the scan's look-back read)");
        return (candidatesMs, floorMs);
    }


    /// <summary>Bulk-loads targets and measures with one prepared statement each: the benchmark measures the scan and the queries, not the loading.</summary>
    private static async Task<int> GenerateAsync(Database database)
    {
        string[] categories = ["COLLECTIVE_ECONOMY", "WEAK_LEADERSHIP", "MASS_CONTACT", "MEMBER_MANAGEMENT", "CLAN_INTERFERENCE"];
        var random = new Random(20270915);
        var span = CampaignEnd.DayNumber - CampaignStart.DayNumber;
        await using var connection = new SqliteConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var target = connection.CreateCommand();
        target.CommandText = "INSERT INTO targets (village_code, campaign_year, village_name, township_name, county_code, campaign_ends_on, designated_at) VALUES ($v, 2027, $n, $t, $c, '2027-12-31', '2027-02-01 00:00:00')";
        var plans = connection.CreateCommand();
        plans.CommandText = "INSERT INTO plans (id, village_code, campaign_year, starts_on, basic_situation, goals, phases, created_by, created_at) VALUES ($id, $v, 2027, '2027-03-01', '', '[]', '[]', 'bench', '2027-03-01 00:00:00')";
        var planId = plans.Parameters.Add("$id", SqliteType.Text);
        var planVillage = plans.Parameters.Add("$v", SqliteType.Text);
        var measure = connection.CreateCommand();
        measure.CommandText = """
            INSERT INTO measures (id, plan_id, problem_id, position, village_code, village_name, campaign_year, category_code, description,
                responsible_persons, deadline, ongoing, status, percent, reopen_count, created_at, updated_at)
            VALUES ($id, $plan, $problem, $pos, $v, $n, 2027, $cat, $d, '|刘文华|陈建国|', $deadline, 0, $status, $percent, 0, '2027-03-01 00:00:00', '2027-03-01 00:00:00')
            """;
        var p = new Dictionary<string, SqliteParameter>();
        foreach (var name in new[] { "$v", "$n", "$t", "$c" }) p["target" + name] = target.Parameters.Add(name, SqliteType.Text);
        foreach (var name in new[] { "$id", "$plan", "$problem", "$pos", "$v", "$n", "$cat", "$d", "$deadline", "$status", "$percent" }) p[name] = measure.Parameters.Add(name, SqliteType.Text);
        var count = 0;
        for (var pr = 11; pr < 11 + Provinces; pr++)
        for (var ci = 1; ci <= Cities; ci++)
        for (var co = 1; co <= Counties; co++)
        for (var tw = 1; tw <= Townships; tw++)
        for (var vi = 1; vi <= TargetsPerTownship; vi++)
        {
            var village = $"{pr}{ci:D2}{co:D2}{100 + tw}{200 + vi}";
            p["target$v"].Value = village; p["target$n"].Value = $"第{vi}村"; p["target$t"].Value = $"第{tw}镇"; p["target$c"].Value = village[..6] + "000000";
            await target.ExecuteNonQueryAsync();
            var plan = Guid.NewGuid().ToString();
            planId.Value = plan;
            planVillage.Value = village;
            await plans.ExecuteNonQueryAsync();
            for (var m = 0; m < MeasuresPerTarget; m++, count++)
            {
                var roll = random.Next(100);
                var status = roll < 30 ? MeasureStatus.NotStarted : roll < 60 ? MeasureStatus.InProgress : roll < 80 ? MeasureStatus.Completed : MeasureStatus.Closed;
                p["$id"].Value = Guid.NewGuid().ToString(); p["$plan"].Value = plan; p["$problem"].Value = plan; p["$pos"].Value = m + 1;
                p["$v"].Value = village; p["$n"].Value = $"第{vi}村"; p["$cat"].Value = categories[m % categories.Length]; p["$d"].Value = $"整改措施{m + 1}";
                p["$deadline"].Value = CampaignStart.AddDays(random.Next(span + 1)).ToString("yyyy-MM-dd");
                p["$status"].Value = (int)status; p["$percent"].Value = status is MeasureStatus.Completed or MeasureStatus.Closed ? 100 : random.Next(0, 90);
                await measure.ExecuteNonQueryAsync();
            }
        }
        await transaction.CommitAsync();
        return count;
    }
}
