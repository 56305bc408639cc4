using ClosedXML.Excel;
using Google.Protobuf;
using Grpc.Core;
using Rectify.Common.V1;

namespace Rectify.Tests.Documents;

/// <summary>Templates downloaded, filled as a clerk fills them (ClosedXML), and uploaded in chunks over real gRPC.</summary>
public static class WorkbookFiles
{
    public static async Task<byte[]> DownloadAsync(AsyncServerStreamingCall<FileChunk> call)
    {
        using (call)
        {
            var bytes = new MemoryStream();
            await foreach (var chunk in call.ResponseStream.ReadAllAsync()) chunk.Data.WriteTo(bytes);
            return bytes.ToArray();
        }
    }

    public static async Task<ImportReport> UploadAsync(AsyncClientStreamingCall<ImportChunk, ImportReport> call, TemplateKind kind, string scope, int year,
        byte[] file, bool dryRun, string fileName = "导入.xlsx")
    {
        using (call)
        {
            for (var offset = 0; offset == 0 || offset < file.Length; offset += 16 * 1024)
            {
                var chunk = new ImportChunk { Data = ByteString.CopyFrom(file, offset, Math.Min(16 * 1024, file.Length - offset)) };
                if (offset == 0) (chunk.Kind, chunk.ScopeCode, chunk.CampaignYear, chunk.DryRun, chunk.FileName) = (kind, scope, year, dryRun, fileName);
                await call.RequestStream.WriteAsync(chunk);
            }
            await call.RequestStream.CompleteAsync();
            return await call;
        }
    }

    /// <summary>Writes rows from row 2 of each named sheet: a DateOnly as a real date, everything else as text (codes keep all 12 digits).</summary>
    public static byte[] Fill(byte[] template, params (string Sheet, IEnumerable<object?[]> Rows)[] sheets)
    {
        using var workbook = new XLWorkbook(new MemoryStream(template));
        foreach (var (name, rows) in sheets)
        {
            var sheet = workbook.Worksheet(name);
            var r = 2;
            foreach (var row in rows)
            {
                for (var c = 0; c < row.Length; c++)
                {
                    var cell = sheet.Cell(r, c + 1);
                    switch (row[c])
                    {
                        case null: break;
                        case DateOnly d: cell.SetValue(d.ToDateTime(TimeOnly.MinValue)); break;
                        case int i: cell.SetValue(i); break;
                        case decimal m: cell.SetValue(m); break;
                        case double x: cell.SetValue(x); break;
                        default: cell.SetValue(row[c]!.ToString()); break;
                    }
                }
                r++;
            }
        }
        var output = new MemoryStream();
        workbook.SaveAs(output);
        return output.ToArray();
    }

    /// <summary>Each problem as "sheet!cell" (or "sheet!row" for a whole row), to compare with where it was planted.</summary>
    public static List<string> Places(this ImportReport report) =>
        [.. report.Problems.Select(p => p.Cell.Length > 0 ? $"{p.Sheet}!{p.Cell}" : $"{p.Sheet}!{p.Row}")];
}
