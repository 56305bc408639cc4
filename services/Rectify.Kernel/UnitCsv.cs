using System.Text;
using Rectify.Organizations.V1;

namespace Rectify.Kernel;

/// <summary>
/// Reads the unit import file: CSV with columns code, name, parent_code (a header line is optional, in English or
/// Chinese: 编码,名称,上级编码; fields may be quoted as in RFC 4180). Each row keeps its line number so import errors
/// point into the file. The text is UTF-8 (with or without a BOM) or GB18030/GBK, which Excel on Chinese Windows
/// writes; a file that is neither is refused, never read as mojibake.
/// </summary>
public static class UnitCsv
{
    /// <summary>First fields that make line 1 a header rather than a unit.</summary>
    private static readonly HashSet<string> HeaderNames = ["code", "编码", "代码", "单位编码", "单位代码", "组织编码", "组织代码"];

    /// <summary>The file's text, decoded as UTF-8 when it is valid UTF-8, else as GB18030 (a superset of GBK).</summary>
    /// <exception cref="InvalidDataException">The bytes are neither, e.g. a workbook or another code page.</exception>
    public static TextReader Open(string path) => new StringReader(Decode(File.ReadAllBytes(path)));

    public static string Decode(byte[] bytes)
    {
        var bom = bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
        try { return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, bom, bytes.Length - bom); }
        catch (DecoderFallbackException) when (bom == 0)
        {
            // Not UTF-8: Excel's "CSV" on Chinese Windows is GBK, which GB18030 decodes; strict, so other bytes fail.
            Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
            var gb18030 = Encoding.GetEncoding("GB18030", EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
            try { return gb18030.GetString(bytes); }
            catch (DecoderFallbackException) { }
        }
        catch (DecoderFallbackException) { }
        throw new InvalidDataException("文件既不是 UTF-8 也不是 GBK/GB18030 编码的文本，未导入任何内容 (the file is neither UTF-8 nor GBK/GB18030 text; nothing was imported).");
    }

    public static async IAsyncEnumerable<ImportUnitRow> ReadAsync(TextReader reader)
    {
        var lineNumber = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            lineNumber++;
            if (line.Length > 0 && line[0] == '\uFEFF') line = line[1..];
            if (string.IsNullOrWhiteSpace(line)) continue;
            var fields = Split(line);
            if (lineNumber == 1 && HeaderNames.Contains(fields[0].Trim().ToLowerInvariant())) continue;
            yield return new ImportUnitRow
            {
                Line = lineNumber,
                Code = fields[0].Trim(),
                Name = fields.Count > 1 ? fields[1].Trim() : "",
                ParentCode = fields.Count > 2 ? fields[2].Trim() : "",
            };
        }
    }

    private static List<string> Split(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else field.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',') { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(ch);
        }
        fields.Add(field.ToString());
        return fields;
    }
}
