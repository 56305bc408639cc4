using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Rectify.Measures.Ledger;

/// <summary>
/// The 台账 workbook written row by row with the Open XML SDK's <see cref="OpenXmlWriter"/> (SAX): each sheet goes to
/// its part as its rows arrive, so memory stays flat however many measures a county has. Every sheet has a title row
/// merged across the table, a header row, both frozen and printed on every page, thin borders and wrapped text, and
/// prints on A4 landscape, one page wide.
/// </summary>
public sealed class LedgerWorkbook : IDisposable
{
    // Cell styles (indexes into CellFormats below).
    private const uint TitleStyle = 1, HeaderStyle = 2, TextStyle = 3, CentredStyle = 4, TotalStyle = 5;

    private readonly SpreadsheetDocument _document;
    private readonly List<(string Name, string PartId)> _sheets = [];
    private readonly HashSet<string> _names = new(StringComparer.OrdinalIgnoreCase);
    private OpenXmlWriter? _writer;
    private int _columns, _row;
    private IReadOnlyList<double> _widths = [];

    public LedgerWorkbook(Stream output)
    {
        _document = SpreadsheetDocument.Create(output, SpreadsheetDocumentType.Workbook);
        var workbookPart = _document.AddWorkbookPart();
        var styles = workbookPart.AddNewPart<WorkbookStylesPart>();
        styles.Stylesheet = Styles();
        styles.Stylesheet.Save();
    }

    /// <summary>Starts a sheet: its title row merged across <paramref name="widths"/>.Length columns, then the header row.</summary>
    public void BeginSheet(string name, string title, IReadOnlyList<string> headers, IReadOnlyList<double> widths)
    {
        EndSheet();
        var part = _document.WorkbookPart!.AddNewPart<WorksheetPart>();
        _sheets.Add((UniqueName(name), _document.WorkbookPart.GetIdOfPart(part)));
        _columns = headers.Count;
        _widths = widths;
        _row = 0;
        var w = _writer = OpenXmlWriter.Create(part, System.Text.Encoding.UTF8);
        w.WriteStartDocument();
        w.WriteStartElement(new Worksheet());
        w.WriteElement(new SheetProperties(new PageSetupProperties { FitToPage = true }));
        w.WriteElement(new SheetViews(new SheetView(
            new Pane { VerticalSplit = 2, TopLeftCell = "A3", ActivePane = PaneValues.BottomLeft, State = PaneStateValues.Frozen },
            new Selection { Pane = PaneValues.BottomLeft, ActiveCell = "A3", SequenceOfReferences = new ListValue<StringValue> { InnerText = "A3" } })
        { WorkbookViewId = 0 }));
        var columns = new Columns();
        for (var c = 0; c < widths.Count; c++)
            columns.Append(new Column { Min = (uint)c + 1, Max = (uint)c + 1, Width = widths[c], CustomWidth = true });
        w.WriteElement(columns);
        w.WriteStartElement(new SheetData());
        Row([title, .. Enumerable.Repeat<object?>(null, _columns - 1)], TitleStyle, height: 30);
        Row([.. headers], HeaderStyle, height: 28);
    }

    /// <summary>A data row: text wraps; numbers (序号, counts, days) are centred.</summary>
    public void Row(IReadOnlyList<object?> cells) => Row(cells, TextStyle, Height(cells));

    /// <summary>A subtotal row (合计), bold.</summary>
    public void TotalRow(IReadOnlyList<object?> cells) => Row(cells, TotalStyle);

    private void Row(IReadOnlyList<object?> cells, uint style, double? height = null)
    {
        var w = _writer ?? throw new InvalidOperationException("BeginSheet first.");
        _row++;
        var row = new Row { RowIndex = (uint)_row };
        if (height is { } h) { row.Height = h; row.CustomHeight = true; }
        w.WriteStartElement(row);
        for (var c = 0; c < cells.Count; c++)
        {
            var reference = Column(c) + _row;
            switch (cells[c])
            {
                case int n:
                    w.WriteElement(new Cell { CellReference = reference, StyleIndex = style == TextStyle ? CentredStyle : style, CellValue = new CellValue(n.ToString(System.Globalization.CultureInfo.InvariantCulture)) });
                    break;
                case string s when s.Length > 0:
                    w.WriteElement(new Cell(new InlineString(new Text(s) { Space = SpaceProcessingModeValues.Preserve })) { CellReference = reference, StyleIndex = style, DataType = CellValues.InlineString });
                    break;
                default:
                    w.WriteElement(new Cell { CellReference = reference, StyleIndex = style });
                    break;
            }
        }
        w.WriteEndElement();
    }

    /// <summary>
    /// The height of a row whose text wraps, from the longest cell's lines: a stored height is what Excel and
    /// LibreOffice show without refitting (LibreOffice does not refit on open), and measuring needs fonts servers lack.
    /// A Chinese character takes about 1.75 widths of a digit.
    /// </summary>
    private double? Height(IReadOnlyList<object?> cells)
    {
        var lines = 1;
        for (var c = 0; c < cells.Count && c < _widths.Count; c++)
        {
            if (cells[c] is not string text) continue;
            var room = Math.Max(1, _widths[c] - 1);
            var cellLines = text.Split('\n').Sum(part => Math.Max(1, (int)Math.Ceiling(part.Sum(ch => ch >= 0x2E80 ? 1.75 : 1.1) / room)));
            lines = Math.Max(lines, cellLines);
        }
        return lines == 1 ? null : lines * 14.5 + 3;
    }

