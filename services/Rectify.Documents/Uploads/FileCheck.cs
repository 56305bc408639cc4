using System.IO.Compression;
using Rectify.Platform.Errors;

namespace Rectify.Documents.Uploads;

/// <summary>
/// What a file is, judged by its bytes and never by its name, and whether it is safe to open as a workbook: an .xlsx
/// is a zip, and a zip can claim small sizes and inflate to gigabytes (a zip bomb), so every part is inflated once,
/// counting, before any library parses it.
/// </summary>
public static class FileCheck
{
    /// <summary>A real 10 MB workbook inflates to about 100 MB of XML; more than this is refused.</summary>
    public const long MaxInflatedBytes = 256L * 1024 * 1024;
    public const int MaxParts = 10_000;

    public enum Kind { Zip, OldOffice, Pdf, Text, Other }

    public static Kind Sniff(Stream file)
    {
        Span<byte> head = stackalloc byte[8];
        var start = file.Position;
        var read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        file.Position = start;
        head = head[..read];
        if (head.StartsWith("PK\x03\x04"u8)) return Kind.Zip;
        if (head.StartsWith(new byte[] { 0xD0, 0xCF, 0x11, 0xE0 })) return Kind.OldOffice;
        if (head.StartsWith("%PDF"u8)) return Kind.Pdf;
        // Text: no NUL and no control bytes other than tab, CR, LF in the first bytes (UTF-8 and GBK alike).
        foreach (var b in head) if (b == 0 || (b < 0x20 && b is not (0x09 or 0x0A or 0x0D))) return Kind.Other;
        return read > 0 ? Kind.Text : Kind.Other;
    }

    /// <summary>Refuses, in Chinese and writing nothing, anything that is not a safe .xlsx workbook; leaves the stream at its start.</summary>
    public static void EnsureWorkbook(Stream file)
    {
        switch (Sniff(file))
        {
            case Kind.Zip: break;
            case Kind.OldOffice: throw Refuse("这是旧版Excel(.xls)或加密的文件：请在Excel中「另存为」Excel工作簿(.xlsx)，不设密码，再导入。");
            case Kind.Pdf: throw Refuse("这是PDF文件，不是Excel工作簿：请导入下载的模板(.xlsx)。");
            case Kind.Text: throw Refuse("这是文本(CSV)文件，不是Excel工作簿：此模板只接受Excel工作簿(.xlsx)。");
            default: throw Refuse("这不是Excel工作簿(.xlsx)：文件无法识别。请导入下载的模板。");
        }
        var start = file.Position;
        try
        {
            using var zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
            if (zip.Entries.Count > MaxParts) throw Refuse("文件内部的部件过多，不是正常的Excel工作簿，已拒收。");
            if (zip.GetEntry("xl/workbook.xml") is null)
                throw Refuse(zip.GetEntry("word/document.xml") is not null
                    ? "这是Word文档，不是Excel工作簿：请导入下载的模板(.xlsx)。"
                    : "这是压缩包，不是Excel工作簿：请导入下载的模板(.xlsx)。");
            long inflated = 0;
            var buffer = new byte[81920];
            foreach (var entry in zip.Entries)
            {
                // The declared sizes may lie: count what actually comes out.
                using var part = entry.Open();
                int n;
                while ((n = part.Read(buffer, 0, buffer.Length)) > 0)
                {
                    inflated += n;
                    if (inflated > MaxInflatedBytes)
                        throw Refuse($"文件解压后超过{MaxInflatedBytes / 1024 / 1024} MB（疑似“压缩炸弹”），已拒收。");
                }
            }
        }
        catch (InvalidDataException)
        {
            throw Refuse("文件已损坏，无法作为Excel工作簿打开：请在Excel中重新保存后再导入。");
        }
        finally
        {
            file.Position = start;
        }
    }

    public static ValidationException Refuse(string reason) => ValidationException.For("file", reason);
}
