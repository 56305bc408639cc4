using Rectify.Common.V1;

namespace Rectify.Documents.Workbooks;

/// <summary>What a cell holds, which decides its format, its drop-down or check in Excel, and how it is read back.</summary>
public enum CellKind
{
    /// <summary>One line of text.</summary>
    Text,
    /// <summary>Text that may run over several lines (problems, measures, findings); wrapped.</summary>
    LongText,
    /// <summary>A 12-digit unit code (统计用区划代码): formatted as text so Excel keeps every digit; a number is taken too.</summary>
    Code,
    Integer,
    /// <summary>A score: up to two decimals.</summary>
    Decimal,
    /// <summary>A real date cell; a date typed as text is refused (the column's check stops it in Excel).</summary>
    Date,
    /// <summary>One of <see cref="TemplateColumn.Choices"/>, from a drop-down.</summary>
    Choice,
    /// <summary>是 / 否 from a drop-down.</summary>
    YesNo,
}

/// <summary>
/// One column of a template sheet. <paramref name="Header"/> is printed and must come back unchanged;
/// <paramref name="Note"/> is what the instructions sheet says of it; <paramref name="Example"/> fills the sample row
/// of the instructions. Choices are the drop-down's values (a unit's villages, the county's categories …).
/// </summary>
public sealed record TemplateColumn(
    string Header,
    CellKind Kind,
    bool Required = true,
    double Width = 14,
    string Note = "",
    string Example = "",
    IReadOnlyList<string>? Choices = null,
    int MaxLength = 200);

public sealed record TemplateSheet(string Name, IReadOnlyList<TemplateColumn> Columns)
{
    public int IndexOf(string header)
    {
        for (var i = 0; i < Columns.Count; i++) if (Columns[i].Header == header) return i;
        throw new ArgumentException($"{Name} has no column {header}", nameof(header));
    }
}

/// <summary>
/// A template as people download it: an instructions sheet (填写说明) first, then the data sheets, each with its
/// header in row 1 and one row per record from row 2. The workbook carries its kind as a custom property, so a
/// file filled from another template is named as such when it is uploaded here.
/// </summary>
public sealed record WorkbookTemplate(TemplateKind Kind, IReadOnlyList<TemplateSheet> Sheets, IReadOnlyList<string> Instructions)
{
    /// <summary>Each kind's name as people call it, on the template, its file and in messages.</summary>
    public static string TitleOf(TemplateKind kind) => kind switch
    {
        TemplateKind.Units => "单位名单",
        TemplateKind.VillageProfiles => "村党组织基本情况",
        TemplateKind.Assignments => "四个一联系帮扶",
        TemplateKind.Assessments => "两评—调研结果",
        TemplateKind.Plan => "问题清单和整改措施",
        TemplateKind.PastTargets => "往年整顿对象及结果",
        _ => kind.ToString(),
    };

    public string Title => TitleOf(Kind);

    /// <summary>Rows a template offers with its checks and drop-downs (Excel applies them to these rows).</summary>
    public const int PreparedRows = 5000;
    /// <summary>More data rows than this in one sheet are refused: split the file.</summary>
    public const int MaxRows = 20_000;

    public const string InstructionsSheet = "填写说明";
    public const string ChoicesSheet = "选项";
    public const string KindProperty = "RectifyTemplate";

    public TemplateSheet Sheet(string name) => Sheets.Single(s => s.Name == name);

    /// <summary>Its file name, e.g. 于都县-问题清单和整改措施-模板.xlsx.</summary>
    public string FileName(string unitName) => FileChunks.SafeName($"{unitName}-{Title}-模板.xlsx");
}
