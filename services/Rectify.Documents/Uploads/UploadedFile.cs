using Grpc.Core;
using Rectify.Common.V1;
using Rectify.Platform.Errors;

namespace Rectify.Documents.Uploads;

/// <summary>
/// An upload received from a stream of <see cref="ImportChunk"/> into a temporary file that is deleted when disposed:
/// a workbook is never held whole in memory, and one over <see cref="MaxBytes"/> is refused as soon as it passes the
/// limit, before anything is parsed.
/// </summary>
public sealed class UploadedFile : IAsyncDisposable
{
    /// <summary>The largest upload taken: a county's 5,000-measure workbook is about 0.5 MB.</summary>
    public const long MaxBytes = 10 * 1024 * 1024;

    private UploadedFile(ImportChunk header, FileStream content)
    {
        Header = header;
        Content = content;
    }

    /// <summary>What the first chunk said: kind, unit, year, dry run, file name (its data cleared).</summary>
    public ImportChunk Header { get; }

    /// <summary>The file's bytes, positioned at the start.</summary>
    public FileStream Content { get; }

    public string Extension => Path.GetExtension(Header.FileName).ToLowerInvariant();

    public static async Task<UploadedFile> ReceiveAsync(IAsyncStreamReader<ImportChunk> chunks, CancellationToken ct)
    {
        var content = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 64 * 1024,
            FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            ImportChunk? header = null;
            while (await chunks.MoveNext(ct))
            {
                var chunk = chunks.Current;
                header ??= chunk.Clone();
                if (content.Length + chunk.Data.Length > MaxBytes)
                    throw ValidationException.For("file", $"文件超过{MaxBytes / 1024 / 1024} MB，已拒收：请按乡镇或村分成几个文件分别导入。");
                await content.WriteAsync(chunk.Data.Memory, ct);
            }
            if (header is null || content.Length == 0) throw ValidationException.For("file", "没有收到文件内容：请选择要导入的文件。");
            header.Data = Google.Protobuf.ByteString.Empty;
            content.Position = 0;
            return new UploadedFile(header, content);
        }
        catch
        {
            await content.DisposeAsync();
            throw;
        }
    }

    /// <summary>For tests and the CLI's local dry run: an upload from bytes already at hand.</summary>
    public static UploadedFile FromStream(ImportChunk header, Stream source)
    {
        var content = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose);
        source.CopyTo(content);
        if (content.Length > MaxBytes)
        {
            content.Dispose();
            throw ValidationException.For("file", $"文件超过{MaxBytes / 1024 / 1024} MB，已拒收：请按乡镇或村分成几个文件分别导入。");
        }
        content.Position = 0;
        return new UploadedFile(header.Clone(), content);
    }

    public ValueTask DisposeAsync() => Content.DisposeAsync();
}
