using System.Net.Http.Headers;
using System.Text;
using ClosedXML.Excel;
using Grpc.Core;
using Rectify.Gateway;
using Rectify.Kernel;
using Rectify.Measures;
using Rectify.Measures.Ledger;
using Rectify.Measures.V1;
using Rectify.Organizations;
using Rectify.Organizations.V1;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;
using static Rectify.Tests.Measures.MeasuresFixture;

namespace Rectify.Tests.Measures;

/// <summary>
/// The 台账 as the county clerk files it: a workbook with a summary sheet and a sheet per township, opened again
/// cell by cell; the same table as CSV. Organizations runs beside Measures: the county's name comes from it.
/// </summary>
public abstract class LedgerExportSpec(DbProvider provider) : IAsyncLifetime
{
    private const string Nation = "000000000000";
    private const string Unplanned = "360731103201";
    private TestHost _host = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await TestHost.StartAsync(provider, [new OrganizationsModule(), new MeasuresModule()],
            new Dictionary<string, string?> { ["Rectify:Measures:ScheduleScans"] = "false" });
        using (var call = _host.Organizations(Nation, Role.Service, "admin").ImportUnits())
        {
            var line = 1;
            foreach (var (code, name, parent) in new[] { ("360000000000", "江西省", ""), ("360700000000", "赣州市", "360000000000"), (County, "于都县", "360700000000") })
                await call.RequestStream.WriteAsync(new ImportUnitRow { Line = ++line, Code = code, Name = name, ParentCode = parent });
            await call.RequestStream.CompleteAsync();
            Assert.Empty((await call).Errors);
        }
        SetShanghai(_host, new DateTime(2027, 3, 1, 10, 0, 0));
        // 黄屋村 and 岭背镇's 中岭村 have no plan yet: the summary counts them all the same.
        await DesignateAsync(_host, (TargetA1, "上坪村", "铁山垅镇"), (TargetA2, "黄屋村", "铁山垅镇"), (TargetB1, "石门村", "盘古山镇"), (Unplanned, "中岭村", "岭背镇"));
        var planA = await _host.Measures(TownshipA).CreatePlanAsync(SimplePlan(TargetA1));
        await _host.Measures(TownshipB).CreatePlanAsync(SimplePlan(TargetB1));
        SetShanghai(_host, new DateTime(2027, 6, 3, 9, 0, 0));
        // 上坪村: progress noted on the cooperative; the road repaired, completed and closed by the county.
        var officer = _host.Measures(TownshipA);
        var cooperative = planA.Problems[0].Measures[0].Id;
        var road = planA.Problems[0].Measures[1].Id;
        await officer.RecordProgressAsync(new RecordProgressRequest { MeasureId = cooperative, Percent = 20, Note = "初步方案已拟定" });
        await officer.RecordProgressAsync(new RecordProgressRequest { MeasureId = cooperative, Percent = 40, Note = "已入股合作社5万元" });
        await officer.RecordProgressAsync(new RecordProgressRequest { MeasureId = road, Percent = 80, Note = "路基完成" });
        await officer.CompleteMeasureAsync(new CompleteMeasureRequest { MeasureId = road, Note = "道路硬化2公里完工" });
        await _host.Measures(County, Role.Reviewer).CloseMeasureAsync(new CloseMeasureRequest { MeasureId = road, Verifier = "王志明" });
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private async Task<(string FileName, string ContentType, byte[] Data)> Export(string scope, ExportFormat format, string caller = County)
    {
        using var call = _host.Measures(caller, Role.Viewer).ExportLedger(new ExportLedgerRequest { ScopeCode = scope, Format = format });
        var data = new MemoryStream();
        string? fileName = null, contentType = null;
        await foreach (var chunk in call.ResponseStream.ReadAllAsync())
        {
            fileName ??= chunk.FileName;
            contentType ??= chunk.ContentType;
            chunk.Data.WriteTo(data);
        }
        return (fileName!, contentType!, data.ToArray());
    }

    private static IEnumerable<string> Row(IXLWorksheet sheet, int row, int columns) => Enumerable.Range(1, columns).Select(c => sheet.Cell(row, c).GetString());

