using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Rectify.Assessment.V1;
using Rectify.Host;
using Rectify.Kernel;
using Rectify.Measures.V1;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Tests.Security;
using Rectify.Tests.Support;
using CliApp = Rectify.Cli.Cli;

namespace Rectify.Tests.Cli;

/// <summary>One host with every module and the demo county, shared by the CLI's tests (they only add to it).</summary>
public sealed class DemoHost : IAsyncLifetime
{
    public TestHost Host { get; private set; } = null!;

    public async ValueTask InitializeAsync() =>
        Host = await TestHost.StartAsync(DbProvider.Sqlite, ServiceCatalog.All, new Dictionary<string, string?>
        {
            ["Rectify:Demo"] = "true",
            ["Rectify:Measures:ScheduleScans"] = "false",
        });

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>
/// rectify-cli as a clerk's script runs it: the real executable as a process against a real host. Where the server comes
/// from, what a wrong address says, --help, --json, a representative write of each service, and a command for every RPC.
/// </summary>
public sealed class CliTests(DemoHost demo) : IClassFixture<DemoHost>, IDisposable
{
    private const string County = "360731000000";
    private const string Township = "360731100000"; // 贡江镇
    private const string Village = "360731100205";  // its target 马坑村, planned by the demo
    private const string PlainVillage = "360731100201";

    /// <summary>RPCs without a command yet. Empty: every RPC has one; an RPC added on a branch goes here only with a reason.</summary>
    private static readonly string[] KnownGaps = [];

    private readonly string _config = Directory.CreateTempSubdirectory("rectify-cli-").FullName;
    private TestHost Host => demo.Host;

    public void Dispose() => Directory.Delete(_config, recursive: true);

    private sealed record Run(int Exit, string Out, string Err)
    {
        public JsonElement Json => JsonDocument.Parse(Out).RootElement;
        public override string ToString() => $"exit {Exit}\n{Out}\n{Err}";
    }

    /// <summary>Runs rectify-cli with the given arguments and environment (nothing inherited that would change its answer).</summary>
    private async Task<Run> Cli(IDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "rectify-cli.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["RECTIFY_CONFIG_DIR"] = _config;
        foreach (var name in new[] { "RECTIFY_TOKEN", "RECTIFY_SERVER", "RECTIFY_PASSWORD" }) start.Environment.Remove(name);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return new Run(process.ExitCode, await output, await error);
    }

    /// <summary>As a script would: the server in RECTIFY_SERVER, the token in RECTIFY_TOKEN.</summary>
    private Task<Run> As(string org, Role role, params string[] args) =>
        Cli(new Dictionary<string, string> { ["RECTIFY_SERVER"] = Host.GrpcUrl, ["RECTIFY_TOKEN"] = TestHost.Token(org, role, "脚本") }, args);

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The three Word documents saved by the CLI where --out says: whole .docx files with the expected titles.</summary>
    [Fact]
    public async Task The_plan_the_monthly_report_and_the_bulletin_are_saved_as_word_documents()
    {
        var today = Host.Clock.Today();
        var year = Rectify.Platform.Demo.DemoClock.CampaignYear(today);
        var month = Rectify.Platform.Month.Of(today).Previous;
        var folder = Directory.CreateTempSubdirectory("rectify-word-").FullName;
        var runs = new (string File, string Title, string[] Args)[]
        {
            ("plan.docx", "马坑村党支部整顿方案", ["export-plan", Village, $"{year}"]),
            ("report.docx", $"贡江镇{month.Year}年{month.Number}月软弱涣散村党组织整顿工作月报", ["export-monthly-report", Township, $"{month.Year}-{month.Number:D2}"]),
            ("bulletin.docx", $"关于{month.Year}年{month.Number}月于都县软弱涣散村党组织整顿工作进展情况的通报", ["export-bulletin", County, $"{month.Year}-{month.Number:D2}"]),
        };
        foreach (var (file, title, args) in runs)
        {
            var path = Path.Combine(folder, file);
            var run = await As(County, Role.Viewer, [.. args, "--out", path]);
            Assert.True(run.Exit == 0, run.ToString());
            using var word = DocumentFormat.OpenXml.Packaging.WordprocessingDocument.Open(path, false);
            Assert.Equal(title, word.PackageProperties.Title);
        }
        // A township outside the caller's: refused, nothing written.
        var refused = await As("360731203000", Role.Officer, "export-monthly-report", Township, $"{month.Year}-{month.Number:D2}", "--out", Path.Combine(folder, "x.docx"));
        Assert.NotEqual(0, refused.Exit);
        Assert.False(File.Exists(Path.Combine(folder, "x.docx")));
    }