    private void EndSheet()
    {
        if (_writer is not { } w) return;
        w.WriteEndElement(); // sheetData
        w.WriteElement(new MergeCells(new MergeCell { Reference = $"A1:{Column(_columns - 1)}1" }) { Count = 1 });
        w.WriteElement(new PrintOptions { HorizontalCentered = true });
        w.WriteElement(new PageMargins { Left = 0.4, Right = 0.4, Top = 0.6, Bottom = 0.6, Header = 0.3, Footer = 0.3 });
        // 9 = A4; one page wide, as many pages tall as it takes (0).
        w.WriteElement(new PageSetup { PaperSize = 9, Orientation = OrientationValues.Landscape, FitToWidth = 1, FitToHeight = 0 });
        w.WriteElement(new HeaderFooter(new OddFooter("&C第 &P 页，共 &N 页")));
        w.WriteEndElement(); // worksheet
        w.Close();
        _writer = null;
    }

    /// <summary>Ends the last sheet and writes the workbook: the sheets in the order begun, each printing its first two rows on every page.</summary>
    public void Finish()
    {
        EndSheet();
        var sheets = new Sheets();
        var titles = new DefinedNames();
        for (var i = 0; i < _sheets.Count; i++)
        {
            sheets.Append(new Sheet { Name = _sheets[i].Name, SheetId = (uint)i + 1, Id = _sheets[i].PartId });
            titles.Append(new DefinedName($"'{_sheets[i].Name.Replace("'", "''")}'!$1:$2") { Name = "_xlnm.Print_Titles", LocalSheetId = (uint)i });
        }
        var workbook = new Workbook(sheets);
        if (_sheets.Count > 0) workbook.Append(titles);
        _document.WorkbookPart!.Workbook = workbook;
        workbook.Save();
    }

    public void Dispose() => _document.Dispose();

    /// <summary>A sheet name Excel takes: at most 31 characters, none of []:*?/\, unique in the workbook.</summary>
    private string UniqueName(string name)
    {
        var clean = string.Concat(name.Where(ch => "[]:*?/\\".IndexOf(ch) < 0)).Trim('\'');
        if (clean.Length == 0) clean = "台账";
        if (clean.Length > 31) clean = clean[..31];
        var unique = clean;
        for (var n = 2; !_names.Add(unique); n++) unique = $"{clean[..Math.Min(clean.Length, 28)]}({n})";
        return unique;
    }

    private static string Column(int index)
    {
        var name = "";
        for (var n = index + 1; n > 0; n = (n - 1) / 26) name = (char)('A' + (n - 1) % 26) + name;
        return name;
    }

    private static Stylesheet Styles()
    {
        static Border Thin() => new(
            new LeftBorder(new Color { Auto = true }) { Style = BorderStyleValues.Thin },
            new RightBorder(new Color { Auto = true }) { Style = BorderStyleValues.Thin },
            new TopBorder(new Color { Auto = true }) { Style = BorderStyleValues.Thin },
            new BottomBorder(new Color { Auto = true }) { Style = BorderStyleValues.Thin },
            new DiagonalBorder());
        static Font Font(double size, bool bold) => bold
            ? new Font(new Bold(), new FontSize { Val = size }, new FontName { Val = "宋体" })
            : new Font(new FontSize { Val = size }, new FontName { Val = "宋体" });
        static Alignment Align(HorizontalAlignmentValues horizontal) =>
            new() { Horizontal = horizontal, Vertical = VerticalAlignmentValues.Center, WrapText = true };
        return new Stylesheet(
            new Fonts(Font(11, false), Font(11, true), Font(16, true)) { Count = 3 },
            new Fills(
                new Fill(new PatternFill { PatternType = PatternValues.None }),
                new Fill(new PatternFill { PatternType = PatternValues.Gray125 }),
                new Fill(new PatternFill(new ForegroundColor { Rgb = "FFD9D9D9" }, new BackgroundColor { Indexed = 64 }) { PatternType = PatternValues.Solid }))
            { Count = 3 },
            new Borders(new Border(new LeftBorder(), new RightBorder(), new TopBorder(), new BottomBorder(), new DiagonalBorder()), Thin()) { Count = 2 },
            new CellStyleFormats(new CellFormat { NumberFormatId = 0, FontId = 0, FillId = 0, BorderId = 0 }) { Count = 1 },
            new CellFormats(
                new CellFormat { FontId = 0, FillId = 0, BorderId = 0 },
                new CellFormat(Align(HorizontalAlignmentValues.Center)) { FontId = 2, FillId = 0, BorderId = 0, ApplyFont = true, ApplyAlignment = true },
                new CellFormat(Align(HorizontalAlignmentValues.Center)) { FontId = 1, FillId = 2, BorderId = 1, ApplyFont = true, ApplyFill = true, ApplyBorder = true, ApplyAlignment = true },
                new CellFormat(Align(HorizontalAlignmentValues.Left)) { FontId = 0, FillId = 0, BorderId = 1, ApplyBorder = true, ApplyAlignment = true },
                new CellFormat(Align(HorizontalAlignmentValues.Center)) { FontId = 0, FillId = 0, BorderId = 1, ApplyBorder = true, ApplyAlignment = true },
                new CellFormat(Align(HorizontalAlignmentValues.Center)) { FontId = 1, FillId = 0, BorderId = 1, ApplyFont = true, ApplyBorder = true, ApplyAlignment = true })
            { Count = 6 },
            new CellStyles(new CellStyle { Name = "Normal", FormatId = 0, BuiltinId = 0 }) { Count = 1 });
    }
}
