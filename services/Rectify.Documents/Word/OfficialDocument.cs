using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace Rectify.Documents.Word;

/// <summary>
/// A Word document in the house style of a 公文 (GB/T 9704): A4 with 37/35/28/26 mm margins, the title in 小标宋 二号,
/// headings in 黑体 三号, second-level headings in 楷体, the body in 仿宋 三号 on a 28-pt grid with a two-character first-line
/// indent, bordered tables, 「— 1 —」 page numbers. Offices name their fonts as 仿宋_GB2312 and so on; each is declared in
/// the font table with the name the next machine is likelier to have, so Word and LibreOffice fall back to a Chinese face.
/// Write the parts in order, then <see cref="Dispose"/> saves the package.
/// </summary>
public sealed class OfficialDocument : IDisposable
{
    public const string TitleFont = "方正小标宋简体";
    public const string HeadingFont = "黑体";
    public const string SubHeadingFont = "楷体_GB2312";
    public const string BodyFont = "仿宋_GB2312";
    public const string PageNumberFont = "宋体";

    /// <summary>Each font and the one to use where it is missing (仿宋_GB2312 → 仿宋 → FangSong, and so on).</summary>
    public static readonly IReadOnlyList<(string Name, string AltName)> Fonts =
    [
        (TitleFont, "小标宋"), ("小标宋", "宋体"), (PageNumberFont, "SimSun"),
        (HeadingFont, "SimHei"),
        (SubHeadingFont, "楷体"), ("楷体", "KaiTi"),
        (BodyFont, "仿宋"), ("仿宋", "FangSong"),
    ];

    // Sizes in half-points: 二号 22 pt, 三号 16 pt, 四号 14 pt, 小四 12 pt.
    private const int Erhao = 44, Sanhao = 32, Sihao = 28, Xiaosi = 24;
    // Twips: A4 and the margins of GB/T 9704 (1 mm = 56.69 twips); the body's fixed 28-pt line.
    public const int PageWidth = 11906, PageHeight = 16838, MarginTop = 2098, MarginBottom = 1984, MarginLeft = 1587, MarginRight = 1474;
    public const int LineTwips = 560;
    public const int TextWidth = PageWidth - MarginLeft - MarginRight;

    private readonly WordprocessingDocument _package;
    private readonly Body _body;

