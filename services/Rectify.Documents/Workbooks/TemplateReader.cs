using System.Globalization;
using ClosedXML.Excel;
using Rectify.Common.V1;
using Rectify.Documents.Uploads;

namespace Rectify.Documents.Workbooks;

/// <summary>
/// Reads a filled template back, finding every problem at once and placing each by sheet, row and column: a file
/// that is not a safe workbook is refused outright (<see cref="FileCheck"/>); a workbook of another template, a
/// renamed sheet or a changed header, merged cells, formulas, dates typed as text, values outside a drop-down, a
/// missing required value are problems of the import. Cells with a problem read as empty.
/// </summary>
public static class TemplateReader
{
    /// <summary>The rows of each data sheet, by sheet name (a sheet that cannot be read has none).</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<TemplateRow>> Read(Stream file, WorkbookTemplate template, ImportProblems problems)
    {
        FileCheck.EnsureWorkbook(file);
        using var workbook = Open(file);
        var rows = template.Sheets.ToDictionary(s => s.Name, _ => (IReadOnlyList<TemplateRow>)[]);
        if (workbook.CustomProperties.Any(p => p.Name == WorkbookTemplate.KindProperty))
        {
            var kind = workbook.CustomProperty(WorkbookTemplate.KindProperty).GetValue<string>();
            if (kind != template.Kind.ToString())
            {
                var title = Enum.TryParse<TemplateKind>(kind, out var other) ? $"「{WorkbookTemplate.TitleOf(other)}」模板" : "其他模板";
                problems.Add("", 0, "", "", $"这是{title}，不是「{template.Title}」模板：请下载「{template.Title}」模板填写后再导入。");
                return rows;
            }
        }
        foreach (var spec in template.Sheets)
        {
            if (!workbook.TryGetWorksheet(spec.Name, out var sheet))
            {
                var names = string.Join("、", workbook.Worksheets.Select(w => $"「{w.Name}」"));
                problems.Add(spec.Name, 0, "", "", $"找不到工作表「{spec.Name}」（文件中只有{names}）：工作表不能改名或删除，请使用下载的「{template.Title}」模板。");
                continue;
            }
            rows[spec.Name] = ReadSheet(sheet, spec, problems);
        }
        return rows;
    }

    private static XLWorkbook Open(Stream file)
    {
        try
        {
            return new XLWorkbook(file);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw FileCheck.Refuse("工作簿无法读取（文件已损坏、加密或不是Excel保存的格式）：请在Excel中打开后另存为Excel工作簿(.xlsx)，再导入。");
        }
    }

    private static List<TemplateRow> ReadSheet(IXLWorksheet sheet, TemplateSheet spec, ImportProblems problems)
    {
        var headersRight = true;
        for (var c = 0; c < spec.Columns.Count; c++)
        {
            var found = Clean(sheet.Cell(1, c + 1).GetString());
            if (found == spec.Columns[c].Header) continue;
            headersRight = false;
            problems.Add(spec.Name, 1, spec.Columns[c].Header, ImportProblems.CellName(c, 1),
                found.Length == 0 ? $"表头应为「{spec.Columns[c].Header}」，此处为空：表头不能修改，请使用下载的模板。"
                                  : $"表头应为「{spec.Columns[c].Header}」，实为「{found}」：表头不能修改，请使用下载的模板。");
        }
        if (!headersRight) return [];

        var merged = false;
        foreach (var range in sheet.MergedRanges.Where(r => r.RangeAddress.LastAddress.RowNumber >= 2))
        {
            merged = true;
            var first = range.RangeAddress.FirstAddress;
            var column = first.ColumnNumber <= spec.Columns.Count ? spec.Columns[first.ColumnNumber - 1].Header : "";
            problems.Add(spec.Name, first.RowNumber, column, range.RangeAddress.ToString() ?? "",
                $"{range.RangeAddress}是合并单元格：每行都要填写完整，请取消合并后逐行填写。");
        }
        if (merged) return [];

        var last = sheet.LastRowUsed()?.RowNumber() ?? 1;
        var rows = new List<TemplateRow>();
        for (var r = 2; r <= last; r++)
        {
            var cells = Enumerable.Range(1, spec.Columns.Count).Select(c => sheet.Cell(r, c)).ToArray();
            if (cells.All(c => !c.HasFormula && string.IsNullOrWhiteSpace(c.GetString()))) continue;
            if (rows.Count == WorkbookTemplate.MaxRows)
            {
                problems.Add(spec.Name, r, "", "", $"数据超过{WorkbookTemplate.MaxRows}行：请按乡镇或村分成几个文件分别导入。");
                break;
            }
            var values = new object?[spec.Columns.Count];
            for (var c = 0; c < spec.Columns.Count; c++)
            {
                var (value, reason) = ReadCell(cells[c], spec.Columns[c]);
                values[c] = value;
                if (reason is not null) problems.Add(spec.Name, r, spec.Columns[c].Header, ImportProblems.CellName(c, r), reason);
            }
            rows.Add(new TemplateRow(spec, r, values));
        }
        return rows;
    }

