using ClosedXML.Excel;

namespace Rectify.Documents.Workbooks;

/// <summary>
/// Writes a blank template: the instructions sheet (what to fill, column by column, with an example), then each data
/// sheet with its header frozen, required headers in red, codes formatted as text, and Excel's own checks on the
/// prepared rows (drop-downs from a hidden 选项 sheet, real dates, whole numbers), each with a Chinese message.
/// </summary>
public static class TemplateWriter
{
    /// <summary>The blank template for the unit, sent as a file named after it (e.g. 于都县-单位名单-模板.xlsx).</summary>
    public static Task SendAsync(WorkbookTemplate template, string unitName, Func<Common.V1.FileChunk, Task> write, CancellationToken ct) =>
        FileChunks.SendBuiltAsync(stream => Write(template, unitName, stream), template.FileName(unitName), FileChunks.Xlsx, write, ct);

    public static void Write(WorkbookTemplate template, string unitName, Stream output)
    {
        using var workbook = new XLWorkbook();
        workbook.Properties.Title = $"{unitName} {template.Title}模板";
        workbook.CustomProperties.Add(WorkbookTemplate.KindProperty, template.Kind.ToString());
        WriteInstructions(workbook.AddWorksheet(WorkbookTemplate.InstructionsSheet), template, unitName);
        var choices = workbook.AddWorksheet(WorkbookTemplate.ChoicesSheet);
        var choiceColumn = 0;
        foreach (var spec in template.Sheets)
        {
            var sheet = workbook.AddWorksheet(spec.Name);
            for (var c = 0; c < spec.Columns.Count; c++)
            {
                var column = spec.Columns[c];
                // Formats on the whole column, not per cell: 5,000 styled empty cells would make every upload slow to read.
                sheet.Column(c + 1).Width = column.Width;
                Prepare(sheet.Column(c + 1), sheet.Range(2, c + 1, WorkbookTemplate.PreparedRows + 1, c + 1), column, choices, ref choiceColumn);
                var header = sheet.Cell(1, c + 1);
                header.Value = column.Header;
                header.Style.NumberFormat.Format = "General";
                header.Style.Alignment.WrapText = false;
                header.Style.Font.Bold = true;
                header.Style.Font.FontColor = column.Required ? XLColor.FromHtml("#C00000") : XLColor.Black;
                header.Style.Fill.BackgroundColor = XLColor.FromHtml("#F2F2F2");
                header.Style.Border.OutsideBorder = XLBorderStyleValues.Thin;
                header.Style.Alignment.Horizontal = XLAlignmentHorizontalValues.Center;
            }
            sheet.SheetView.FreezeRows(1);
            PrintFitted(sheet);
            sheet.PageSetup.SetRowsToRepeatAtTop(1, 1);
        }
        choices.Visibility = XLWorksheetVisibility.Hidden;
        workbook.Worksheet(template.Sheets[0].Name).SetTabActive();
        workbook.SaveAs(output);
    }

    private static void Prepare(IXLColumn all, IXLRange body, TemplateColumn column, IXLWorksheet choices, ref int choiceColumn)
    {
        switch (column.Kind)
        {
            case CellKind.Code:
                all.Style.NumberFormat.Format = "@";
                var code = body.SetDataValidation();
                code.TextLength.EqualTo(12);
                Explain(code, column, "请填写12位统计用区划代码，例如 360731103201。");
                break;
            case CellKind.LongText:
                all.Style.Alignment.WrapText = true;
                all.Style.NumberFormat.Format = "@";
                break;
            case CellKind.Text:
                all.Style.NumberFormat.Format = "@";
                break;
            case CellKind.Date:
                all.Style.NumberFormat.Format = "yyyy-mm-dd";
                var date = body.SetDataValidation();
                date.Date.Between(new DateTime(2000, 1, 1), new DateTime(2099, 12, 31));
                Explain(date, column, "请填写日期，例如 2026-12-31（不要输入文字）。");
                break;
            case CellKind.Integer:
                var integer = body.SetDataValidation();
                integer.WholeNumber.Between(0, 1_000_000);
                Explain(integer, column, "请填写整数。");
                break;
            case CellKind.Decimal:
                var number = body.SetDataValidation();
                number.Decimal.Between(0, 1000);
                Explain(number, column, "请填写数字（最多两位小数）。");
                break;
            case CellKind.Choice:
            case CellKind.YesNo:
                var values = column.Kind == CellKind.YesNo ? ["是", "否"] : column.Choices ?? [];
                // Lists live on the hidden 选项 sheet: an inline list is limited to 255 characters.
                choiceColumn++;
                choices.Cell(1, choiceColumn).Value = column.Header;
                for (var i = 0; i < values.Count; i++) choices.Cell(i + 2, choiceColumn).SetValue(values[i]);
                var list = body.SetDataValidation();
                list.List(choices.Range(2, choiceColumn, Math.Max(2, values.Count + 1), choiceColumn));
                Explain(list, column, "请从下拉列表中选择。");
                break;
        }
    }

