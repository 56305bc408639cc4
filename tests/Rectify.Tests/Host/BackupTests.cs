using System.Diagnostics;
using System.Text.Json;
using Google.Protobuf;
using Microsoft.Data.Sqlite;
using Rectify.Assessment.V1;
using Rectify.Common.V1;
using Rectify.Gateway.V1;
using Rectify.Host;
using Rectify.Kernel;
using Rectify.Measures.V1;
using Rectify.Notifications.V1;
using Rectify.Organizations.V1;
using Rectify.Platform.Storage;
using Rectify.Reporting.V1;
using Rectify.Tests.Assessment;
using Rectify.Tests.Measures;
using Rectify.Tests.Notifications;
using Rectify.Tests.Reporting;
using Rectify.Tests.Support;

namespace Rectify.Tests.Host;

/// <summary>
/// `rectify backup` on a standalone suite that is running and taking writes, then `rectify restore` into a new data
/// folder and a new host on it: every service answers as the original does, and the writes made during the backup
/// are there up to the moment of the copy, none torn.
/// </summary>
public sealed class BackupTests(ITestOutputHelper output)
{
    private const string County = "360731000000";
    private const string Township = "360731203000"; // 新陂乡: new villages are registered here during the backup

    [Fact]
    public async Task A_backup_taken_while_the_suite_runs_and_writes_restores_into_a_new_folder_that_answers_the_same()
    {
        // The demo loads after the first start's daily scans ran; a second start runs them over the demo, as the
        // restored suite's start will, so both have had the same days' reminders.
        await using var seeded = await TestHost.StartAsync(DbProvider.Sqlite, ServiceCatalog.All, new Dictionary<string, string?> { ["Rectify:Demo"] = "true" });
        await seeded.SettledAsync(TimeSpan.FromMinutes(3));
        await seeded.StopAsync();
        await using var original = await TestHost.StartAsync(DbProvider.Sqlite, ServiceCatalog.All, storage: seeded.Storage, clock: seeded.Clock);
        await original.SettledAsync(TimeSpan.FromMinutes(3));
        var data = Path.GetDirectoryName(new SqliteConnectionStringBuilder(original.Storage.ConnectionString("measures")).DataSource)!;
        var backup = Path.Combine(Directory.CreateTempSubdirectory("rectify-backup-").FullName, "copy");
        var restored = Directory.CreateTempSubdirectory("rectify-restored-").FullName;

        // Writes go on while the backup runs: villages registered one by one, each acknowledged before the next.
        var county = original.Organizations(County);
        var acknowledged = new List<string>();
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            for (var n = 901; n <= 999 && !stop.IsCancellationRequested; n++)
            {
                var code = $"360731203{n}";
                await county.RegisterUnitAsync(new RegisterUnitRequest { Code = code, Name = $"备份测试村{n}" });
                lock (acknowledged) acknowledged.Add(code);
            }
        });
        await Poll.Until(() => Task.FromResult(acknowledged.Count >= 3 ? true : throw new InvalidOperationException("no writes yet")));
        int before;
        lock (acknowledged) before = acknowledged.Count;
        var (code, text) = await RectifyAsync("backup", backup, $"--Rectify:DataDirectory={data}");
        Assert.True(code == 0, text);
        await stop.CancelAsync();
        await writer;
        output.WriteLine($"{text.Trim()}; villages acknowledged before the backup: {before}, by its end: {acknowledged.Count}");

        var manifest = JsonSerializer.Deserialize<Backup.Manifest>(File.ReadAllText(Path.Combine(backup, Backup.ManifestFile)), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        Assert.Equal(ServiceCatalog.All.Select(m => m.Name).Order(), manifest.Services.Select(s => s.Service).Order());
        // Each copy carries its own migrations and tables, and says how many of its events it will publish again.
        Assert.All(manifest.Services, s => Assert.True(s.SchemaVersion > 1 && s.Rows.ContainsKey("outbox_messages"), $"{s.Service}: {s.SchemaVersion}"));
        output.WriteLine(string.Join(", ", manifest.Services.Select(s => $"{s.Service} {s.Bytes / 1024} KiB, {s.Replayed} of {s.Rows["outbox_messages"]} events to publish again")));
        // Each copy is one self-contained file.
        Assert.Empty(Directory.GetFiles(backup, "*-wal"));

        // A restore refuses to overwrite: the original folder still holds its files.
        var (refused, refusal) = await RectifyAsync("restore", backup, $"--Rectify:DataDirectory={data}");
        Assert.True(refused == 1 && refusal.Contains("exists"), refusal);
        (code, text) = await RectifyAsync("restore", backup, $"--Rectify:DataDirectory={restored}");
        Assert.True(code == 0, text);

        await original.SettledAsync(TimeSpan.FromMinutes(2));
        var settings = new Dictionary<string, string?>();
        foreach (var module in ServiceCatalog.All) settings[$"ConnectionStrings:{module.Name}"] = $"Data Source={Path.Combine(restored, module.Name + ".db")};Pooling=False";
        await using var copy = await TestHost.StartAsync(DbProvider.Sqlite, ServiceCatalog.All, settings, clock: original.Clock);
        // The copy publishes again what its outbox forgot it had dispatched; every consumer already had it.
        await copy.SettledAsync(TimeSpan.FromMinutes(3));

        // The villages registered during the backup: every one acknowledged before it began, none that was not acknowledged.
        var registered = (await copy.Organizations(County).ListChildrenAsync(new ListChildrenRequest { Code = Township })).Units
            .Select(u => u.Code).Where(c => string.CompareOrdinal(c, "360731203901") >= 0).ToList();
        Assert.Equal(acknowledged.Take(registered.Count), registered);
        Assert.InRange(registered.Count, before, acknowledged.Count);

        // Every service answers the same, the registered villages aside.
        foreach (var (what, ask) in Questions())
        {
            var expected = await ask(original);
            var actual = await ask(copy);
            Assert.True(expected.Equals(actual), $"{what}: the answers differ\n{Difference(expected, actual)}");
            output.WriteLine($"{what}: equal ({expected.CalculateSize()} bytes)");
        }
    }

    private static IEnumerable<(string What, Func<TestHost, Task<IMessage>> Ask)> Questions()
    {
        var period = TimeProvider.System.Today();
        var month = new Period { Year = period.Year, Month = period.Month };
        yield return ("organizations: the county's townships", async h => await h.Organizations(County).ListChildrenAsync(new ListChildrenRequest { Code = County }));
        yield return ("organizations: the villages", async h => Without(await h.Organizations(County).ListSubtreeAsync(new ListSubtreeRequest { Code = County, Level = OrgLevel.Village, Page = new PageRequest { PageSize = 1000 } })));
        yield return ("assessment: the campaigns", async h => await h.Assessment(County).ListCampaignsAsync(new ListCampaignsRequest { CountyCode = County }));
        yield return ("assessment: the ranking", async h =>
        {
            var campaigns = await h.Assessment(County).ListCampaignsAsync(new ListCampaignsRequest { CountyCode = County });
            return await h.Assessment(County).GetRankingAsync(new GetRankingRequest { CampaignId = campaigns.Campaigns.OrderBy(c => c.Year).Last().Id });
        });
        yield return ("measures: the ledger counts", async h => await h.Measures(County).GetLedgerCountsAsync(new GetLedgerCountsRequest { ScopeCode = County }));
        yield return ("measures: the ledger", async h => await h.Measures(County).ListMeasuresAsync(new ListMeasuresRequest { ScopeCode = County, Page = new PageRequest { PageSize = 500 } }));
        yield return ("reporting: this month's reports", async h => await h.Reporting(County).ListReportsAsync(new ListReportsRequest { ScopeCode = County, Period = month }));
        yield return ("notifications: the county's inbox", async h => await h.Notifications(County).ListNotificationsAsync(new ListNotificationsRequest { UnitCode = County, Page = new PageRequest { PageSize = 200 } }));
        yield return ("gateway: the county's progress", async h =>
        {
            var progress = await new ProgressService.ProgressServiceClient(h.As(County)).GetProgressAsync(new GetProgressRequest { UnitCode = County, Period = month });
            // The subtree's version moved on in the original with each village registered after the copy; the figures did not.
            progress.Version = 0;
            return progress;
        });
    }

    /// <summary>The subtree without the villages registered during the backup, which the two suites hold differently by design.</summary>
    private static ListUnitsResponse Without(ListUnitsResponse units)
    {
        var kept = units.Clone();
        kept.Units.Clear();
        kept.Units.AddRange(units.Units.Where(u => !(u.Code.StartsWith("360731203") && string.CompareOrdinal(u.Code, "360731203901") >= 0)));
        kept.Page = null;
        return kept;
    }

    /// <summary>The parts of two answers that differ, not the whole of both.</summary>
    private static string Difference(IMessage expected, IMessage actual)
    {
        static string[] Parts(IMessage m) => $"{m}".Split(["}, {", "], \""], StringSplitOptions.None);
        var (e, a) = (Parts(expected), Parts(actual));
        return $"only in the restored suite: {string.Join(" | ", a.Except(e))}\nonly in the original: {string.Join(" | ", e.Except(a))}";
    }

    /// <summary>Runs the real host executable with a verb, as an operator does, and returns its exit code and output.</summary>
    private static async Task<(int Code, string Output)> RectifyAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = AppContext.BaseDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "rectify.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
