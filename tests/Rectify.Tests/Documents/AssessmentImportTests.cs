using Dapper;
using Grpc.Core;
using Rectify.Assessment;
using Rectify.Assessment.V1;
using Rectify.Common.V1;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;
using static Rectify.Tests.Assessment.AssessmentFixture;

namespace Rectify.Tests.Documents;

/// <summary>
/// The 两评—调研结果 template of a township, filled and imported over real gRPC: a dry run writing nothing, the real
/// import recorded as RecordAssessment records it, the same file again unchanged, a different score a new revision
/// before confirmation, and bad rows placed by sheet, row and column with none of the good rows written.
/// </summary>
public sealed class AssessmentImportTests
{
    private const int Year = 2027;

    private static Task<ImportReport> ImportAsync(AssessmentService.AssessmentServiceClient client, string scope, byte[] file, bool dryRun) =>
        WorkbookFiles.UploadAsync(client.ImportWorkbook(), TemplateKind.Assessments, scope, Year, file, dryRun);

    private static Task<byte[]> TemplateAsync(AssessmentService.AssessmentServiceClient client, string scope) =>
        WorkbookFiles.DownloadAsync(client.GetTemplate(new GetTemplateRequest { Kind = TemplateKind.Assessments, ScopeCode = scope, CampaignYear = Year }));

    /// <summary>Every revision recorded, as "village r revision: votes | scores in hundredths | findings".</summary>
    private static async Task<List<string>> RecordedAsync(TestHost host) =>
        await host.Get<Database<AssessmentModule>>().ReadAsync(async c => (await c.QueryAsync<string>("""
            SELECT village_code || ' r' || CAST(revision AS VARCHAR(5)) || ': ' || CAST(satisfied AS VARCHAR(9)) || '/' || CAST(basically_satisfied AS VARCHAR(9)) || '/'
                || CAST(dissatisfied AS VARCHAR(9)) || '/' || CAST(ballots AS VARCHAR(9)) || ' | ' || CAST(team_operation_hundredths AS VARCHAR(9)) || ','
                || CAST(organizational_systems_hundredths AS VARCHAR(9)) || ',' || CAST(cadre_team_hundredths AS VARCHAR(9)) || ',' || CAST(vanguard_role_hundredths AS VARCHAR(9))
                || ' | ' || findings
            FROM assessments ORDER BY village_code, revision
            """)).ToList());

    private static object?[] Scores(string village, int satisfied, int basically, int dissatisfied, int ballots, decimal score) =>
        [village, null, satisfied, basically, dissatisfied, ballots, score, score, score - 2.5m, 80];

