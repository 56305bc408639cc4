using Dapper;
using Grpc.Core;
using Rectify.Assessment;
using Rectify.Assessment.V1;
using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;
using static Rectify.Tests.Assessment.AssessmentFixture;

namespace Rectify.Tests.Documents;

/// <summary>
/// The 往年整顿对象及结果 template of a county (the fake clock stands at 2027-03-01), filled with 2022 and 2023 targets and
/// imported over real gRPC: a dry run writing nothing, the import designating through RecordPastTargets' write with the
/// archived outcomes on the targets, the same file again unchanged, and bad rows placed with none of the good rows written.
/// </summary>
public sealed class PastTargetsImportTests
{
    private const string Basis2022 = "县委组发〔2022〕40号", Basis2023 = "县委组发〔2023〕12号";

    private static Task<ImportReport> ImportAsync(AssessmentService.AssessmentServiceClient client, string scope, byte[] file, bool dryRun) =>
        WorkbookFiles.UploadAsync(client.ImportWorkbook(), TemplateKind.PastTargets, scope, 0, file, dryRun);

    private static Task<byte[]> TemplateAsync(AssessmentService.AssessmentServiceClient client) =>
        WorkbookFiles.DownloadAsync(client.GetTemplate(new GetTemplateRequest { Kind = TemplateKind.PastTargets, ScopeCode = County }));

    private static object?[] Row(int year, string village, DateOnly decidedOn, string basis, string? outcome = null, DateOnly? acceptedOn = null) =>
        [year, village, null, decidedOn, basis, outcome, acceptedOn];

    private sealed class Recorded
    {
        public int Year { get; set; }
        public string VillageCode { get; set; } = "";
        public int Status { get; set; }
        public DateOnly? AcceptedOn { get; set; }
        public DateOnly? DecidedOn { get; set; }
        public string? Basis { get; set; }
        public long Version { get; set; }
    }

    /// <summary>Every target with its year, as "year village status accepted_on decided_on basis vversion".</summary>
    private static async Task<List<string>> TargetsAsync(TestHost host) =>
        [.. (await host.Get<Database<AssessmentModule>>().ReadAsync(c => c.QueryAsync<Recorded>("""
            SELECT c.year AS Year, t.village_code AS VillageCode, t.status AS Status, t.accepted_on AS AcceptedOn, t.decided_on AS DecidedOn, t.basis AS Basis, t.version AS Version
            FROM targets t JOIN campaigns c ON c.id = t.campaign_id ORDER BY c.year, t.village_code
            """))).Select(t => $"{t.Year} {t.VillageCode} {(TargetStatus)t.Status} {t.AcceptedOn:yyyy-MM-dd} {t.DecidedOn:yyyy-MM-dd} {t.Basis} v{t.Version}")];

    private static Task<int> EventsAsync(TestHost host, string type) =>
        host.Get<Database<AssessmentModule>>().ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM outbox_messages WHERE message_type LIKE @type", new { type = "%" + type }));

