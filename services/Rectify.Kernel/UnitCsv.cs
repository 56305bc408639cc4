using System.Text;
using Rectify.Organizations.V1;

namespace Rectify.Kernel;

/// <summary>
/// Reads the unit import file: UTF-8 CSV with columns code, name, parent_code
/// (a header line is optional; fields may be quoted as in RFC 4180). Each row
/// keeps its line number so import errors point into the file.
/// </summary>
public static class UnitCsv
{
    public static async IAsyncEnumerable<ImportUnitRow> ReadAsync(TextReader reader)
    {
        var lineNumber = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            lineNumber++;
            if (line.Length > 0 && line[0] == '\uFEFF') line = line[1..];
            if (string.IsNullOrWhiteSpace(line)) continue;
            var fields = Split(line);
            if (lineNumber == 1 && fields[0].Trim().Equals("code", StringComparison.OrdinalIgnoreCase)) continue;
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