    [Fact]
    public async Task The_county_workbook_has_a_summary_equal_to_the_ledger_counts_and_a_sheet_per_township()
    {
        var (fileName, contentType, data) = await Export(County, ExportFormat.Xlsx);
        Assert.Equal("于都县整顿台账-20270603.xlsx", fileName);
        Assert.Contains("spreadsheetml", contentType);
        // Zipped by hand (LedgerWorkbook): the package must be one Excel takes, part by part, against the Office 2010 schema.
        using (var package = DocumentFormat.OpenXml.Packaging.SpreadsheetDocument.Open(new MemoryStream(data), false))
            Assert.Empty(new DocumentFormat.OpenXml.Validation.OpenXmlValidator(DocumentFormat.OpenXml.FileFormatVersions.Office2010).Validate(package)
                .Select(e => $"{e.Part?.Uri} {e.Path?.XPath}: {e.Description}"));
        using var workbook = new XLWorkbook(new MemoryStream(data));
        Assert.Equal(["汇总", "铁山垅镇", "盘古山镇"], workbook.Worksheets.Select(s => s.Name));

        var summary = workbook.Worksheet("汇总");
        Assert.Equal("于都县软弱涣散村党组织整顿台账（截至2027年6月3日）", summary.Cell(1, 1).GetString());
        Assert.Equal(LedgerExport.SummaryHeaders, Row(summary, 2, 8));
        // 整顿村数 is every target; 已制定方案 and the measures' figures are GetLedgerCounts'.
        Assert.Equal(["1", "铁山垅镇", "2", "1", "3", "0", "1", "1"], Row(summary, 3, 8));
        Assert.Equal(["2", "盘古山镇", "1", "1", "3", "0", "0", "1"], Row(summary, 4, 8));
        Assert.Equal(["3", "岭背镇", "1", "0", "0", "0", "0", "0"], Row(summary, 5, 8));
        var counts = await _host.Measures(County, Role.Viewer).GetLedgerCountsAsync(new GetLedgerCountsRequest { ScopeCode = County });
        Assert.Equal(["合计", "", "4", counts.Targets.Count.ToString(), counts.Total.Total.ToString(), counts.Total.Completed.ToString(), counts.Total.Closed.ToString(), counts.Total.Overdue.ToString()],
            Row(summary, 6, 8));
        Assert.Equal(["合计", "", "4", "2", "6", "0", "1", "2"], Row(summary, 6, 8));
        Assert.Equal(6, summary.LastRowUsed().RowNumber());

        var sheet = workbook.Worksheet("铁山垅镇");
        Assert.Equal("于都县铁山垅镇软弱涣散村党组织整顿台账（截至2027年6月3日）", sheet.Cell(1, 1).GetString());
        Assert.True(sheet.Range("A1:M1").IsMerged());
        Assert.Equal(LedgerExport.Headers, Row(sheet, 2, 13));
        Assert.Equal(5, sheet.LastRowUsed().RowNumber()); // title, header, 3 measures
        Assert.Equal(["1", "铁山垅镇", "上坪村", "村级集体经济薄弱、带富能力不强", "集体经济薄弱", "入股合作社发展产业", "刘文华、陈建国",
            "2027年9月30日前及长期坚持", "推进中", "已入股合作社5万元", "", "", ""], Row(sheet, 3, 13));
        Assert.Equal(["2", "铁山垅镇", "上坪村", "村级集体经济薄弱、带富能力不强", "集体经济薄弱", "整修产业路", "刘文华",
            "2027年6月30日前", "已销号", "道路硬化2公里完工", "2027年6月3日", "王志明", ""], Row(sheet, 4, 13));
        // 落实三会一课 was due 31 May: three days overdue on 3 June.
        Assert.Equal(("落实三会一课", "未开始", 3), (sheet.Cell(5, 6).GetString(), sheet.Cell(5, 9).GetString(), sheet.Cell(5, 13).GetValue<int>()));
        Assert.Equal(["1", "盘古山镇", "石门村"], Row(workbook.Worksheet("盘古山镇"), 3, 3));

        // Filed and printed: frozen title and header, borders and wrapped text, A4 landscape one page wide, both rows on every page.
        foreach (var each in workbook.Worksheets)
        {
            Assert.Equal(2, each.SheetView.SplitRow);
            Assert.Equal(XLPageOrientation.Landscape, each.PageSetup.PageOrientation);
            Assert.Equal(XLPaperSize.A4Paper, each.PageSetup.PaperSize);
            Assert.Equal((1, 0), (each.PageSetup.PagesWide, each.PageSetup.PagesTall));
            Assert.Equal((1, 2), (each.PageSetup.FirstRowToRepeatAtTop, each.PageSetup.LastRowToRepeatAtTop));
        }
        var cell = sheet.Cell(3, 6).Style;
        Assert.Equal((XLBorderStyleValues.Thin, XLBorderStyleValues.Thin, XLBorderStyleValues.Thin, XLBorderStyleValues.Thin),
            (cell.Border.LeftBorder, cell.Border.RightBorder, cell.Border.TopBorder, cell.Border.BottomBorder));
        Assert.True(cell.Alignment.WrapText);
        Assert.True(sheet.Cell(2, 1).Style.Font.Bold);
        Assert.True(sheet.Column(6).Width >= 20);
        Assert.True(sheet.Row(3).Height > 20, "a row whose text wraps is as tall as its lines");
    }