    /// <summary>
    /// A unit list saved as CSV by Excel on Chinese Windows is GBK with a Chinese header: imported as written. Before,
    /// the names were stored as mojibake with exit code 0 and the header was refused as a bad row.
    /// </summary>
    [Fact]
    public async Task A_gbk_csv_with_a_chinese_header_imports_its_chinese_names_and_a_file_that_is_not_text_imports_nothing()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var folder = Directory.CreateTempSubdirectory("rectify-csv-").FullName;
        var gbk = Path.Combine(folder, "贡江镇新增村.csv");
        await File.WriteAllBytesAsync(gbk, Encoding.GetEncoding("GBK").GetBytes($"编码,名称,上级编码\r\n360731100290,锦绣村,{Township}\r\n"));
        var run = await As(County, Role.Officer, "import", gbk);
        Assert.True(run.Exit == 0, run.ToString());
        var organizations = new OrganizationService.OrganizationServiceClient(Host.As(County, Role.Viewer));
        Assert.Equal("锦绣村", (await organizations.GetUnitAsync(new GetUnitRequest { Code = "360731100290" })).Name);

        // A workbook renamed .csv (a zip: neither UTF-8 nor GBK text) is refused in Chinese, and no unit appears.
        var workbook = Path.Combine(folder, "单位.csv");
        await File.WriteAllBytesAsync(workbook, [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00, 0xFF, 0xFE, 0x80, 0x81, 0xFF, 0x00]);
        run = await As(County, Role.Officer, "import", workbook);
        Assert.NotEqual(0, run.Exit);
        Assert.Contains("既不是 UTF-8 也不是 GBK", run.Err);
        Assert.Equal(12, (await organizations.ListChildrenAsync(new ListChildrenRequest { Code = County })).Units.Count);
    }

