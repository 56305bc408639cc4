using System.IO.Compression;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Rectify.Measures.Ledger;

/// <summary>
/// The 台账 workbook written row by row with the Open XML SDK's <see cref="OpenXmlWriter"/> (SAX) straight into a zip
/// entry as its rows arrive, so memory stays flat however many measures a county has. The package is zipped here, not
/// by System.IO.Packaging: the SDK (2.20) opens it read-write, and a read-write zip keeps every part in memory until it
/// is closed (the benchmark saw the live heap grow ~1.5 KB a measure). Every sheet has a title row
/// merged across the table, a header row, both frozen and printed on every page, thin borders and wrapped text, and
/// prints on A4 landscape, one page wide.
/// </summary>
public sealed class LedgerWorkbook : IDisposable
{
    // Cell styles (indexes into CellFormats below).
    private const uint TitleStyle = 1, HeaderStyle = 2, TextStyle = 3, CentredStyle = 4, TotalStyle = 5;

    private readonly ZipArchive _zip;
    private readonly List<string> _sheets = [];
    private Stream? _part;
    private readonly HashSet<string> _names = new(StringComparer.OrdinalIgnoreCase);
    private OpenXmlWriter? _writer;
    private int _columns, _row;
    private IReadOnlyList<double> _widths = [];

    public LedgerWorkbook(Stream output)
    {
        _zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        Entry("xl/styles.xml", Styles().OuterXml);
    }

    /// <summary>Starts a sheet: its title row merged across <paramref name="widths"/>.Length columns, then the header row.</summary>
    public void BeginSheet(string name, string title, IReadOnlyList<string> headers, IReadOnlyList<double> widths)
    {
        EndSheet();
        _sheets.Add(UniqueName(name));
        _part = _zip.CreateEntry($"xl/worksheets/sheet{_sheets.Count}.xml", CompressionLevel.Optimal).Open();
        _columns = headers.Count;
        _widths = widths;
        _row = 0;
        var w = _writer = OpenXmlWriter.Create(_part, Encoding.UTF8);
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
        _part!.Dispose();
        _writer = null;
        _part = null;
    }

    /// <summary>Ends the last sheet and writes the workbook: the sheets in the order begun, each printing its first two rows on every page.</summary>
    public void Finish()
    {
        EndSheet();
        var sheets = new Sheets();
        var titles = new DefinedNames();
        var relationships = new StringBuilder();
        var types = new StringBuilder();
        for (var i = 0; i < _sheets.Count; i++)
        {
            sheets.Append(new Sheet { Name = _sheets[i], SheetId = (uint)i + 1, Id = $"rId{i + 1}" });
            titles.Append(new DefinedName($"'{_sheets[i].Replace("'", "''")}'!$1:$2") { Name = "_xlnm.Print_Titles", LocalSheetId = (uint)i });
            relationships.Append($"""<Relationship Id="rId{i + 1}" Type="{Relationships}/worksheet" Target="worksheets/sheet{i + 1}.xml"/>""");
            types.Append($"""<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>""");
        }
        var workbook = new Workbook(sheets);
        workbook.AddNamespaceDeclaration("r", Relationships);
        if (_sheets.Count > 0) workbook.Append(titles);
        Entry("xl/workbook.xml", workbook.OuterXml);
        Entry("xl/_rels/workbook.xml.rels", $"""<Relationships xmlns="{PackageRelationships}">{relationships}<Relationship Id="rIdStyles" Type="{Relationships}/styles" Target="styles.xml"/></Relationships>""");
        Entry("_rels/.rels", $"""<Relationships xmlns="{PackageRelationships}"><Relationship Id="rId1" Type="{Relationships}/officeDocument" Target="xl/workbook.xml"/></Relationships>""");
        Entry("[Content_Types].xml", $"""
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>{types}</Types>
            """);
    }

    public void Dispose()
    {
        _writer?.Close();
        _part?.Dispose();
        _zip.Dispose();
    }

    private const string Relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    private const string PackageRelationships = "http://schemas.openxmlformats.org/package/2006/relationships";

    /// <summary>A small part of the package, whole (the sheets, the only large parts, are written row by row).</summary>
    private void Entry(string path, string xml)
    {
        using var text = new StreamWriter(_zip.CreateEntry(path, CompressionLevel.Optimal).Open(), new UTF8Encoding(false));
        text.Write("""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>""");
        text.Write(xml);
    }

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
