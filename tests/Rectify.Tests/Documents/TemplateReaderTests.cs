using System.IO.Compression;
using ClosedXML.Excel;
using Rectify.Common.V1;
using Rectify.Documents.Uploads;
using Rectify.Documents.Workbooks;
using Rectify.Platform.Errors;
using Rectify.Tests.Support;

namespace Rectify.Tests.Documents;

/// <summary>
/// The template library on its own: a template written, filled the way a clerk fills it in Excel, and read back;
/// each thing people do wrong to a workbook is a problem placed by sheet, row and column, in Chinese.
/// </summary>
public sealed class TemplateReaderTests
{
    private static readonly WorkbookTemplate Template = new(TemplateKind.Plan,
    [
        new TemplateSheet("整改措施",
        [
            new TemplateColumn("村代码", CellKind.Code),
            new TemplateColumn("整改措施", CellKind.LongText, MaxLength: 20),
            new TemplateColumn("责任人数", CellKind.Integer, Required: false),
            new TemplateColumn("得分", CellKind.Decimal, Required: false),
            new TemplateColumn("完成时限", CellKind.Date),
            new TemplateColumn("长期坚持", CellKind.YesNo, Required: false),
            new TemplateColumn("问题类别", CellKind.Choice, Choices: ["班子不团结", "制度不落实"]),
        ]),
    ], ["每条措施一行。"]);

    private static MemoryStream Blank()
    {
        var file = new MemoryStream();
        TemplateWriter.Write(Template, "于都县", file);
        file.Position = 0;
        return file;
    }

    /// <summary>The blank template, filled by <paramref name="fill"/> as a clerk would in Excel.</summary>
    private static MemoryStream Filled(Action<IXLWorksheet> fill, Action<XLWorkbook>? more = null)
    {
        using var workbook = new XLWorkbook(Blank());
        var sheet = workbook.Worksheet("整改措施");
        fill(sheet);
        more?.Invoke(workbook);
        var file = new MemoryStream();
        workbook.SaveAs(file);
        file.Position = 0;
        return file;
    }

    private static void GoodRow(IXLWorksheet sheet, int row)
    {
        sheet.Cell(row, 1).SetValue("360731103201");
        sheet.Cell(row, 2).SetValue("每月召开一次支委会");
        sheet.Cell(row, 3).SetValue(2);
        sheet.Cell(row, 4).SetValue(87.5);
        sheet.Cell(row, 5).SetValue(new DateTime(2026, 12, 31));
        sheet.Cell(row, 6).SetValue("是");
        sheet.Cell(row, 7).SetValue("制度不落实");
    }

    private static (IReadOnlyList<TemplateRow> Rows, ImportProblems Problems) Read(Stream file)
    {
        var problems = new ImportProblems();
        var rows = TemplateReader.Read(file, Template, problems);
        return (rows["整改措施"], problems);
    }

    [Fact]
    public void The_blank_template_has_its_instructions_first_its_kind_and_checks_on_the_cells()
    {
        using var workbook = new XLWorkbook(Blank());
        Assert.Equal(["填写说明", "选项", "整改措施"], workbook.Worksheets.Select(w => w.Name));
        Assert.Equal(XLWorksheetVisibility.Hidden, workbook.Worksheet("选项").Visibility);
        Assert.Equal("Plan", workbook.CustomProperty(WorkbookTemplate.KindProperty).GetValue<string>());
        var sheet = workbook.Worksheet("整改措施");
        Assert.Equal("完成时限", sheet.Cell(1, 5).GetString());
        Assert.Equal("@", sheet.Cell(2, 1).Style.NumberFormat.Format);
        Assert.Contains(sheet.DataValidations, v => v.AllowedValues == XLAllowedValues.Date && v.Ranges.Any(r => r.RangeAddress.FirstAddress.ColumnNumber == 5));
        Assert.Contains(sheet.DataValidations, v => v.AllowedValues == XLAllowedValues.List && v.Ranges.Any(r => r.RangeAddress.FirstAddress.ColumnNumber == 7));
        Assert.Contains("每条措施一行", workbook.Worksheet("填写说明").Cell(3, 2).GetString());
    }

    [Fact]
    public async Task The_template_prints_on_A4_landscape_one_page_wide_with_its_header_repeated()
    {
        var bytes = Blank().ToArray();
        using (var workbook = new XLWorkbook(new MemoryStream(bytes)))
            foreach (var name in new[] { "填写说明", "整改措施" })
            {
                var setup = workbook.Worksheet(name).PageSetup;
                Assert.Equal((XLPaperSize.A4Paper, XLPageOrientation.Landscape, 1, 0), (setup.PaperSize, setup.PageOrientation, setup.PagesWide, setup.PagesTall));
            }
        // Looked at by people: artifacts/documents/template-page-*.png.
        var (_, pages) = await Office.RenderAsync("template.xlsx", bytes);
        Assert.NotEmpty(pages);
    }

    [Fact]
    public void A_filled_row_reads_back_typed_and_a_code_typed_as_a_number_keeps_its_digits()
    {
        var (rows, problems) = Read(Filled(sheet =>
        {
            GoodRow(sheet, 2);
            GoodRow(sheet, 4); // a blank row between is skipped, not an error
            sheet.Cell(4, 1).SetValue(360731103202d);
        }));
        Assert.False(problems.Any, string.Join("; ", problems.Items.Select(p => p.Reason)));
        Assert.Equal([2, 4], rows.Select(r => r.Number));
        var row = rows[0];
        Assert.Equal("360731103201", row.Text("村代码"));
        Assert.Equal(2, row.Int("责任人数"));
        Assert.Equal(87.5m, row.Decimal("得分"));
        Assert.Equal(new DateOnly(2026, 12, 31), row.Date("完成时限"));
        Assert.True(row.YesNo("长期坚持"));
        Assert.Equal("制度不落实", row.Text("问题类别"));
        Assert.Equal("360731103202", rows[1].Text("村代码"));
    }

