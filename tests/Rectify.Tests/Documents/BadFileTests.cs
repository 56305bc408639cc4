using System.IO.Compression;
using System.Text;
using ClosedXML.Excel;
using Grpc.Core;
using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Organizations.V1;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;
using static Rectify.Tests.Documents.OrganizationDocuments;

namespace Rectify.Tests.Documents;

/// <summary>
/// The bad files of issue 14, each uploaded as a real import (not a dry run) through real gRPC: each gives a clear
/// Chinese reason — placed by sheet, row and column where it has a place — and writes nothing.
/// </summary>
public sealed class BadFileTests : IAsyncLifetime
{
    private const string Nation = "000000000000", Province = "360000000000", City = "360700000000", County = "360731000000";
    private const string Township = "360731101000", OtherTownship = "360731102000";
    private const string Village = "360731101201", OtherVillage = "360731102201";

    private TestHost _host = null!;
    private OrganizationService.OrganizationServiceClient _county = null!;
    private byte[] _units = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await TestHost.StartAsync(DbProvider.Sqlite);
        _county = _host.Organizations(County, Role.Officer, "county-clerk");
        using var call = _host.Organizations(Nation, Role.Service, "system").ImportUnits();
        var line = 0;
        foreach (var (code, name, parent) in new[]
        {
            (Province, "江西省", ""), (City, "赣州市", Province), (County, "于都县", City), (Township, "铁山垅镇", County),
            (OtherTownship, "盘古山镇", County), (Village, "上坪村", Township), (OtherVillage, "石门村", OtherTownship),
        })
            await call.RequestStream.WriteAsync(new ImportUnitRow { Line = ++line, Code = code, Name = name, ParentCode = parent });
        await call.RequestStream.CompleteAsync();
        Assert.Empty((await call).Errors);
        _units = (await TemplateAsync(_county, TemplateKind.Units, County)).Bytes;
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    /// <summary>The import is refused with InvalidArgument and writes nothing; answers the violations' descriptions.</summary>
    private async Task<string> Refused(TemplateKind kind, byte[] file, string scope = County, string fileName = "导入.xlsx",
        OrganizationService.OrganizationServiceClient? client = null)
    {
        var before = await OrganizationsSnapshot.TakeAsync(_host);
        var e = await Assert.ThrowsAsync<RpcException>(() => ImportAsync(client ?? _county, kind, scope, file, fileName: fileName));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(before, await OrganizationsSnapshot.TakeAsync(_host));
        var details = e.GetRpcStatus()?.GetDetail<Google.Rpc.BadRequest>()?.FieldViolations.Select(v => $"{v.Field} {v.Description}") ?? [];
        return string.Join("\n", details);
    }

    private byte[] Units(params object?[][] rows) => Fill(_units, "单位名单", rows);

    [Fact]
    public async Task A_profiles_workbook_uploaded_as_units_is_named_as_what_it_is()
    {
        var profiles = (await TemplateAsync(_county, TemplateKind.VillageProfiles, County)).Bytes;
        var reason = await Refused(TemplateKind.Units, Fill(profiles, "村党组织基本情况", [Village("上坪村", Village), 2026, "党支部"]));
        Assert.Contains("这是「村党组织基本情况」模板，不是「单位名单」模板", reason);
    }

    [Fact]
    public async Task A_renamed_sheet_merged_cells_and_a_formula_are_each_placed()
    {
        var renamed = Edit(Units(["360731101299", "新建村", ""]), book => book.Worksheet("单位名单").Name = "Sheet1");
        Assert.Contains("找不到工作表「单位名单」", await Refused(TemplateKind.Units, renamed));

        var merged = Edit(Units(["360731101298", "合并村", ""], ["360731101297", "", ""]), book => book.Worksheet("单位名单").Range("B2:B3").Merge());
        var mergedReason = await Refused(TemplateKind.Units, merged);
        Assert.Contains("单位名单!B2:B3", mergedReason);
        Assert.Contains("合并单元格", mergedReason);

        var formula = Edit(Units(["360731101296", "", ""]), book => book.Worksheet("单位名单").Cell("B2").FormulaA1 = "=\"公式\"&\"村\"");
        var formulaReason = await Refused(TemplateKind.Units, formula);
        Assert.Contains("单位名单!B2", formulaReason);
        Assert.Contains("是公式", formulaReason);
    }

    [Fact]
    public async Task A_date_typed_as_text_is_placed_in_its_cell()
    {
        var template = (await TemplateAsync(_county, TemplateKind.Assignments, County, DateTime.UtcNow.Year)).Bytes;
        var file = Fill(template, "四个一联系帮扶", [Village("上坪村", Village), DateTime.UtcNow.Year, "第一书记", "张某某", null, null, "三月一日"]);
        var reason = await Refused(TemplateKind.Assignments, file);
        Assert.Contains("四个一联系帮扶!G2", reason);
        Assert.Contains("“三月一日”是文字，不是日期", reason);
    }

