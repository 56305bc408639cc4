using Google.Protobuf;
using Rectify.Common.V1;

namespace Rectify.Documents;

/// <summary>Any file out as a stream of <see cref="FileChunk"/>: the first names it and gives its type.</summary>
public static class FileChunks
{
    public const int ChunkBytes = 64 * 1024;

    public const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    public const string Docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

    /// <summary>Sends <paramref name="content"/> from its current position to its end.</summary>
    public static async Task SendAsync(Stream content, string fileName, string contentType, Func<FileChunk, Task> write, CancellationToken ct)
    {
        var buffer = new byte[ChunkBytes];
        var first = true;
        while (true)
        {
            var n = await content.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct);
            if (n == 0 && !first) break;
            var chunk = new FileChunk { Data = ByteString.CopyFrom(buffer, 0, n) };
            if (first) { chunk.FileName = fileName; chunk.ContentType = contentType; first = false; }
            await write(chunk);
            if (n < buffer.Length) break;
        }
    }

    /// <summary>
    /// A file built by <paramref name="build"/> into a temporary file (deleted after), then sent: memory stays flat
    /// however large the unit, since Open XML packages need a seekable stream to be written.
    /// </summary>
    public static async Task SendBuiltAsync(Func<Stream, CancellationToken, Task> build, string fileName, string contentType, Func<FileChunk, Task> write, CancellationToken ct)
    {
        await using var file = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 64 * 1024,
            FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        await build(file, ct);
        file.Position = 0;
        await SendAsync(file, fileName, contentType, write, ct);
    }

    /// <summary>The same, for a file built synchronously (the Word documents, the templates).</summary>
    public static Task SendBuiltAsync(Action<Stream> build, string fileName, string contentType, Func<FileChunk, Task> write, CancellationToken ct) =>
        SendBuiltAsync((stream, _) => { build(stream); return Task.CompletedTask; }, fileName, contentType, write, ct);

    /// <summary>A file name people recognise: the unit's name, what it is and the day, e.g. 于都县整顿台账-20261125.xlsx; never a path.</summary>
    public static string Name(string unitName, string what, DateOnly day, string extension) => SafeName($"{unitName}{what}-{day:yyyyMMdd}.{extension}");

    /// <summary>The name without characters no file system takes (a unit's name is data, never a path).</summary>
    public static string SafeName(string name) => string.Concat(name.Split([.. Path.GetInvalidFileNameChars(), '/', '\\', ':', '*', '?', '"', '<', '>', '|']));
}