    private static async Task<(TestHost Host, AssessmentService.AssessmentServiceClient Township)> StartAsync(DbProvider provider)
    {
        var host = await Assessment.AssessmentFixture.StartAsync(provider);
        await ImportCountyAsync(host);
        await host.Assessment(County).CreateCampaignAsync(new CreateCampaignRequest { CountyCode = County, Year = Year });
        return (host, host.Assessment(T1, subject: "第101镇党委"));
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task A_townships_results_import_once_then_again_unchanged_and_a_new_score_is_a_new_revision(DbProvider provider)
    {
        var (host, township) = await StartAsync(provider);
        await using var _ = host;
        var template = await TemplateAsync(township, T1);
        var rows = Enumerable.Range(1, Villages[T1]).Select(n => Scores(Village(T1, n), 60 + n, 30, 10 - n % 3, 100 + n - n % 3, 80 + n)).ToList();
        object?[][] findings = [[Village(T1, 1), "村级集体经济薄弱", "村集体经营性收入不足5万元"], [Village(T1, 1), "书记空缺3个月以上", null]];
        var file = WorkbookFiles.Fill(template, ("两评结果", rows), ("调研发现", findings));

        var dry = await ImportAsync(township, T1, file, dryRun: true);
        Assert.Empty(dry.Problems);
        Assert.Equal((13, 11, 0), (dry.Rows, dry.Added, dry.Unchanged));
        Assert.Empty(await RecordedAsync(host));

        var done = await ImportAsync(township, T1, file, dryRun: false);
        Assert.Equal((true, 11, 0, 0), (done.Applied, done.Added, done.Changed, done.Unchanged));
        var recorded = await RecordedAsync(host);
        Assert.Equal(11, recorded.Count);
        var first = System.Text.RegularExpressions.Regex.Unescape(recorded[0]); // findings are stored as JSON with \u escapes
        Assert.StartsWith($"{Village(T1, 1)} r1: 61/30/9/100 | 8100,8100,7850,8000 | ", first);
        Assert.Contains("WEAK_ECONOMY", first);
        Assert.Contains("村集体经营性收入不足5万元", first);
        Assert.Contains("SECRETARY_VACANT", first);
        // The ranking reads them as any recorded assessment: every branch of the township is assessed.
        var ranking = await township.GetRankingAsync(new GetRankingRequest { CampaignId = (await host.Assessment(County).ListCampaignsAsync(new ListCampaignsRequest { CountyCode = County })).Campaigns.Single().Id, TownshipCode = T1 });
        Assert.Empty(ranking.Unassessed);

        var again = await ImportAsync(township, T1, file, dryRun: false);
        Assert.Equal((false, 0, 0, 11), (again.Applied, again.Added, again.Changed, again.Unchanged));
        Assert.Equal(recorded, await RecordedAsync(host));

        rows[4] = Scores(Village(T1, 5), 50, 40, 10, 100, 70.25m);
        var changed = await ImportAsync(township, T1, WorkbookFiles.Fill(template, ("两评结果", rows), ("调研发现", findings)), dryRun: false);
        Assert.Equal((1, 10), (changed.Changed, changed.Unchanged));
        var after = await RecordedAsync(host);
        Assert.Equal(12, after.Count);
        Assert.Contains(after, r => r.StartsWith($"{Village(T1, 5)} r2: 50/40/10/100 | 7025,7025,6775,8000"));
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task Bad_rows_are_placed_by_sheet_row_and_column_and_none_of_the_good_rows_is_written(DbProvider provider)
    {
        var (host, township) = await StartAsync(provider);
        await using var _ = host;
        var template = await TemplateAsync(township, T1);
        // Rows 2–10: nine good villages; row 11 adds up wrong, so the whole file is refused.
        var rows = Enumerable.Range(1, 9).Select(n => Scores(Village(T1, n), 60, 30, 10, 100, 85)).ToList();
        rows.Add(Scores(Village(T1, 10), 60, 30, 10, 99, 85));                   // row 11: ballots do not add up
        rows.Add(Scores(Village(T2, 1), 60, 30, 10, 100, 85));                   // row 12: another township's village
        rows.Add(Scores("360731101299", 60, 30, 10, 100, 85));                   // row 13: not a branch of the campaign
        rows.Add(Scores(Village(T1, 11), 60, 30, 10, 100, 101));                 // row 14: a score over 100
        rows.Add([Village(T1, 11), null, 60, 30, 10, 100, null, 85, 85, 85]);    // row 15: a required score empty
        object?[][] findings =
        [
            [Village(T1, 1), "不存在的发现", null],        // row 2: not in the drop-down
            [Village(T1, 3), "村级集体经济薄弱", "说明"],   // row 3: good
            [Village(T3, 1), "村级集体经济薄弱", null],    // row 4: outside the township
        ];
        var file = WorkbookFiles.Fill(template, ("两评结果", rows), ("调研发现", findings));

        var dry = await ImportAsync(township, T1, file, dryRun: true);
        Assert.Equal(["两评结果!A12", "两评结果!A13", "两评结果!F11", "两评结果!G14", "两评结果!G15", "两评结果!H14", "调研发现!A4", "调研发现!B2"], dry.Places().Order(StringComparer.Ordinal));
        var reasons = dry.Problems.ToDictionary(p => $"{p.Sheet}!{p.Cell}", p => p.Reason);
        Assert.Contains("与总票数99不符", reasons["两评结果!F11"]);
        Assert.Contains("不在", reasons["两评结果!A12"]);
        Assert.Contains("名单", reasons["两评结果!A13"]);
        Assert.Contains("0到100", reasons["两评结果!G14"]);
        Assert.Contains("必填", reasons["两评结果!G15"]);
        Assert.Contains("不在下拉列表中", reasons["调研发现!B2"]);

        var refused = await Rpc.Refused(StatusCode.InvalidArgument, () => ImportAsync(township, T1, file, dryRun: false));
        Assert.Contains("两评结果!F11", refused.Fields());
        Assert.Empty(await RecordedAsync(host));

        // A village may not assess itself, and the kind must be this service's.
        var village = host.Assessment(Village(T1, 1));
        await Rpc.Refused(StatusCode.PermissionDenied, () => ImportAsync(village, T1, file, dryRun: true));
        var kind = await Rpc.Refused(StatusCode.InvalidArgument, () => WorkbookFiles.UploadAsync(township.ImportWorkbook(), TemplateKind.Plan, T1, Year, file, dryRun: true));
        Assert.Equal(["kind"], kind.Fields());
    }
}