    [Fact]
    public void Every_cell_problem_is_placed_by_sheet_row_column_and_cell_in_Chinese()
    {
        var (_, problems) = Read(Filled(sheet =>
        {
            GoodRow(sheet, 2);
            sheet.Cell(2, 5).SetValue("2026年12月前及长期坚持"); // a date typed as text
            GoodRow(sheet, 3);
            sheet.Cell(3, 7).SetValue("其他"); // outside the drop-down
            sheet.Cell(3, 2).SetValue("");      // required, empty
            GoodRow(sheet, 4);
            sheet.Cell(4, 3).FormulaA1 = "1+1"; // a formula
            sheet.Cell(4, 4).SetValue(1.234);   // three decimals
            sheet.Cell(4, 1).SetValue("3607311032");
            sheet.Cell(4, 2).SetValue(new string('措', 21));
        }));
        var found = problems.Items.Select(p => (p.Sheet, p.Row, p.Column, p.Cell)).ToList();
        Assert.Equal(
        [
            ("整改措施", 2, "完成时限", "E2"), ("整改措施", 3, "整改措施", "B3"), ("整改措施", 3, "问题类别", "G3"),
            ("整改措施", 4, "村代码", "A4"), ("整改措施", 4, "整改措施", "B4"), ("整改措施", 4, "责任人数", "C4"), ("整改措施", 4, "得分", "D4"),
        ], found);
        Assert.Contains("长期坚持", problems.Items[0].Reason);
        Assert.Contains("是文字，不是日期", problems.Items[0].Reason);
        Assert.Contains("不在下拉列表中", problems.Items[2].Reason);
        Assert.Contains("公式", problems.Items[5].Reason);
        var refusal = Assert.Throws<ValidationException>(problems.ThrowIfAny);
        Assert.Contains(refusal.Violations, v => v.Field == "整改措施!E2" && v.Description.StartsWith("工作表「整改措施」第2行「完成时限」：", StringComparison.Ordinal));
    }

    [Fact]
    public void A_renamed_sheet_a_changed_header_merged_cells_and_another_template_are_each_named()
    {
        var (_, renamed) = Read(Filled(sheet => { GoodRow(sheet, 2); sheet.Name = "Sheet1"; }));
        Assert.Contains("找不到工作表「整改措施」", Assert.Single(renamed.Items).Reason);

        var (_, header) = Read(Filled(sheet => { GoodRow(sheet, 2); sheet.Cell(1, 5).SetValue("截止日期"); }));
        var changed = Assert.Single(header.Items);
        Assert.Equal(("整改措施", 1, "E1"), (changed.Sheet, changed.Row, changed.Cell));
        Assert.Contains("实为「截止日期」", changed.Reason);

        var (_, merged) = Read(Filled(sheet => { GoodRow(sheet, 2); GoodRow(sheet, 3); sheet.Range("G2:G3").Merge(); }));
        Assert.Contains("合并单元格", Assert.Single(merged.Items).Reason);

        var (_, other) = Read(Filled(sheet => GoodRow(sheet, 2), workbook => workbook.CustomProperty(WorkbookTemplate.KindProperty).Value = "Units"));
        Assert.Contains("这是「单位名单」模板，不是「问题清单和整改措施」模板", Assert.Single(other.Items).Reason);
    }

    [Theory]
    [InlineData("pdf", "PDF")]
    [InlineData("csv", "CSV")]
    [InlineData("xls", "旧版Excel")]
    [InlineData("docx", "Word文档")]
    [InlineData("zip", "压缩包")]
    [InlineData("random", "无法识别")]
    [InlineData("damaged", "已损坏")]
    public void A_file_that_is_not_a_workbook_is_refused_by_its_bytes_whatever_its_name(string kind, string said)
    {
        byte[] bytes = kind switch
        {
            "pdf" => "%PDF-1.7\n..."u8.ToArray(),
            "csv" => "单位代码,单位名称\n360731000000,于都县\n"u8.ToArray(),
            "xls" => [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0],
            "docx" => Zip(("word/document.xml", 100)),
            "zip" => Zip(("readme.txt", 100)),
            "random" => [0x00, 0x01, 0x02, 0xFF, 0x7F],
            _ => [.. Blank().ToArray().Take(2000)],
        };
        var refusal = Assert.Throws<ValidationException>(() => Read(new MemoryStream(bytes)));
        Assert.Equal("file", Assert.Single(refusal.Violations).Field);
        Assert.Contains(said, refusal.Violations[0].Description);
    }

    [Fact]
    public void A_zip_bomb_is_refused_before_any_parser_reads_it()
    {
        // 300 MB of zeros deflates to about 300 KB: a small upload that would fill memory if parsed.
        var bomb = Zip(("[Content_Types].xml", 10), ("xl/workbook.xml", 10), ("xl/worksheets/sheet1.xml", 300L * 1024 * 1024));
        Assert.True(bomb.Length < UploadedFile.MaxBytes);
        var refusal = Assert.Throws<ValidationException>(() => Read(new MemoryStream(bomb)));
        Assert.Contains("压缩炸弹", refusal.Violations[0].Description);
    }

    private static byte[] Zip(params (string Name, long Bytes)[] parts)
    {
        var file = new MemoryStream();
        using (var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, bytes) in parts)
            {
                using var part = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
                var zeros = new byte[1024 * 1024];
                for (var left = bytes; left > 0; left -= zeros.Length) part.Write(zeros, 0, (int)Math.Min(zeros.Length, left));
            }
        return file.ToArray();
    }
}
