namespace Rectify.Documents.Workbooks;

/// <summary>One data row read from a template sheet, its cells already typed by their column's kind (a cell with a problem reads as empty).</summary>
public sealed class TemplateRow(TemplateSheet sheet, int number, object?[] values)
{
    public TemplateSheet Sheet { get; } = sheet;
    /// <summary>The row's number as Excel shows it.</summary>
    public int Number { get; } = number;

    private object? Value(string header) => values[Sheet.IndexOf(header)];

    public string? Text(string header) => Value(header) as string;
    public int? Int(string header) => Value(header) as int?;
    public decimal? Decimal(string header) => Value(header) as decimal?;
    public DateOnly? Date(string header) => Value(header) as DateOnly?;
    public bool? YesNo(string header) => Value(header) as bool?;
}
