using System.Globalization;
using System.Text;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Rectify.Common.V1;
using Rectify.Documents;
using Rectify.Kernel;
using Rectify.Measures.Categories;
using Rectify.Measures.V1;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;

namespace Rectify.Measures.Ledger;

/// <summary>
/// The ledger (台账) of a unit as the county clerk files it: a workbook with a summary sheet (汇总, one row per
/// township or village and a 合计 equal to GetLedgerCounts) and one sheet per township, or the same table as CSV
/// (UTF-8 with BOM so Excel opens it as Chinese text). Rows are read unbuffered and written as they come into a
/// temporary file, then streamed: memory stays flat for a whole county.
/// </summary>
public sealed class LedgerExport(Database<MeasuresModule> database, LedgerQueries queries,
    OrganizationService.OrganizationServiceClient organizations, TimeProvider clock, ILogger<LedgerExport> log)
{
    public static readonly string[] Headers =
        ["序号", "乡镇", "村", "问题类别", "问题表现", "整改措施", "责任人", "完成时限", "状态", "最新进展", "销号日期", "销号人", "逾期天数"];

    // Wide enough for the usual text; the rest wraps. Fixed: measuring text needs fonts Linux servers lack.
    private static readonly double[] Widths = [5, 9, 9, 16, 24, 28, 10, 14, 8, 24, 13, 8, 8];

    public static readonly string[] SummaryHeaders = ["序号", "乡镇", "整顿村数", "已制定方案", "整改措施数", "已完成(待销号)", "已销号", "逾期"];
    private static readonly double[] SummaryWidths = [6, 20, 12, 12, 12, 16, 12, 12];

    private sealed class LedgerLine
    {
        public string MeasureId { get; set; } = "";
        public string TownshipName { get; set; } = "";
        public string VillageCode { get; set; } = "";
        public string VillageName { get; set; } = "";
        public string CategoryCode { get; set; } = "";
        public string Problem { get; set; } = "";
        public string Description { get; set; } = "";
        public string ResponsiblePersons { get; set; } = "";
        public DateOnly Deadline { get; set; }
        public bool Ongoing { get; set; }
        public int Status { get; set; }
        public string? LatestNote { get; set; }
        public DateOnly? ClosedOn { get; set; }
        public string? Verifier { get; set; }
    }

    public static string StatusName(MeasureStatus status) => status switch
    {
        MeasureStatus.NotStarted => "未开始",
        MeasureStatus.InProgress => "推进中",
        MeasureStatus.Completed => "已完成",
        MeasureStatus.Closed => "已销号",
        MeasureStatus.Reopened => "回炉整改",
        _ => "",
    };

    /// <summary>2026年11月25日, as the county's documents write a date.</summary>
    public static string DateZh(DateOnly day) => $"{day.Year}年{day.Month}月{day.Day}日";

    public static string Title(string unitName, DateOnly today) => $"{unitName}软弱涣散村党组织整顿台账（截至{DateZh(today)}）";

    public async Task ExportAsync(Caller caller, ExportLedgerRequest request, Func<FileChunk, Task> write, CancellationToken ct)
    {
        var (scope, year, format) = ExportLedgerInput.Parse(request);
        caller.EnsureCanRead(scope);
        var today = clock.Today();
        // The summary is GetLedgerCounts itself, so its 合计 and the county's dashboard never disagree.
        var counts = scope.Level == OrgLevel.Village ? null
            : await queries.CountsAsync(caller, new GetLedgerCountsRequest { ScopeCode = scope.Value, CampaignYear = year }, ct);
        // Every target counts in the summary, a township whose villages have no plan yet too (GetLedgerCounts sees plans only).
        var targets = counts is null ? [] : await TargetsAsync(scope, year, ct);
        var unitName = await UnitNameAsync(scope, ct);
        var categories = await CategoryNamesAsync(scope, ct);
        var csv = format == ExportFormat.Csv;
        var fileName = FileChunks.Name(unitName, "整顿台账", today, csv ? "csv" : "xlsx");
        if (csv)
            await FileChunks.SendBuiltAsync((file, token) => WriteCsvAsync(file, scope, year, categories, today, token), fileName, "text/csv; charset=utf-8", write, ct);
        else
            await FileChunks.SendBuiltAsync((file, token) => WriteWorkbookAsync(file, scope, year, unitName, counts, targets, categories, today, token), fileName, FileChunks.Xlsx, write, ct);
    }

    private async Task WriteWorkbookAsync(Stream file, OrgCode scope, int year, string unitName, LedgerCounts? counts, IReadOnlyList<TargetName> targets,
        Dictionary<(string County, string Code), string> categories, DateOnly today, CancellationToken ct)
    {
        using var workbook = new LedgerWorkbook(file);
        if (counts is not null) WriteSummary(workbook, scope, unitName, counts, targets, today);
        var sheetTownship = "";
        var number = 0;
        await ReadLinesAsync(scope, year, line =>
        {
            var township = OrgCode.Parse(line.VillageCode).AncestorAt(OrgLevel.Township).Value;
            if (township != sheetTownship)
            {
                sheetTownship = township;
                number = 0;
                // A township's sheet is titled with the county before it (于都县铁山垅镇…) when the scope is above the township.
                var sheetUnit = scope.Level < OrgLevel.Township ? unitName + line.TownshipName : unitName;
                workbook.BeginSheet(scope.Level == OrgLevel.Village ? unitName : line.TownshipName, Title(sheetUnit, today), Headers, Widths);
            }
            workbook.Row(Cells(++number, line, categories, today));
        }, ct);
        if (counts is null && number == 0) workbook.BeginSheet(unitName, Title(unitName, today), Headers, Widths); // a village with no measures yet
        workbook.Finish();
    }

    /// <summary>
    /// 汇总: one row per child unit (townships of a county, villages of a township) with a target, planned or not, and the
    /// 合计; the measures' figures are GetLedgerCounts itself, so they never disagree with the dashboard.
    /// </summary>
    private static void WriteSummary(LedgerWorkbook workbook, OrgCode scope, string unitName, LedgerCounts counts, IReadOnlyList<TargetName> targets, DateOnly today)
    {
        var childLevel = scope.IsNation ? OrgLevel.Province : scope.Level + 1;
        string ChildOf(string village) => OrgCode.Parse(village).AncestorAt(childLevel).Value;
        string[] headers = [.. SummaryHeaders];
        headers[1] = childLevel switch { OrgLevel.Village => "村", OrgLevel.Township => "乡镇", OrgLevel.County => "县(市、区)", OrgLevel.City => "市", _ => "省" };
        workbook.BeginSheet("汇总", Title(unitName, today), headers, SummaryWidths);
        var measured = counts.Children.ToDictionary(c => c.Code);
        var named = targets.GroupBy(t => ChildOf(t.VillageCode)).ToDictionary(g => g.Key, g => g.ToList());
        var number = 0;
        foreach (var child in measured.Keys.Union(named.Keys).Order(StringComparer.Ordinal))
        {
            var inChild = named.GetValueOrDefault(child) ?? [];
            var name = measured.TryGetValue(child, out var m) ? m.Name
                : childLevel == OrgLevel.Township ? inChild[0].TownshipName : childLevel == OrgLevel.Village ? inChild[0].VillageName : child;
            var figures = m?.Counts ?? new Counts();
            var planned = counts.Targets.Count(t => ChildOf(t.VillageCode) == child);
            workbook.Row([++number, name, inChild.Count, planned, figures.Total, figures.Completed, figures.Closed, figures.Overdue]);
        }
        var total = counts.Total;
        workbook.TotalRow(["合计", null, targets.Count, counts.Targets.Count, total.Total, total.Completed, total.Closed, total.Overdue]);
    }

    public sealed record TargetName(string VillageCode, string VillageName, string TownshipName);

    private Task<IReadOnlyList<TargetName>> TargetsAsync(OrgCode scope, int year, CancellationToken ct)
    {
        var (low, high) = scope.SubtreeRange;
        return database.ReadAsync(async c => (IReadOnlyList<TargetName>)(await c.QueryAsync<TargetName>("""
            SELECT village_code AS VillageCode, village_name AS VillageName, township_name AS TownshipName FROM targets
            WHERE village_code >= @low AND village_code <= @high AND (@year = 0 OR campaign_year = @year)
            """, new { low, high, year })).ToList(), ct);
    }

    private async Task WriteCsvAsync(Stream file, OrgCode scope, int year, Dictionary<(string County, string Code), string> categories, DateOnly today, CancellationToken ct)
    {
        // UTF-8 with its BOM: Excel then opens the file as Chinese text.
        await using var text = new StreamWriter(file, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), 64 * 1024, leaveOpen: true);
        await text.WriteLineAsync(string.Join(",", Headers.Select(Quote)));
        var number = 0;
        await ReadLinesAsync(scope, year, line =>
            text.WriteLine(string.Join(",", Cells(++number, line, categories, today).Select(cell => Quote(cell switch
            {
                int n => n.ToString(CultureInfo.InvariantCulture),
                _ => cell?.ToString() ?? "",
            })))), ct);
    }

    /// <summary>Every measure of the subtree in the order of the ledger (township, village, problem, measure), one at a time.</summary>
    private Task ReadLinesAsync(OrgCode scope, int year, Action<LedgerLine> each, CancellationToken ct)
    {
        var (low, high) = scope.SubtreeRange;
        return database.ReadAsync(async c =>
        {
            // The latest note of progress or completion, and the close record while the measure stays closed:
            // each the newest matching history row, found by the (measure_id, id) index.
            await foreach (var line in c.QueryUnbufferedAsync<LedgerLine>($"""
                SELECT m.id AS MeasureId, t.township_name AS TownshipName, m.village_code AS VillageCode, m.village_name AS VillageName,
                       m.category_code AS CategoryCode, p.description AS Problem, m.description AS Description,
                       m.responsible_persons AS ResponsiblePersons, m.deadline AS Deadline, m.ongoing AS Ongoing, m.status AS Status,
                       n.note AS LatestNote, k.on_date AS ClosedOn, k.verifier AS Verifier
                FROM measures m
                JOIN targets t ON t.village_code = m.village_code AND t.campaign_year = m.campaign_year
                JOIN problems p ON p.id = m.problem_id
                LEFT JOIN measure_changes n ON n.id = (SELECT MAX(x.id) FROM measure_changes x WHERE x.measure_id = m.id
                    AND x.kind IN ({(int)MeasureChangeKind.Progressed}, {(int)MeasureChangeKind.Completed}) AND x.note IS NOT NULL AND x.note <> '')
                LEFT JOIN measure_changes k ON m.status = {(int)MeasureStatus.Closed} AND k.id = (SELECT MAX(y.id) FROM measure_changes y
                    WHERE y.measure_id = m.id AND y.kind = {(int)MeasureChangeKind.Closed})
                WHERE m.village_code >= @low AND m.village_code <= @high AND (@year = 0 OR m.campaign_year = @year)
                ORDER BY m.village_code, m.campaign_year, p.position, m.position
                """, new { low, high, year }))
            {
                ct.ThrowIfCancellationRequested();
                each(line);
            }
            return true;
        }, ct);
    }

    private static object?[] Cells(int number, LedgerLine line, Dictionary<(string County, string Code), string> categories, DateOnly today)
    {
        var status = (MeasureStatus)line.Status;
        var daysOverdue = MeasureRules.DaysOverdue(status, line.Deadline, today);
        var county = OrgCode.Parse(line.VillageCode).AncestorAt(OrgLevel.County).Value;
        return
        [
            number, line.TownshipName, line.VillageName, categories.GetValueOrDefault((county, line.CategoryCode)) ?? line.CategoryCode,
            line.Problem, line.Description, string.Join("、", ResponsiblePersonList.Split(line.ResponsiblePersons)),
            DateZh(line.Deadline) + (line.Ongoing ? "前及长期坚持" : "前"),
            StatusName(status), line.LatestNote ?? "", line.ClosedOn is { } closed ? DateZh(closed) : "", line.Verifier ?? "",
            daysOverdue > 0 ? daysOverdue : null,
        ];
    }

    /// <summary>Each category as its own county names it (counties may override the national names): read before the rows.</summary>
    private async Task<Dictionary<(string County, string Code), string>> CategoryNamesAsync(OrgCode scope, CancellationToken ct)
    {
        var (low, high) = scope.SubtreeRange;
        return await database.ReadAsync(async c =>
        {
            var counties = scope.Level >= OrgLevel.County ? [scope.AncestorAt(OrgLevel.County).Value]
                : (await c.QueryAsync<string>("SELECT DISTINCT county_code FROM targets WHERE village_code >= @low AND village_code <= @high", new { low, high })).ToList();
            var names = new Dictionary<(string, string), string>();
            foreach (var county in counties)
                foreach (var category in await CategoryCatalog.EffectiveAsync(c, OrgCode.Parse(county)))
                    names[(county, category.Code)] = category.Name;
            return names;
        }, ct);
    }

    /// <summary>
    /// The scope's name for the title and the file: a township or village as the designations named it (the targets
    /// table); a county or above from the organizations service, which keeps the names of units.
    /// </summary>
    private async Task<string> UnitNameAsync(OrgCode scope, CancellationToken ct)
    {
        if (scope.Level >= OrgLevel.Township)
        {
            var (low, high) = scope.SubtreeRange;
            var names = await database.ReadAsync(async c => (await c.QueryAsync<(string Village, string Township)>(
                "SELECT village_name, township_name FROM targets WHERE village_code >= @low AND village_code <= @high ORDER BY campaign_year DESC",
                new { low, high })).FirstOrDefault(), ct);
            if (names.Township is not null) return scope.Level == OrgLevel.Village ? names.Village : names.Township;
        }
        try
        {
            return (await organizations.GetUnitAsync(new GetUnitRequest { Code = scope.Value }, cancellationToken: ct)).Name;
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Unimplemented)
        {
            // The ledger is the county's own record: without the name it still goes out, titled with the code.
            log.LogWarning("The ledger of {Scope} is titled with its code: its name could not be read ({Status})", scope.Value, e.StatusCode);
            return scope.Value;
        }
    }

    private static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;
}