    [Fact]
    public async Task A_20_MB_file_is_refused_at_the_10_MB_limit()
    {
        var big = new byte[20 * 1024 * 1024];
        "PK\x03\x04"u8.CopyTo(big);
        Assert.Contains("文件超过10 MB", await Refused(TemplateKind.Units, big));
    }

    [Fact]
    public async Task A_zip_bomb_is_refused_before_any_parser_sees_it()
    {
        using var bomb = new MemoryStream();
        using (var zip = new ZipArchive(bomb, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var writer = new StreamWriter(zip.CreateEntry("xl/workbook.xml").Open())) writer.Write("<workbook/>");
            using var zeros = zip.CreateEntry("xl/worksheets/sheet1.xml", CompressionLevel.SmallestSize).Open();
            var block = new byte[1024 * 1024];
            for (var i = 0; i < 300; i++) zeros.Write(block);
        }
        Assert.True(bomb.Length < 2 * 1024 * 1024, $"the bomb is {bomb.Length} bytes");
        Assert.Contains("压缩炸弹", await Refused(TemplateKind.Units, bomb.ToArray()));
    }

    [Fact]
    public async Task Files_that_are_not_workbooks_are_named_as_what_they_are()
    {
        Assert.Contains("PDF文件", await Refused(TemplateKind.Units, Encoding.ASCII.GetBytes("%PDF-1.7\n%âãÏÓ\n1 0 obj\n"), fileName: "名单.xlsx"));
        Assert.Contains("不是Excel工作簿", await Refused(TemplateKind.Units, [0x00, 0x01, 0x02, 0xFF, 0xFE, 0x13, 0x37, 0x00, 0x42], fileName: "名单.xlsx"));
        using var docx = new MemoryStream();
        using (var zip = new ZipArchive(docx, ZipArchiveMode.Create, leaveOpen: true))
        using (var writer = new StreamWriter(zip.CreateEntry("word/document.xml").Open())) writer.Write("<w:document/>");
        Assert.Contains("这是Word文档", await Refused(TemplateKind.Units, docx.ToArray(), fileName: "名单.docx"));
    }

    [Fact]
    public async Task Csv_for_units_gbk_or_with_a_chinese_header_is_taken_and_an_undecodable_one_or_one_for_profiles_is_refused()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var gbk = Encoding.GetEncoding("GBK").GetBytes("360731103000,贡江镇,360731000000\r\n360731103201,长征村,\r\n");
        var report = await ImportAsync(_county, TemplateKind.Units, County, gbk, fileName: "单位.csv");
        Assert.Equal((2, 2), (report.Rows, report.Added));
        Assert.Equal("贡江镇", (await _county.GetUnitAsync(new GetUnitRequest { Code = "360731103000" })).Name);

        var headed = Encoding.UTF8.GetBytes("\uFEFF单位代码,单位名称,上级单位代码\n360731103202,红旗村,360731103000\n");
        var second = await ImportAsync(_county, TemplateKind.Units, County, headed, fileName: "单位.csv");
        Assert.Equal((1, 1), (second.Rows, second.Added));
        Assert.Equal("红旗村", (await _county.GetUnitAsync(new GetUnitRequest { Code = "360731103202" })).Name);

        byte[] neither = [.. "360731103203,"u8, 0xFF, 0xFE, 0xFF, 0x80, .. ",\n"u8];
        Assert.Contains("既不是UTF-8也不是GBK编码", await Refused(TemplateKind.Units, neither, fileName: "单位.csv"));
        Assert.Contains("这是文本(CSV)文件", await Refused(TemplateKind.VillageProfiles, Encoding.UTF8.GetBytes("村,年度\n上坪村,2026\n"), fileName: "基本情况.csv"));
    }

    [Fact]
    public async Task Row_problems_are_each_placed_by_sheet_row_and_column_and_nothing_is_written()
    {
        var file = Units(
            ["360731109201", "无上级村", ""],
            ["360731101205", "好村", ""],
            ["360731101205", "又一好村", ""],
            [OtherVillage, "石门新村", ""]);
        var township = _host.Organizations(Township, Role.Officer, "township-clerk");
        var dry = await ImportAsync(township, TemplateKind.Units, Township, file, dryRun: true);
        Assert.Contains(dry.Problems, p => p.Row == 2 && p.Sheet == "单位名单" && p.Column == "单位代码" && p.Reason.Contains("不在360731101000以下"));
        Assert.Contains(dry.Problems, p => p.Row == 4 && p.Cell == "A4" && p.Reason.Contains("与第3行的单位代码重复"));
        Assert.Contains(dry.Problems, p => p.Row == 5 && p.Column == "单位代码" && p.Reason.Contains("不在360731101000以下"));
        Assert.StartsWith("共4行，发现3处问题", dry.Summary);

        var reason = await Refused(TemplateKind.Units, Units(["360731109201", "无上级村", ""], ["360731101205", "好村", ""]));
        Assert.Contains("单位名单!C2", reason);
        Assert.Contains("上级单位360731109000既未登记", reason);
        Assert.Throws<RpcException>(() => _county.GetUnit(new GetUnitRequest { Code = "360731101205" }));
    }
}