    private OfficialDocument(Stream stream, string title, string author)
    {
        _package = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document);
        _package.PackageProperties.Title = title;
        _package.PackageProperties.Creator = author;
        _package.PackageProperties.Language = "zh-CN";
        var main = _package.AddMainDocumentPart();
        AddStyles(main);
        AddFontTable(main);
        var footer = main.AddNewPart<FooterPart>();
        footer.Footer = PageNumberFooter();
        _body = new Body();
        main.Document = new Document(_body);
        _footerId = main.GetIdOfPart(footer);
    }

    private readonly string _footerId;

    /// <summary>A new document on <paramref name="stream"/> (seekable): its title and author (the unit) go into its properties.</summary>
    public static OfficialDocument Create(Stream stream, string title, string author) => new(stream, title, author);

    /// <summary>The title: 小标宋 二号, centred, with a blank line after it.</summary>
    public void Title(string text)
    {
        _body.Append(Para(text, TitleFont, Erhao, justify: JustificationValues.Center, lineTwips: 700));
        Blank();
    }

    /// <summary>A line under the title, centred in 楷体 (the unit and date of a 通报, a report's status).</summary>
    public void Subtitle(string text) => _body.Append(Para(text, SubHeadingFont, Sanhao, justify: JustificationValues.Center));

    /// <summary>A first-level heading (一、…): 黑体 三号, indented two characters like the body.</summary>
    public void Heading(string text) => _body.Append(Para(text, HeadingFont, Sanhao, indent: true, keepNext: true));

    /// <summary>A second-level heading (（一）… or 问题一：…): 楷体 三号.</summary>
    public void SubHeading(string text) => _body.Append(Para(text, SubHeadingFont, Sanhao, indent: true, keepNext: true));

    /// <summary>Body text: 仿宋 三号, first line indented two characters, 28-pt lines.</summary>
    public void Paragraph(string text) => _body.Append(Para(text, BodyFont, Sanhao, indent: true));

    /// <summary>Body text with a lead in bold (整改责任人：…).</summary>
    public void LabelledParagraph(string label, string text)
    {
        var paragraph = Para(label, BodyFont, Sanhao, indent: true);
        paragraph.GetFirstChild<Run>()!.RunProperties!.Append(new Bold(), new BoldComplexScript());
        paragraph.Append(TextRun(text, BodyFont, Sanhao));
        _body.Append(paragraph);
    }

    /// <summary>A line to the right, as a signature or a date (落款).</summary>
    public void Signature(string text) => _body.Append(Para(text, BodyFont, Sanhao, justify: JustificationValues.Right));

    public void Blank() => _body.Append(Para("", BodyFont, Sanhao));

    /// <summary>
    /// A bordered table across the text width: the header row in 黑体 repeated on each printed page, the cells in
    /// 仿宋 小四; <paramref name="widths"/> are relative column widths.
    /// </summary>
    public void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, IReadOnlyList<int> widths)
    {
        var total = widths.Sum();
        var twips = widths.Select(w => TextWidth * w / total).ToList();
        var table = new Table(new TableProperties(
            new TableWidth { Width = TextWidth.ToString(), Type = TableWidthUnitValues.Dxa },
            new TableLayout { Type = TableLayoutValues.Fixed },
            new TableBorders(Line<TopBorder>(), Line<LeftBorder>(), Line<BottomBorder>(), Line<RightBorder>(),
                Line<InsideHorizontalBorder>(), Line<InsideVerticalBorder>()),
            new TableCellMarginDefault(new TopMargin { Width = "40", Type = TableWidthUnitValues.Dxa }, new TableCellLeftMargin { Width = 80, Type = TableWidthValues.Dxa },
                new BottomMargin { Width = "40", Type = TableWidthUnitValues.Dxa }, new TableCellRightMargin { Width = 80, Type = TableWidthValues.Dxa })),
            new TableGrid(twips.Select(w => new GridColumn { Width = w.ToString() })));
        table.Append(Row(headers, twips, header: true));
        foreach (var row in rows) table.Append(Row(row, twips, header: false));
        _body.Append(table);
    }

    private static T Line<T>() where T : BorderType, new() => new() { Val = BorderValues.Single, Size = 4 };

    private static TableRow Row(IReadOnlyList<string> cells, List<int> twips, bool header)
    {
        var row = new TableRow();
        // A row stays on one page; the header row is repeated on each.
        row.Append(header ? new TableRowProperties(new CantSplit(), new TableHeader()) : new TableRowProperties(new CantSplit()));
        for (var i = 0; i < twips.Count; i++)
        {
            var text = i < cells.Count ? cells[i] : "";
            var paragraph = Para(text, header ? HeadingFont : BodyFont, Xiaosi, justify: header ? JustificationValues.Center : JustificationValues.Left, lineTwips: 0);
            row.Append(new TableCell(new TableCellProperties(
                new TableCellWidth { Width = twips[i].ToString(), Type = TableWidthUnitValues.Dxa },
                new TableCellVerticalAlignment { Val = TableVerticalAlignmentValues.Center }), paragraph));
        }
        return row;
    }

    /// <summary>One paragraph, each line of <paramref name="text"/> a break; <paramref name="lineTwips"/> 0 for single spacing (in tables).</summary>
    private static Paragraph Para(string text, string font, int halfPoints, JustificationValues? justify = null, bool indent = false, int lineTwips = LineTwips, bool keepNext = false)
    {
        var properties = new ParagraphProperties();
        if (keepNext) properties.Append(new KeepNext());
        // Table text is single-spaced: off the body's 28-pt grid, which would stretch every line of a cell.
        if (lineTwips == 0) properties.Append(new SnapToGrid { Val = false });
        properties.Append(lineTwips > 0
            ? new SpacingBetweenLines { Before = "0", After = "0", Line = lineTwips.ToString(), LineRule = LineSpacingRuleValues.Exact }
            : new SpacingBetweenLines { Before = "0", After = "0", Line = "240", LineRule = LineSpacingRuleValues.Auto });
        // Two characters of the paragraph's own size: 200 hundredths of a character, and the twips for readers that ignore that.
        if (indent) properties.Append(new Indentation { FirstLineChars = 200, FirstLine = (halfPoints * 20).ToString() });
        properties.Append(new Justification { Val = justify ?? JustificationValues.Both });
        return new Paragraph(properties, TextRun(text, font, halfPoints));
    }

    private static Run TextRun(string text, string font, int halfPoints)
    {
        var run = new Run(RunFormat(font, halfPoints));
        var lines = text.Replace("\r\n", "\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (i > 0) run.Append(new Break());
            run.Append(new Text(lines[i]) { Space = SpaceProcessingModeValues.Preserve });
        }
        return run;
    }

    private static RunProperties RunFormat(string font, int halfPoints) => new(
        new RunFonts { Ascii = font, HighAnsi = font, EastAsia = font, ComplexScript = font, Hint = FontTypeHintValues.EastAsia },
        new FontSize { Val = halfPoints.ToString() }, new FontSizeComplexScript { Val = halfPoints.ToString() },
        new Languages { Val = "zh-CN", EastAsia = "zh-CN" });

    /// <summary>「— 1 —」 centred in 宋体 四号: a PAGE field between two dashes.</summary>
    private static Footer PageNumberFooter()
    {
        var paragraph = new Paragraph(new ParagraphProperties(new Justification { Val = JustificationValues.Center }),
            new Run(RunFormat(PageNumberFont, Sihao), new Text("— ") { Space = SpaceProcessingModeValues.Preserve }),
            new Run(RunFormat(PageNumberFont, Sihao), new FieldChar { FieldCharType = FieldCharValues.Begin }),
            new Run(RunFormat(PageNumberFont, Sihao), new FieldCode(" PAGE ") { Space = SpaceProcessingModeValues.Preserve }),
            new Run(RunFormat(PageNumberFont, Sihao), new FieldChar { FieldCharType = FieldCharValues.Separate }),
            new Run(RunFormat(PageNumberFont, Sihao), new Text("1")),
            new Run(RunFormat(PageNumberFont, Sihao), new FieldChar { FieldCharType = FieldCharValues.End }),
            new Run(RunFormat(PageNumberFont, Sihao), new Text(" —") { Space = SpaceProcessingModeValues.Preserve }));
        return new Footer(paragraph);
    }

    private static void AddStyles(MainDocumentPart main)
    {
        var styles = main.AddNewPart<StyleDefinitionsPart>();
        styles.Styles = new Styles(
            new DocDefaults(
                new RunPropertiesDefault(new RunPropertiesBaseStyle(
                    new RunFonts { Ascii = BodyFont, HighAnsi = BodyFont, EastAsia = BodyFont, ComplexScript = BodyFont },
                    new FontSize { Val = Sanhao.ToString() }, new FontSizeComplexScript { Val = Sanhao.ToString() },
                    new Languages { Val = "zh-CN", EastAsia = "zh-CN" })),
                new ParagraphPropertiesDefault(new ParagraphPropertiesBaseStyle(
                    new SpacingBetweenLines { Before = "0", After = "0", Line = LineTwips.ToString(), LineRule = LineSpacingRuleValues.Exact }))),
            new Style(new StyleName { Val = "Normal" }, new PrimaryStyle()) { Type = StyleValues.Paragraph, StyleId = "Normal", Default = true },
            new Style(new StyleName { Val = "Normal Table" }, new PrimaryStyle()) { Type = StyleValues.Table, StyleId = "TableNormal", Default = true });
    }

    private static void AddFontTable(MainDocumentPart main)
    {
        var part = main.AddNewPart<FontTablePart>();
        // Charset 86 is GB2312: a renderer without the face picks a Chinese one rather than boxes.
        part.Fonts = new Fonts(Fonts.Select(f => new Font(
            new AltName { Val = f.AltName },
            new FontCharSet { Val = "86" },
            new FontFamily { Val = f.Name == HeadingFont ? FontFamilyValues.Modern : FontFamilyValues.Roman },
            new Pitch { Val = FontPitchValues.Variable }) { Name = f.Name }));
    }

    private void Finish()
    {
        _body.Append(new SectionProperties(
            new FooterReference { Type = HeaderFooterValues.Default, Id = _footerId },
            new PageSize { Width = PageWidth, Height = PageHeight },
            new PageMargin { Top = MarginTop, Bottom = MarginBottom, Left = MarginLeft, Right = MarginRight, Header = 851, Footer = 992, Gutter = 0 },
            new DocGrid { Type = DocGridValues.Lines, LinePitch = LineTwips }));
        _package.MainDocumentPart!.Document.Save();
    }

    private bool _finished;

    /// <summary>Closes the section (page size, margins, footer) and saves the package.</summary>
    public void Dispose()
    {
        if (!_finished) { _finished = true; Finish(); }
        _package.Dispose();
    }
}