    [Fact]
    public async Task A_township_gets_its_sheet_and_a_summary_of_its_villages_and_a_village_one_sheet()
    {
        var (fileName, _, data) = await Export(TownshipA, ExportFormat.Xlsx, TownshipA);
        Assert.Equal("铁山垅镇整顿台账-20270603.xlsx", fileName);
        using (var workbook = new XLWorkbook(new MemoryStream(data)))
        {
            Assert.Equal(["汇总", "铁山垅镇"], workbook.Worksheets.Select(s => s.Name));
            var summary = workbook.Worksheet("汇总");
            Assert.Equal("铁山垅镇软弱涣散村党组织整顿台账（截至2027年6月3日）", summary.Cell(1, 1).GetString());
            Assert.Equal("村", summary.Cell(2, 2).GetString());
            Assert.Equal(["1", "上坪村", "1", "1", "3", "0", "1", "1"], Row(summary, 3, 8));
            Assert.Equal(["2", "黄屋村", "1", "0", "0", "0", "0", "0"], Row(summary, 4, 8));
            Assert.Equal(["合计", "", "2", "1", "3", "0", "1", "1"], Row(summary, 5, 8));
            Assert.Equal("铁山垅镇软弱涣散村党组织整顿台账（截至2027年6月3日）", workbook.Worksheet("铁山垅镇").Cell(1, 1).GetString());
        }
        (fileName, _, data) = await Export(TargetA1, ExportFormat.Xlsx, TownshipA);
        Assert.Equal("上坪村整顿台账-20270603.xlsx", fileName);
        using (var workbook = new XLWorkbook(new MemoryStream(data)))
        {
            var sheet = Assert.Single(workbook.Worksheets);
            Assert.Equal("上坪村", sheet.Name);
            Assert.Equal(5, sheet.LastRowUsed().RowNumber());
        }
    }

    [Fact]
    public async Task The_csv_opens_as_Chinese_text_and_stays_within_the_callers_units()
    {
        var (fileName, _, data) = await Export(TownshipA, ExportFormat.Csv, TownshipA);
        Assert.Equal("铁山垅镇整顿台账-20270603.csv", fileName);
        Assert.Equal(Encoding.UTF8.GetPreamble(), data[..3]);
        List<string> lines = [.. Encoding.UTF8.GetString(data[3..]).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r'))];
        Assert.Equal(string.Join(",", LedgerExport.Headers), lines[0]);
        Assert.Equal(4, lines.Count);
        Assert.All(lines.Skip(1), l => Assert.Contains("上坪村", l));
        Assert.Equal("2,铁山垅镇,上坪村,村级集体经济薄弱、带富能力不强,集体经济薄弱,整修产业路,刘文华,2027年6月30日前,已销号,道路硬化2公里完工,2027年6月3日,王志明,", lines[2]);

        await Rpc.Refused(StatusCode.PermissionDenied, async () =>
        {
            using var call = _host.Measures(TownshipA).ExportLedger(new ExportLedgerRequest { ScopeCode = TownshipB });
            await call.ResponseStream.MoveNext(CancellationToken.None);
        });
    }
}

public sealed class LedgerExportOnSqlite() : LedgerExportSpec(DbProvider.Sqlite);

public sealed class LedgerExportOnPostgres() : LedgerExportSpec(DbProvider.Postgres);
