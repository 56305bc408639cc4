using System.Diagnostics;
using System.Text.Json;
using Grpc.Net.Client;
using Microsoft.Data.Sqlite;
using Rectify.Assessment;
using Rectify.Assessment.Campaigns;
using Rectify.Assessment.Identification;
using Rectify.Assessment.V1;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Storage;

namespace Rectify.Benchmarks;

/// <summary>
/// Assessment (issues 4 and 15): rank a province-sized campaign — 25,000 branches in 500 townships, every branch
/// assessed, a third with survey findings. Timed three ways: the ranking itself on loaded data (the floor), GetRanking
/// over gRPC (read from SQLite, rank, explain, send one reply), and StreamRanking (time to the first page, ≤ 200 ms,
/// and to the last).
/// </summary>
public static class AssessmentBenchmark
{
    private const int Townships = 500, VillagesPerTownship = 50, Runs = 7;
    private const string County = "360731000000";

    public static async Task RunAsync()
    {
        var folder = Directory.CreateTempSubdirectory("rectify-bench-assessment-").FullName;
        try
        {
            var database = new Database<AssessmentModule>("assessment", DbProvider.Sqlite, $"Data Source={Path.Combine(folder, "assessment.db")}");
            await Migrator.MigrateAsync(database, typeof(AssessmentModule).Assembly);
            var campaignId = await GenerateAsync(database);
            Console.WriteLine($"Assessment: a campaign of {Townships * VillagesPerTownship:N0} branches in {Townships} townships, all assessed; {Runs} runs");

            var (campaign, branches, assessments) = await database.ReadAsync(async c =>
            {
                var campaign = await CampaignStore.LoadAsync(c, campaignId);
                return (campaign, await CampaignStore.BranchesAsync(c, campaignId), await CampaignStore.LatestAssessmentsAsync(c, campaignId));
            });
            var pure = new List<double>();
            var proposed = 0;
            for (var run = 0; run < Runs; run++)
            {
                var clock = Stopwatch.StartNew();
                var ranking = Ranker.Rank(branches, assessments, campaign.Rules);
                proposed = Ranker.Propose(ranking, branches, campaign.Rules).Count;
                pure.Add(clock.Elapsed.TotalMilliseconds);
            }
            Console.WriteLine($"ranking + proposals in memory: median {Stats.Median(pure):F0} ms ({proposed:N0} proposals)");

            // Where a ranking's time goes (the profile behind StreamRanking): reading the campaign, the order alone, the explanations.
            var (full, load, order) = (new List<double>(), new List<double>(), new List<double>());
            for (var run = 0; run < Runs; run++)
            {
                var clock = Stopwatch.StartNew();
                await database.ReadAsync(async c => (await CampaignStore.LoadAsync(c, campaignId), await CampaignStore.BranchesAsync(c, campaignId), await CampaignStore.LatestAssessmentsAsync(c, campaignId)));
                full.Add(clock.Elapsed.TotalMilliseconds);
                clock.Restart();
                await database.ReadAsync(c => RankingSource.LoadAsync(c, campaignId));
                load.Add(clock.Elapsed.TotalMilliseconds);
                clock.Restart();
                Ranker.Order(branches, assessments, campaign.Rules);
                order.Add(clock.Elapsed.TotalMilliseconds);
            }
            Console.WriteLine($"reading the campaign from SQLite: median {Stats.Median(load):F0} ms as the ranking reads it (every column of the assessments: {Stats.Median(full):F0} ms); the order alone (scores, sort, ranks): median {Stats.Median(order):F0} ms");

            var (app, grpcUrl) = await BenchHost.StartAsync(folder, [new AssessmentModule()]);
            using var channel = GrpcChannel.ForAddress(grpcUrl, new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024 });
            var client = new AssessmentService.AssessmentServiceClient(channel);
            var headers = BenchHost.Headers(OrgCode.Nation);
            var rpc = new List<double>();
            var size = 0;
            for (var run = 0; run <= Runs; run++)
            {
                var clock = Stopwatch.StartNew();
                var ranking = await client.GetRankingAsync(new GetRankingRequest { CampaignId = campaignId }, headers);
                if (run > 0) rpc.Add(clock.Elapsed.TotalMilliseconds); // the first call warms up
                size = ranking.CalculateSize();
            }
            Console.WriteLine($"GetRanking over gRPC (load, rank, explain every branch, {size / 1024.0 / 1024.0:F1} MiB reply): median {Stats.Median(rpc):F0} ms, max {rpc.Max():F0} ms");

            // StreamRanking: the first page (100 branches) as soon as the order is known, then the rest page by page.
            var first = new List<double>();
            var whole = new List<double>();
            var (pages, rows) = (0, 0);
            for (var run = 0; run <= Runs; run++)
            {
                var clock = Stopwatch.StartNew();
                using var call = client.StreamRanking(new GetRankingRequest { CampaignId = campaignId }, headers);
                (pages, rows) = (0, 0);
                while (await call.ResponseStream.MoveNext(CancellationToken.None))
                {
                    if (pages++ == 0 && run > 0) first.Add(clock.Elapsed.TotalMilliseconds);
                    rows += call.ResponseStream.Current.Branches.Count;
                }
                if (run > 0) whole.Add(clock.Elapsed.TotalMilliseconds);
            }
            if (rows != Townships * VillagesPerTownship) throw new InvalidOperationException($"StreamRanking sent {rows} branches");
            Console.WriteLine($"StreamRanking over gRPC ({rows:N0} branches in {pages} pages): first page median {Stats.Median(first):F0} ms, last page median {Stats.Median(whole):F0} ms");
            Console.WriteLine();
            Figures.Absolute("ranking 25k branches: first page", Stats.Median(first), "ms", "the ranking in memory", Stats.Median(pure), 200, atMost: true);
            Figures.Absolute("ranking 25k branches: whole ranking streamed", Stats.Median(whole), "ms", "the ranking in memory", Stats.Median(pure), 1000, atMost: true);
            await app.StopAsync();
            await app.DisposeAsync();
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<string> GenerateAsync(Database database)
    {
        var id = Guid.NewGuid().ToString();
        var settings = Settings.From(null, 2027, new Violations());
        var random = new Random(2027);
        string[] findings = ["WEAK_ECONOMY", "WEAK_TEAM", "POOR_SERVICE", "LAX_MANAGEMENT", "SECRETARY_VACANT"];
        await using var connection = new SqliteConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var campaign = connection.CreateCommand();
        campaign.CommandText = "INSERT INTO campaigns (id, county_code, year, settings, created_by, created_at) VALUES ($id, $county, 2027, $settings, 'bench', '2027-01-01 00:00:00')";
        campaign.Parameters.AddWithValue("$id", id);
        campaign.Parameters.AddWithValue("$county", County);
        campaign.Parameters.AddWithValue("$settings", JsonSerializer.Serialize(settings));
        await campaign.ExecuteNonQueryAsync();
        var branch = connection.CreateCommand();
        branch.CommandText = "INSERT INTO campaign_branches VALUES ($id, $v, $vn, $t, $tn)";
        var assessment = connection.CreateCommand();
        assessment.CommandText = """
            INSERT INTO assessments (campaign_id, village_code, revision, satisfied, basically_satisfied, dissatisfied, ballots, team_operation_hundredths,
                organizational_systems_hundredths, cadre_team_hundredths, vanguard_role_hundredths, findings, recorded_by, recorded_at)
            VALUES ($id, $v, 1, $s, $b, $d, $n, $c1, $c2, $c3, $c4, $f, 'bench', '2027-01-01 00:00:00')
            """;
        var bp = new[] { "$id", "$v", "$vn", "$t", "$tn" }.ToDictionary(n => n, n => branch.Parameters.Add(n, SqliteType.Text));
        var ap = new[] { "$id", "$v", "$s", "$b", "$d", "$n", "$c1", "$c2", "$c3", "$c4", "$f" }.ToDictionary(n => n, n => assessment.Parameters.Add(n, SqliteType.Text));
        bp["$id"].Value = id;
        ap["$id"].Value = id;
        for (var t = 1; t <= Townships; t++)
            for (var v = 1; v <= VillagesPerTownship; v++)
            {
                var township = $"360731{t:D3}000";
                var village = $"360731{t:D3}{100 + v:D3}";
                bp["$v"].Value = village; bp["$vn"].Value = $"{v}村"; bp["$t"].Value = township; bp["$tn"].Value = $"{t}镇";
                await branch.ExecuteNonQueryAsync();
                var ballots = random.Next(30, 120);
                var satisfied = random.Next(ballots / 3, ballots);
                var basically = random.Next(0, ballots - satisfied + 1);
                ap["$v"].Value = village; ap["$s"].Value = satisfied; ap["$b"].Value = basically; ap["$d"].Value = ballots - satisfied - basically; ap["$n"].Value = ballots;
                // Committee scores are stored in hundredths of a point (Hundredths).
                ap["$c1"].Value = random.Next(40, 101) * 100; ap["$c2"].Value = random.Next(40, 101) * 100; ap["$c3"].Value = random.Next(40, 101) * 100; ap["$c4"].Value = random.Next(40, 101) * 100;
                var found = random.Next(3) == 0 ? findings.OrderBy(_ => random.Next()).Take(random.Next(1, 3)).Select(code => new { Code = code, Note = "调研发现" }).ToArray() : [];
                ap["$f"].Value = JsonSerializer.Serialize(found);
                await assessment.ExecuteNonQueryAsync();
            }
        await transaction.CommitAsync();
        return id;
    }
}