    /// <summary>A header as typed: spaces, line breaks and a required-mark asterisk do not count.</summary>
    private static string Clean(string text) => string.Concat(text.Where(ch => !char.IsWhiteSpace(ch) && ch != '*' && ch != '＊'));

    private static (object? Value, string? Reason) ReadCell(IXLCell cell, TemplateColumn column)
    {
        if (cell.HasFormula) return (null, "是公式，不能导入：请复制后「选择性粘贴—数值」，再导入。");
        var text = cell.GetString().Trim();
        if (text.Length == 0) return (null, column.Required ? "必填，不能为空。" : null);
        var number = cell.DataType == XLDataType.Number ? cell.GetDouble() : (double?)null;
        switch (column.Kind)
        {
            case CellKind.Text:
            case CellKind.LongText:
                if (number is { } n) text = n.ToString(CultureInfo.InvariantCulture);
                return text.Length > column.MaxLength ? (null, $"超过{column.MaxLength}字（现有{text.Length}字）。") : (text, null);
            case CellKind.Code:
                if (number is { } digits && digits == Math.Floor(digits)) text = digits.ToString("F0", CultureInfo.InvariantCulture);
                return text.Length == 12 && text.All(char.IsAsciiDigit) ? (text, null) : (null, $"“{text}”不是12位数字的统计用区划代码。");
            case CellKind.Integer:
                if (number is { } whole && whole == Math.Floor(whole) && Math.Abs(whole) <= int.MaxValue) return ((int)whole, null);
                return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? (parsed, null) : (null, $"“{text}”不是整数。");
            case CellKind.Decimal:
                decimal value;
                if (number is { } real) value = (decimal)real;
                else if (!decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out value)) return (null, $"“{text}”不是数字。");
                return decimal.Round(value, 2) == value ? (value, null) : (null, $"“{text}”最多两位小数。");
            case CellKind.Date:
                if (cell.DataType == XLDataType.DateTime) return (DateOnly.FromDateTime(cell.GetDateTime()), null);
                // A serial number in a cell formatted as General is still Excel's date.
                if (number is { } serial && serial == Math.Floor(serial) && serial is > 36526 and < 73051) return (DateOnly.FromDateTime(DateTime.FromOADate(serial)), null);
                return (null, text.Contains("长期坚持")
                    ? $"“{text}”是文字，不是日期：「{column.Header}」请填日期（如 2026-12-31）；需要长期坚持的措施在「长期坚持」列选“是”。"
                    : $"“{text}”是文字，不是日期：请输入日期（如 2026-12-31），不要输入文字。");
            case CellKind.YesNo:
                return text switch { "是" => (true, null), "否" => (false, null), _ => (null, $"“{text}”应为“是”或“否”（请从下拉列表中选择）。") };
            case CellKind.Choice:
                var choices = column.Choices ?? [];
                if (choices.Contains(text)) return (text, null);
                var offered = string.Join("、", choices.Take(8)) + (choices.Count > 8 ? $"等{choices.Count}项" : "");
                return (null, $"“{text}”不在下拉列表中：请从列表中选择（{offered}）。");
            default:
                return (text, null);
        }
    }
}
