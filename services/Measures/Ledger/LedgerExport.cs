using Rectify.Common.V1;
using System.Globalization;
using System.Text;
using ClosedXML.Excel;
using Dapper;
using Rectify.Kernel;
using Rectify.Measures.Categories;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;

namespace Rectify.Measures.Ledger;

/// <summary>
/// The ledger (台账) of a unit as the county and township offices keep it: a
/// workbook with Chinese headers, or the same table as CSV (UTF-8 with BOM so
/// Excel opens it as Chinese text).
/// </summary>
public sealed class LedgerExport(Database<MeasuresModule> database, TimeProvider clock)
{
    public const int ChunkBytes = 64 * 1024;

    public static readonly string[] Headers =
        ["序号", "乡镇", "村(社区)", "整顿年度", "问题类别", "整改措施", "整改责任人", "完成时限", "长期坚持", "状态", "进度(%)", "是否逾期", "逾期天数", "回炉次数", "最近更新"];

    private sealed class LedgerLine
    {
        public string TownshipName { get; set; } = "";
        public string VillageCode { get; set; } = "";
        public string VillageName { get; set; } = "";
        public int CampaignYear { get; set; }
        public string? CategoryName { get; set; }
        public string CategoryCode { get; set; } = "";
        public string Description { get; set; } = "";
        public string ResponsiblePersons { get; set; } = "";
        public DateOnly Deadline { get; set; }
        public bool Ongoing { get; set; }
        public int Status { get; set; }
        public int Percent { get; set; }
        public int ReopenCount { get; set; }
        public DateTime UpdatedAt { get; set; }
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

    public async Task ExportAsync(Caller caller, ExportLedgerRequest request, Func<FileChunk, Task> write, CancellationToken ct)
    {
        var (scope, year, format) = ExportLedgerInput.Parse(request);
        caller.EnsureCanRead(scope);
        var today = clock.Today();
        var (low, high) = scope.SubtreeRange;
        var lines = await database.ReadAsync(async c => (await c.QueryAsync<LedgerLine>("""
            SELECT t.township_name AS TownshipName, m.village_code AS VillageCode, m.village_name AS VillageName, m.campaign_year AS CampaignYear,
                   m.category_code AS CategoryCode, m.description AS Description, m.responsible_persons AS ResponsiblePersons,
                   m.deadline AS Deadline, m.ongoing AS Ongoing, m.status AS Status, m."percent" AS "Percent",
                   m.reopen_count AS ReopenCount, m.updated_at AS UpdatedAt
            FROM measures m
            JOIN targets t ON t.village_code = m.village_code AND t.campaign_year = m.campaign_year
            JOIN problems p ON p.id = m.problem_id
            WHERE m.village_code >= @low AND m.village_code <= @high AND (@year = 0 OR m.campaign_year = @year)
            ORDER BY m.village_code, m.campaign_year, p.position, m.position
            """, new { low, high, year })).ToList(), ct);
        await NameCategoriesAsync(lines, ct);

        var table = lines.Select((line, i) => Cells(i + 1, line, today)).ToList();
        var csv = format == ExportFormat.Csv;
        var bytes = csv ? Csv(table) : Workbook(table, $"{scope.Value} 整顿台账");
        var fileName = $"整顿台账-{scope.Value}-{today:yyyyMMdd}.{(csv ? "csv" : "xlsx")}";
        var contentType = csv ? "text/csv; charset=utf-8" : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        for (var offset = 0; offset < bytes.Length || offset == 0; offset += ChunkBytes)
        {
            var chunk = new FileChunk { Data = Google.Protobuf.ByteString.CopyFrom(bytes, offset, Math.Min(ChunkBytes, bytes.Length - offset)) };
            if (offset == 0) { chunk.FileName = fileName; chunk.ContentType = contentType; }
            await write(chunk);
            if (bytes.Length == 0) break;
        }
    }

    /// <summary>Each line's category as its own county names it (counties may override the national names).</summary>
    private async Task NameCategoriesAsync(List<LedgerLine> lines, CancellationToken ct)
    {
        foreach (var county in lines.GroupBy(l => OrgCode.Parse(l.VillageCode).AncestorAt(Common.V1.OrgLevel.County)))
        {
            var names = await database.ReadAsync(async c => (await CategoryCatalog.EffectiveAsync(c, county.Key)).ToDictionary(e => e.Code, e => e.Name), ct);
            foreach (var line in county) line.CategoryName = names.GetValueOrDefault(line.CategoryCode);
        }
    }

    private static object[] Cells(int number, LedgerLine line, DateOnly today)
    {
        var status = (MeasureStatus)line.Status;
        var daysOverdue = MeasureRules.DaysOverdue(status, line.Deadline, today);
        return
        [
            number, line.TownshipName, line.VillageName, line.CampaignYear, line.CategoryName ?? line.CategoryCode, line.Description,
            string.Join("、", ResponsiblePersonList.Split(line.ResponsiblePersons)), line.Deadline, line.Ongoing ? "是" : "否",
            StatusName(status), line.Percent, daysOverdue > 0 ? "是" : "否", daysOverdue, line.ReopenCount,
            TimeZoneInfo.ConvertTime(new DateTimeOffset(line.UpdatedAt.AsUtc()), ShanghaiTime.Zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
        ];
    }

    private static byte[] Workbook(List<object[]> table, string title)
    {
        using var workbook = new XLWorkbook();
        var sheet = workbook.AddWorksheet("台账");
        for (var c = 0; c < Headers.Length; c++) sheet.Cell(1, c + 1).Value = Headers[c];
        var header = sheet.Range(1, 1, 1, Headers.Length);
        header.Style.Font.Bold = true;
        header.Style.Fill.BackgroundColor = XLColor.LightGray;
        for (var r = 0; r < table.Count; r++)
            for (var c = 0; c < Headers.Length; c++)
            {
                var cell = sheet.Cell(r + 2, c + 1);
                switch (table[r][c])
                {
                    case int n: cell.Value = n; break;
                    case DateOnly d: cell.Value = d.ToDateTime(TimeOnly.MinValue); cell.Style.DateFormat.Format = "yyyy-mm-dd"; break;
                    default: cell.Value = table[r][c]?.ToString() ?? ""; cell.DataType = XLDataType.Text; break;
                }
            }
        sheet.SheetView.FreezeRows(1);
        // Fixed widths: measuring text needs System.Drawing, which Linux servers lack.
        double[] widths = [6, 12, 12, 8, 22, 60, 18, 12, 8, 10, 8, 8, 8, 8, 16];
        for (var c = 0; c < widths.Length; c++) sheet.Column(c + 1).Width = widths[c];
        sheet.Column(6).Style.Alignment.WrapText = true;
        workbook.Properties.Title = title;
        using var stream = new MemoryStream();
        workbook.SaveAs(stream);
        return stream.ToArray();
    }

    private static byte[] Csv(List<object[]> table)
    {
        var text = new StringBuilder();
        text.AppendLine(string.Join(",", Headers.Select(Quote)));
        foreach (var row in table)
            text.AppendLine(string.Join(",", row.Select(cell => Quote(cell switch
            {
                DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => cell?.ToString() ?? "",
            }))));
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text.ToString())];
    }

    private static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;
}