    /// <summary>A clerk's script: download the units template, fill it, dry run it (exit 0); a PDF is refused in Chinese with exit 1.</summary>
    [Fact]
    public async Task A_units_template_downloaded_filled_and_dry_run_and_a_bad_file_refused_through_the_cli()
    {
        var folder = Directory.CreateTempSubdirectory("rectify-template-").FullName;
        var template = Path.Combine(folder, "f.xlsx");
        var run = await As(County, Role.Officer, "template", "units", Township, "--out", template);
        Assert.True(run.Exit == 0, run.ToString());
        var filled = Path.Combine(folder, "filled.xlsx");
        await File.WriteAllBytesAsync(filled, Rectify.Tests.Documents.OrganizationDocuments.Fill(await File.ReadAllBytesAsync(template, TestContext.Current.CancellationToken),
            "单位名单", ["360731100297", "脚本试村", ""]), TestContext.Current.CancellationToken);
        run = await As(County, Role.Officer, "import-workbook", "units", Township, filled, "--dry-run");
        Assert.True(run.Exit == 0, run.ToString());
        Assert.Contains("检查通过", run.Out);

        // Problems found by a dry run: exit 1, each placed; a file refused outright is a server refusal: exit 2 (Cli.ExitRpc).
        var duplicate = Path.Combine(folder, "duplicate.xlsx");
        await File.WriteAllBytesAsync(duplicate, Rectify.Tests.Documents.OrganizationDocuments.Fill(await File.ReadAllBytesAsync(template, TestContext.Current.CancellationToken),
            "单位名单", ["360731100297", "脚本试村", ""], ["360731100297", "脚本又一村", ""]), TestContext.Current.CancellationToken);
        run = await As(County, Role.Officer, "import-workbook", "units", Township, duplicate, "--dry-run");
        Assert.Equal(1, run.Exit);
        Assert.Contains("工作表「单位名单」第3行「单位代码」(A3)：与第2行的单位代码重复", run.Err);
        var bad = Path.Combine(folder, "bad.xlsx");
        await File.WriteAllBytesAsync(bad, Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj\n"), TestContext.Current.CancellationToken);
        run = await As(County, Role.Officer, "import-workbook", "units", Township, bad);
        Assert.Equal(CliApp.ExitRpc, run.Exit);
        Assert.Contains("这是PDF文件", run.Out + run.Err);
        Assert.Throws<Grpc.Core.RpcException>(() => new OrganizationService.OrganizationServiceClient(Host.As(County, Role.Viewer)).GetUnit(new GetUnitRequest { Code = "360731100297" }));
    }

    [Fact]
    public async Task The_server_comes_from_RECTIFY_SERVER_so_no_command_needs_the_server_option()
    {
        var run = await Cli(new Dictionary<string, string> { ["RECTIFY_SERVER"] = Host.GrpcUrl, ["RECTIFY_TOKEN"] = TestHost.Token(County, Role.Viewer) }, "children", County);
        Assert.True(run.Exit == 0, run.ToString());
        Assert.Contains("贡江镇", run.Out);
    }

    [Fact]
    public async Task Counts_with_totals_only_give_the_same_total_without_a_row_per_target()
    {
        var full = await As(County, Role.Viewer, "counts", County, "--json");
        var totals = await As(County, Role.Viewer, "counts", County, "--totals-only", "--json");
        Assert.True(full.Exit == 0 && totals.Exit == 0, $"{full}\n{totals}");
        Assert.NotEmpty(full.Json.GetProperty("targets").EnumerateArray());
        Assert.False(totals.Json.TryGetProperty("targets", out _));
        Assert.Equal(full.Json.GetProperty("total").GetRawText(), totals.Json.GetProperty("total").GetRawText());
        Assert.Equal(full.Json.GetProperty("children").GetRawText(), totals.Json.GetProperty("children").GetRawText());
    }

    [Fact]
    public async Task A_wrong_address_says_which_address_failed_and_how_to_fix_it()
    {
        var nowhere = $"http://127.0.0.1:{UnusedPort()}";
        var run = await Cli(new Dictionary<string, string> { ["RECTIFY_SERVER"] = nowhere, ["RECTIFY_TOKEN"] = TestHost.Token(County) }, "children", County);
        Assert.Equal(69, run.Exit);
        Assert.Contains($"cannot reach {nowhere}: is the server running? set RECTIFY_SERVER or --server", run.Err);
        Assert.DoesNotContain("subchannel", run.Err);

        // https:// against the plain-text host: the TLS handshake fails, and the message says to use http://.
        var tls = Host.GrpcUrl.Replace("http://", "https://");
        run = await Cli(new Dictionary<string, string> { ["RECTIFY_TOKEN"] = TestHost.Token(County) }, "children", County, "--server", tls);
        Assert.Equal(69, run.Exit);
        Assert.Contains($"cannot set up TLS with {tls}", run.Err);
        Assert.Contains("use http:// instead", run.Err);

        run = await Cli(new Dictionary<string, string> { ["RECTIFY_TOKEN"] = TestHost.Token(County) }, "children", County, "--server", "localhost:5400");
        Assert.Equal(64, run.Exit);
        Assert.Contains("localhost:5400 (from --server) is not a server address", run.Err);
    }

    [Fact]
    public async Task An_expired_session_says_to_sign_in_again()
    {
        var session = new { Server = Host.GrpcUrl, AccessToken = "expired", ExpiresAt = DateTimeOffset.UtcNow.AddHours(-1), RefreshToken = "no-longer-valid" };
        await File.WriteAllTextAsync(Path.Combine(_config, "session.json"), JsonSerializer.Serialize(session), TestContext.Current.CancellationToken);
        var run = await Cli(new Dictionary<string, string>(), "whoami");
        Assert.Equal(2, run.Exit);
        Assert.Contains("the signed-in session has expired", run.Err);
        Assert.Contains("rectify-cli login USER", run.Err);
    }

    [Fact]
    public async Task A_commands_help_names_its_arguments_and_options()
    {
        var run = await Cli(new Dictionary<string, string>(), "add-measure", "--help");
        Assert.True(run.Exit == 0, run.ToString());
        Assert.Contains("rectify-cli add-measure <PLAN_ID> <PROBLEM_ID> <DESCRIPTION> [options]", run.Out);
        Assert.Contains("--deadline <YYYY-MM-DD>", run.Out);
        Assert.Contains("--person", run.Out);
        Assert.Contains("--json", run.Out);

        run = await Cli(new Dictionary<string, string>(), "reopen", "M1", "--reason", "回头看", "--deadline", "2026-13-01");
        Assert.Equal(64, run.Exit);
        Assert.Contains("--deadline: 2026-13-01 is not a date YYYY-MM-DD", run.Err);
    }

    [Fact]
    public async Task Reconcile_shows_both_counts_of_every_figure_even_when_they_are_zero()
    {
        // A campaign year with nothing in it: every figure 0 on both sides, and still printed, not left out as a default.
        var run = await As(County, Role.Admin, "reconcile", County, "--year", "2020");
        Assert.True(run.Exit == 0, run.ToString());
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.TrimStart().StartsWith("name") && l.Contains("gateway") && l.Contains("service") && l.Contains("agrees"));
        var targets = lines.Single(l => l.TrimStart().StartsWith("targets.total")).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["targets.total", "assessment", "SnapshotTargets", "0", "0", "yes"], targets);
    }

    [Fact]
    public async Task Json_on_request_and_a_readable_table_by_default()
    {
        var json = await As(County, Role.Viewer, "children", County, "--json");
        Assert.True(json.Exit == 0, json.ToString());
        var units = json.Json.GetProperty("units").EnumerateArray().ToList();
        Assert.Equal(12, units.Count);
        Assert.Contains(units, u => u.GetProperty("code").GetString() == Township && u.GetProperty("name").GetString() == "贡江镇");

        var readable = await As(County, Role.Viewer, "children", County);
        Assert.True(readable.Exit == 0, readable.ToString());
        var lines = readable.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("units (12):", lines[0]);
        Assert.Matches(@"^\s+code\s+name\s+level\s+parentCode\s+status$", lines[1]);
        Assert.Matches(@$"^\s+{Township}\s+贡江镇\s+township\s+{County}\s+active$", lines.Single(l => l.Contains(Township)));
    }

    [Fact]
    public async Task Organizations_a_unit_renamed_and_an_assignment_added_and_removed_through_the_cli()
    {
        var renamed = await As(County, Role.Officer, "unit-rename", PlainVillage, "脚本改名村", "--reason", "区划调整", "--json");
        Assert.True(renamed.Exit == 0, renamed.ToString());
        Assert.Equal("脚本改名村", renamed.Json.GetProperty("name").GetString());
        var history = await As(County, Role.Viewer, "history", PlainVillage, "--json");
        Assert.Contains(history.Json.GetProperty("changes").EnumerateArray(), c => c.GetProperty("kind").GetString() == "UNIT_CHANGE_KIND_RENAMED" && c.GetProperty("reason").GetString() == "区划调整");

        var year = Host.Clock.Today().Year.ToString();
        var added = await As(Township, Role.Officer, "assignment-add", Village, year, "--kind", "party_building_instructor", "--assignee", "脚本指导员", "--position", "党建指导员", "--json");
        Assert.True(added.Exit == 0, added.ToString());
        var id = added.Json.GetProperty("id").GetString()!;
        var listed = await As(Township, Role.Viewer, "assignments", Village, year, "--json");
        Assert.Contains(listed.Json.GetProperty("assignments").EnumerateArray(), a => a.GetProperty("id").GetString() == id && a.GetProperty("kind").GetString() == "ASSIGNMENT_KIND_PARTY_BUILDING_INSTRUCTOR");
        var removed = await As(Township, Role.Officer, "assignment-remove", id, "--reason", "工作调整", "--json");
        Assert.True(removed.Exit == 0, removed.ToString());
        Assert.Equal("工作调整", removed.Json.GetProperty("removalReason").GetString());
    }

    [Fact]
    public async Task Measures_a_measure_added_to_a_plan_through_the_cli()
    {
        var campaign = (await new AssessmentService.AssessmentServiceClient(Host.As(County, Role.Viewer)).ListCampaignsAsync(new ListCampaignsRequest { CountyCode = County })).Campaigns.Single(c => c.Confirmed);
        var plan = await new MeasureService.MeasureServiceClient(Host.As(County, Role.Viewer)).GetPlanAsync(new GetPlanRequest { VillageYear = new VillageYear { VillageCode = Village, CampaignYear = campaign.Year } });
        // Within the campaign (a deadline after its end is refused), after today.
        var due = Host.Clock.Today().AddDays(40);
        if (campaign.Settings.EndsOn.TryToDateOnly(out var ends) && due > ends) due = ends;
        var deadline = due.ToString("yyyy-MM-dd");
        var run = await As(Township, Role.Officer, "add-measure", plan.Id, plan.Problems[0].Id, "修缮村级活动场所", "--person", "陈建国、李春生", "--deadline", deadline, "--json");
        Assert.True(run.Exit == 0, run.ToString());
        var id = run.Json.GetProperty("id").GetString()!;
        var stored = await new MeasureService.MeasureServiceClient(Host.As(County, Role.Viewer)).GetMeasureAsync(new GetMeasureRequest { MeasureId = id });
        Assert.Equal("修缮村级活动场所", stored.Measure.Description);
        Assert.Equal(["陈建国", "李春生"], stored.Measure.ResponsiblePersons);
        Assert.Equal(due.ToProto(), stored.Measure.Deadline);
    }

    [Fact]
    public async Task Assessment_a_campaign_opened_and_a_branch_assessed_through_the_cli()
    {
        var year = (Host.Clock.Today().Year + 1).ToString();
        var campaign = await As(County, Role.Officer, "campaign-create", County, year, "--json");
        Assert.True(campaign.Exit == 0, campaign.ToString());
        var id = campaign.Json.GetProperty("id").GetString()!;
        var run = await As(County, Role.Officer, "record-assessment", id, Village, "--satisfied", "30", "--basically", "6", "--dissatisfied", "14",
            "--team-operation", "60", "--organizational-systems", "55", "--cadre-team", "62", "--vanguard-role", "58", "--json");
        Assert.True(run.Exit == 0, run.ToString());
        Assert.Equal(50, run.Json.GetProperty("votes").GetProperty("ballots").GetInt32());
        var ranking = await As(County, Role.Viewer, "ranking", id, "--township", Township, "--json");
        Assert.Contains(ranking.Json.GetProperty("branches").EnumerateArray(), b => b.GetProperty("branch").GetProperty("villageCode").GetString() == Village);
    }

    /// <summary>ranking-csv: StreamRanking's pages as CSV on stdout, nothing else there, in GetRanking's order.</summary>
    [Fact]
    public async Task The_ranking_is_written_as_csv_in_the_order_of_GetRanking()
    {
        var campaigns = await As(County, Role.Viewer, "campaigns", County, "--json");
        Assert.True(campaigns.Exit == 0, campaigns.ToString());
        var id = campaigns.Json.GetProperty("campaigns").EnumerateArray().First(c => c.TryGetProperty("confirmedAt", out _) && !c.TryGetProperty("enteredAsHistory", out _)).GetProperty("id").GetString()!;
        var whole = await As(County, Role.Viewer, "ranking", id, "--json");
        Assert.True(whole.Exit == 0, whole.ToString());
        var expected = whole.Json.GetProperty("branches").EnumerateArray().Select(b => b.GetProperty("branch").GetProperty("villageCode").GetString()).ToList();

        var csv = await As(County, Role.Viewer, "ranking-csv", id);
        Assert.True(csv.Exit == 0, csv.ToString());
        var lines = csv.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.StartsWith("名次,乡镇内名次,村代码,村,", lines[0]);
        Assert.Equal(expected.Count + 1, lines.Count);
        Assert.Equal(expected, lines.Skip(1).Select(l => l.Split(',')[2]));
        Assert.Equal(Enumerable.Range(1, expected.Count).Select(r => r.ToString()), lines.Skip(1).Select(l => l.Split(',')[0]));
        Assert.All(lines.Skip(1), l => Assert.Contains("综合得分", l)); // the explanation's sentence, last
    }

    [Fact]
    public async Task Reporting_an_exception_granted_through_the_cli()
    {
        var today = Host.Clock.Today();
        var previous = new DateOnly(today.Year, today.Month, 1).AddMonths(-1);
        var until = today.AddDays(10).ToString("yyyy-MM-dd");
        var run = await As(County, Role.Reviewer, "exception", Township, previous.ToString("yyyy-MM"), "--reason", "系统故障未能按时报送", "--until", until, "--json");
        Assert.True(run.Exit == 0, run.ToString());
        Assert.Equal(until, run.Json.GetProperty("until") is var u ? $"{u.GetProperty("year").GetInt32():D4}-{u.GetProperty("month").GetInt32():D2}-{u.GetProperty("day").GetInt32():D2}" : "");
        var officer = await As(County, Role.Officer, "exception", Township, previous.ToString("yyyy-MM"), "--reason", "x", "--until", until);
        Assert.Equal(2, officer.Exit);
        Assert.Contains("PermissionDenied", officer.Err);
    }

    [Fact]
    public async Task Notifications_a_contact_added_and_removed_through_the_cli()
    {
        var added = await As(Township, Role.Officer, "contact-add", Township, "--kind", "webhook", "--url", "http://127.0.0.1:9/hook", "--secret", "s3cret", "--quiet", "22:00-07:00", "--json");
        Assert.True(added.Exit == 0, added.ToString());
        var id = added.Json.GetProperty("id").GetString()!;
        Assert.Equal("22:00", added.Json.GetProperty("quietFrom").GetString());
        var removed = await As(Township, Role.Officer, "contact-remove", id, "--json");
        Assert.True(removed.Exit == 0, removed.ToString());
        var contacts = await As(Township, Role.Viewer, "contacts", Township, "--json");
        Assert.DoesNotContain(contacts.Json.TryGetProperty("contacts", out var list) ? list.EnumerateArray().ToList() : [], c => c.GetProperty("id").GetString() == id && c.TryGetProperty("active", out var active) && active.GetBoolean());
    }

    /// <summary>Every rectify-cli line of the README's walkthrough still parses: command names and options kept.</summary>
    [Fact]
    public void Every_cli_line_of_the_readme_still_parses()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Rectify.sln"))) directory = directory.Parent;
        Assert.NotNull(directory);
        var readme = File.ReadAllText(Path.Combine(directory.FullName, "README.md"));
        var lines = new List<string>();
        var inCode = false;
        foreach (var line in readme.Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) { inCode = !inCode; continue; }
            if (!inCode || line.Contains("alias rectify-cli", StringComparison.Ordinal)) continue;
            foreach (System.Text.RegularExpressions.Match match in System.Text.RegularExpressions.Regex.Matches(line, @"rectify-cli ([^)#]*)"))
                lines.AddRange(match.Groups[1].Value.Split("  |  ").Select(l => l.Trim()).Where(l => l.Length > 0));
        }
        Assert.True(lines.Count > 40, $"{lines.Count} rectify-cli lines found in the README");
        var root = CliApp.Build();
        foreach (var line in lines)
        {
            var words = System.Text.RegularExpressions.Regex.Matches(line, "\"[^\"]*\"|\\S+").Select(m => m.Value.Trim('"'))
                .Select(w => System.Text.RegularExpressions.Regex.Replace(w, @"\$\{?(\w+)\}?", m => m.Groups[1].Value switch { "Y" => "2026", "P" or "L" => "2026-10", "M" => "M1", _ => "X1" }))
                .ToList();
            var errors = root.Parse(words).Errors;
            Assert.True(errors.Count == 0, $"README line `rectify-cli {line}`: " + string.Join("; ", errors.Select(e => e.Message)));
        }
    }

    [Fact]
    public void Every_rpc_in_the_contracts_has_a_cli_command()
    {
        var rpcs = AccessMatrixTests.Contracts.SelectMany(f => f.Services).SelectMany(s => s.Methods).Select(m => $"{m.Service.FullName}/{m.Name}").ToList();
        Assert.True(rpcs.Count > 50, $"{rpcs.Count} RPCs found in the descriptors");
        var table = CliApp.RpcTable();
        var covered = table.Values.SelectMany(v => v).ToHashSet();
        var missing = rpcs.Except(covered).Except(KnownGaps).ToList();
        Assert.True(missing.Count == 0, "RPCs without a rectify-cli command (add one in cli/Rectify.Cli/*Commands.cs): " + string.Join(", ", missing));
        var stale = covered.Except(rpcs).ToList();
        Assert.True(stale.Count == 0, "commands naming RPCs that do not exist: " + string.Join(", ", stale));
        var gapsCovered = KnownGaps.Intersect(covered).ToList();
        Assert.True(gapsCovered.Count == 0, "known gaps that now have a command (take them off KnownGaps): " + string.Join(", ", gapsCovered));

        // Every command's --help parses.
        var root = CliApp.Build();
        foreach (var command in table.Keys)
            Assert.Empty(root.Parse([command, "--help"]).Errors);
    }
}