    private static void Explain(IXLDataValidation check, TemplateColumn column, string message)
    {
        check.IgnoreBlanks = true;
        check.ErrorStyle = XLErrorStyle.Stop;
        check.ErrorTitle = column.Header;
        check.ErrorMessage = message;
        check.ShowErrorMessage = true;
    }

    private static void WriteInstructions(IXLWorksheet sheet, WorkbookTemplate template, string unitName)
    {
        sheet.Cell(1, 1).Value = $"{unitName}{template.Title}（模板）填写说明";
        sheet.Cell(1, 1).Style.Font.Bold = true;
        sheet.Cell(1, 1).Style.Font.FontSize = 14;
        var row = 3;
        var lines = template.Instructions.Concat(
        [
            "表头（第1行）和工作表名称不能修改；红色表头为必填项。每行填写一条记录，不要合并单元格，不要使用公式。",
            "日期请输入真正的日期（如 2026-12-31），代码请填写12位统计用区划代码。",
            "先在系统中「试导入」检查，系统会逐行指出问题所在的工作表、行、列和原因；改正后再正式导入。同一文件重复导入不会产生重复数据。",
        ]).ToList();
        for (var i = 0; i < lines.Count; i++, row++)
        {
            sheet.Cell(row, 1).Value = $"{i + 1}.";
            sheet.Cell(row, 2).Value = lines[i];
            sheet.Range(row, 2, row, 5).Merge().Style.Alignment.WrapText = true;
            sheet.Row(row).Height = 30;
        }
        foreach (var spec in template.Sheets)
        {
            row++;
            sheet.Cell(row, 1).Value = $"工作表「{spec.Name}」";
            sheet.Cell(row, 1).Style.Font.Bold = true;
            row++;
            string[] heads = ["列", "列名", "必填", "说明", "示例"];
            for (var c = 0; c < heads.Length; c++) sheet.Cell(row, c + 1).Value = heads[c];
            sheet.Range(row, 1, row, heads.Length).Style.Font.Bold = true;
            sheet.Range(row, 1, row, heads.Length).Style.Fill.BackgroundColor = XLColor.FromHtml("#F2F2F2");
            var top = row;
            for (var c = 0; c < spec.Columns.Count; c++)
            {
                var column = spec.Columns[c];
                row++;
                sheet.Cell(row, 1).Value = ImportProblems.ColumnLetter(c + 1);
                sheet.Cell(row, 2).Value = column.Header;
                sheet.Cell(row, 3).Value = column.Required ? "是" : "否";
                sheet.Cell(row, 4).Value = column.Note;
                sheet.Cell(row, 5).SetValue(column.Example);
            }
            var table = sheet.Range(top, 1, row, 5);
            table.Style.Border.InsideBorder = XLBorderStyleValues.Thin;
            table.Style.Border.OutsideBorder = XLBorderStyleValues.Thin;
            table.Style.Alignment.WrapText = true;
            table.Style.Alignment.Vertical = XLAlignmentVerticalValues.Top;
            row++;
        }
        double[] widths = [8, 18, 8, 60, 30];
        for (var c = 0; c < widths.Length; c++) sheet.Column(c + 1).Width = widths[c];
        PrintFitted(sheet);
    }

    /// <summary>Printed on A4 landscape, one page wide, as offices print their forms.</summary>
    private static void PrintFitted(IXLWorksheet sheet)
    {
        sheet.PageSetup.PaperSize = XLPaperSize.A4Paper;
        sheet.PageSetup.PageOrientation = XLPageOrientation.Landscape;
        sheet.PageSetup.FitToPages(1, 0);
    }
}
