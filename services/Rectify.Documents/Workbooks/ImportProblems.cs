using Rectify.Common.V1;
using Rectify.Platform.Errors;

namespace Rectify.Documents.Workbooks;

/// <summary>
/// Every problem an import found, each placed where a person finds it in Excel (sheet, row, column header, cell), in
/// Chinese. An import with any of them writes nothing: <see cref="Report"/> answers a dry run, <see cref="ThrowIfAny"/>
/// refuses the real one with the same problems as field violations ("整改措施!F12").
/// </summary>
public sealed class ImportProblems
{
    private readonly List<ImportProblem> _items = [];

    public bool Any => _items.Count > 0;
    public int Count => _items.Count;
    public IReadOnlyList<ImportProblem> Items => _items;

    public void Add(string sheet, int row, string column, string cell, string reason) =>
        _items.Add(new ImportProblem { Sheet = sheet, Row = row, Column = column, Cell = cell, Reason = reason });

    /// <summary>A problem of a whole row (a duplicate, a unit outside the caller's subtree …).</summary>
    public void Add(TemplateRow row, string reason) => Add(row.Sheet.Name, row.Number, "", "", reason);

    /// <summary>A problem of one cell of a row.</summary>
    public void Add(TemplateRow row, string header, string reason)
    {
        var column = row.Sheet.IndexOf(header);
        Add(row.Sheet.Name, row.Number, header, CellName(column, row.Number), reason);
    }

    public static string CellName(int column, int row) => ColumnLetter(column + 1) + row;

    public static string ColumnLetter(int number)
    {
        var name = "";
        for (; number > 0; number = (number - 1) / 26) name = (char)('A' + (number - 1) % 26) + name;
        return name;
    }

    public void ThrowIfAny()
    {
        if (!Any) return;
        throw new ValidationException(_items.Select(p => new FieldViolation(Field(p), Place(p) + p.Reason)).ToList());
    }

    /// <summary>
    /// The one form of every import's answer: with problems, they and nothing written; else what a dry run would write
    /// or what was written, counted by row, with a Chinese summary line.
    /// </summary>
    public ImportReport Report(bool dryRun, int rows, int added = 0, int changed = 0, int unchanged = 0)
    {
        var report = new ImportReport { DryRun = dryRun, Rows = rows, Problems = { _items } };
        if (Any)
        {
            report.Summary = $"共{rows}行，发现{_items.Count}处问题，未导入任何数据：请改正后重新上传。";
            return report;
        }
        (report.Added, report.Changed, report.Unchanged, report.Applied) = (added, changed, unchanged, !dryRun && added + changed > 0);
        report.Summary = dryRun ? $"共{rows}行，检查通过：可新增{added}，修改{changed}，未变{unchanged}。" : $"共{rows}行：新增{added}，修改{changed}，未变{unchanged}。";
        return report;
    }

    private static string Field(ImportProblem p) => p.Cell.Length > 0 ? $"{p.Sheet}!{p.Cell}" : p.Row > 0 ? $"{p.Sheet}!{p.Row}" : p.Sheet.Length > 0 ? p.Sheet : "file";

    /// <summary>"工作表「整改措施」第12行「完成时限」：" as a person reads the place.</summary>
    public static string Place(ImportProblem p) =>
        (p.Sheet.Length > 0 ? $"工作表「{p.Sheet}」" : "") + (p.Row > 0 ? $"第{p.Row}行" : "") + (p.Column.Length > 0 ? $"「{p.Column}」" : "") + (p.Sheet.Length > 0 ? "：" : "");
}