    private static async Task<(TestHost Host, AssessmentService.AssessmentServiceClient County)> StartAsync(DbProvider provider)
    {
        var host = await Assessment.AssessmentFixture.StartAsync(provider);
        await ImportCountyAsync(host);
        return (host, host.Assessment(County, Role.Reviewer, "县委组织部审核员"));
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task Earlier_years_targets_and_their_outcomes_import_once_then_again_unchanged(DbProvider provider)
    {
        var (host, county) = await StartAsync(provider);
        await using var _ = host;
        // Anyone who reads the county may download the template.
        var template = await TemplateAsync(host.Assessment(County, Role.Viewer));
        string a = Village(T1, 1), b = Village(T1, 2), c = Village(T2, 1), d = Village(T1, 3), e = Village(T3, 1);
        DateOnly decided2022 = new(2022, 4, 10), decided2023 = new(2023, 3, 15);
        var rows = new List<object?[]>
        {
            Row(2022, a, decided2022, Basis2022, "已验收（摘帽）", new DateOnly(2022, 12, 20)),
            Row(2022, b, decided2022, Basis2022, "已验收（摘帽）", new DateOnly(2022, 12, 21)),
            Row(2022, c, decided2022, Basis2022, "尚未验收"),
            Row(2023, d, decided2023, Basis2023, "验收未通过（回炉）", new DateOnly(2023, 12, 15)),
            Row(2023, e, decided2023, Basis2023),
        };
        var file = WorkbookFiles.Fill(template, ("往年整顿对象", rows));
        // Rendered once (artifacts/documents) to look at the instructions and the filled sheet.
        if (provider == DbProvider.Sqlite) Assert.NotEmpty((await Office.RenderAsync("past-targets.xlsx", file)).Pages);

        var dry = await ImportAsync(county, County, file, dryRun: true);
        Assert.Empty(dry.Problems);
        Assert.Equal((false, 5, 5, 0, 0), (dry.Applied, dry.Rows, dry.Added, dry.Changed, dry.Unchanged));
        Assert.Empty(await TargetsAsync(host));
        Assert.Empty((await county.ListCampaignsAsync(new ListCampaignsRequest { CountyCode = County })).Campaigns);

        var done = await ImportAsync(county, County, file, dryRun: false);
        Assert.Equal((true, 5, 0, 0), (done.Applied, done.Added, done.Changed, done.Unchanged));
        Assert.Equal(
        [
            $"2022 {a} Transformed 2022-12-20 2022-04-10 {Basis2022} v2",
            $"2022 {b} Transformed 2022-12-21 2022-04-10 {Basis2022} v2",
            $"2022 {c} Designated  2022-04-10 {Basis2022} v1",
            $"2023 {d} Reopened  2023-03-15 {Basis2023} v2",
            $"2023 {e} Designated  2023-03-15 {Basis2023} v1",
        ], await TargetsAsync(host));
        // One designation per (year, date, basis), as RecordPastTargets makes it; TargetTransformed for each archived acceptance;
        // PastAcceptanceFailedRecorded, not AcceptanceFailed, for the archived failure (AcceptanceFailed would reopen measures
        // and announce a deadline that never was).
        Assert.Equal((2, 2, 1, 0), (await EventsAsync(host, "TargetsDesignated"), await EventsAsync(host, "TargetTransformed"),
            await EventsAsync(host, "PastAcceptanceFailedRecorded"), await EventsAsync(host, "AcceptanceFailed")));

        var campaigns = (await county.ListCampaignsAsync(new ListCampaignsRequest { CountyCode = County })).Campaigns.OrderBy(x => x.Year).ToList();
        Assert.Equal([(2022, true, true), (2023, true, true)], campaigns.Select(x => (x.Year, x.EnteredAsHistory, x.Confirmed)));
        var targets2022 = (await county.ListTargetsAsync(new ListTargetsRequest { CampaignId = campaigns[0].Id })).Targets;
        Assert.Equal([(a, "1镇1村", TargetStatus.Transformed), (b, "1镇2村", TargetStatus.Transformed), (c, "2镇1村", TargetStatus.Designated)],
            targets2022.Select(t => (t.Branch.VillageCode, t.Branch.VillageName, t.Status)));
        Assert.All(targets2022, t => Assert.Equal((decided2022, Basis2022, "县委组织部审核员"), (t.DecidedOn.ToDateOnly(), t.Basis, t.RecordedBy)));
        // Accepted on 2022-12-20: its look-backs are due from then on the campaign's schedule.
        Assert.NotEmpty(targets2022[0].LookBacksDue);

        var recorded = await TargetsAsync(host);
        var again = await ImportAsync(county, County, file, dryRun: false);
        Assert.Equal((false, 0, 0, 5), (again.Applied, again.Added, again.Changed, again.Unchanged));
        Assert.Equal(recorded, await TargetsAsync(host));
        Assert.Equal(2, await EventsAsync(host, "TargetTransformed"));

        // The outcome entered later for a target still designated: recorded, the rest unchanged.
        rows[4] = Row(2023, e, decided2023, Basis2023, "已验收（摘帽）", new DateOnly(2023, 12, 28));
        var later = await ImportAsync(county, County, WorkbookFiles.Fill(template, ("往年整顿对象", rows)), dryRun: false);
        Assert.Equal((true, 0, 1, 4), (later.Applied, later.Added, later.Changed, later.Unchanged));
        Assert.Contains($"2023 {e} Transformed 2023-12-28 2023-03-15 {Basis2023} v2", await TargetsAsync(host));
        Assert.Equal(3, await EventsAsync(host, "TargetTransformed"));
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task Bad_rows_are_placed_and_none_of_the_good_rows_is_written(DbProvider provider)
    {
        var (host, county) = await StartAsync(provider);
        await using var _ = host;
        DateOnly decided = new(2022, 4, 10);
        await county.RecordPastTargetsAsync(new RecordPastTargetsRequest
            { CountyCode = County, Year = 2022, DecidedOn = decided.ToProto(), Basis = Basis2022, VillageCodes = { Village(T1, 1) } });
        var before = await TargetsAsync(host);
        var designations = await EventsAsync(host, "TargetsDesignated");

        var template = await TemplateAsync(county);
        var rows = new List<object?[]>
        {
            Row(2022, Village(T1, 2), decided, Basis2022, "已验收（摘帽）", new DateOnly(2022, 12, 20)), // row 2: good
            Row(2022, "360731101299", decided, Basis2022),                                             // row 3: no such village
            Row(2022, "360732101201", decided, Basis2022),                                             // row 4: another county's village
            Row(2027, Village(T1, 3), new DateOnly(2027, 1, 10), "县委组发〔2027〕1号"),                 // row 5: the current year
            Row(2022, Village(T1, 4), decided, Basis2022, "已验收（摘帽）"),                             // row 6: accepted without a date
            Row(2022, Village(T1, 1), decided, "县委组发〔2022〕41号"),                                  // row 7: recorded with another basis
            Row(2028, Village(T1, 5), new DateOnly(2026, 1, 10), "县委组发〔2028〕1号"),                 // row 8: a future year
            Row(2022, Village(T1, 2), decided, Basis2022),                                             // row 9: row 2 again
        };
        var file = WorkbookFiles.Fill(template, ("往年整顿对象", rows));

        var dry = await ImportAsync(county, County, file, dryRun: true);
        Assert.Equal(["往年整顿对象!A5", "往年整顿对象!A8", "往年整顿对象!B3", "往年整顿对象!B4", "往年整顿对象!B9", "往年整顿对象!E7", "往年整顿对象!G6"],
            dry.Places().Order(StringComparer.Ordinal));
        var reasons = dry.Problems.ToDictionary(p => $"{p.Sheet}!{p.Cell}", p => p.Reason);
        Assert.Contains("组织机构中没有", reasons["往年整顿对象!B3"]);
        Assert.Contains("不在360731000000范围内", reasons["往年整顿对象!B4"]);
        Assert.Contains("往年", reasons["往年整顿对象!A5"]);
        Assert.Contains("往年", reasons["往年整顿对象!A8"]);
        Assert.Contains("验收日期", reasons["往年整顿对象!G6"]);
        Assert.Contains("不会被覆盖", reasons["往年整顿对象!E7"]);
        Assert.Contains("重复", reasons["往年整顿对象!B9"]);
        Assert.Equal(before, await TargetsAsync(host));

        var refused = await Rpc.Refused(StatusCode.InvalidArgument, () => ImportAsync(county, County, file, dryRun: false));
        Assert.Contains("往年整顿对象!G6", refused.Fields());
        Assert.Equal(before, await TargetsAsync(host));
        Assert.Equal(designations, await EventsAsync(host, "TargetsDesignated"));

        // The good row alone goes in; an earlier year's targets are a county reviewer's decision, and the scope is a county.
        var good = WorkbookFiles.Fill(template, ("往年整顿对象", rows.Take(1)));
        await Rpc.Refused(StatusCode.PermissionDenied, () => ImportAsync(host.Assessment(County, Role.Officer), County, good, dryRun: true));
        var township = await Rpc.Refused(StatusCode.InvalidArgument, () => ImportAsync(county, T1, good, dryRun: true));
        Assert.Equal(["scope_code"], township.Fields());
        Assert.Equal((true, 1), ((await ImportAsync(county, County, good, dryRun: false)).Applied, (await TargetsAsync(host)).Count - before.Count));
    }
}
