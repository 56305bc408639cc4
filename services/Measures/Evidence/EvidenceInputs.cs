using System.Text.RegularExpressions;
using Rectify.Measures.Ledger;
using Rectify.Measures.V1;
using Rectify.Platform.Errors;

namespace Rectify.Measures.Evidence;

/// <summary>A photo announced before its bytes: the measure, its name, declared type, size and sha256 (lower-case hex).</summary>
public sealed partial record BeginEvidenceUploadInput(string MeasureId, string FileName, string ContentType, long SizeBytes, string Sha256)
{
    public static BeginEvidenceUploadInput Parse(BeginEvidenceUploadRequest request, long maxBytes)
    {
        var v = new Violations();
        var id = MeasureWorkflow.CheckId(v, request.MeasureId);
        var name = v.Text("file_name", request.FileName, 200);
        v.Check(EvidenceImages.Types.Contains(request.ContentType), "content_type", "must be image/jpeg, image/png or image/webp");
        v.Check(request.SizeBytes is > 0 && request.SizeBytes <= maxBytes, "size_bytes", $"must be from 1 to {maxBytes} bytes ({maxBytes / (1024 * 1024)} MiB)");
        var sha = (request.Sha256 ?? "").Trim().ToLowerInvariant();
        v.Check(Hex64().IsMatch(sha), "sha256", "must be the photo's SHA-256 as 64 hexadecimal digits");
        v.ThrowIfAny();
        return new(id!, name!, request.ContentType, request.SizeBytes, sha);
    }

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Hex64();
}

/// <summary>A chunk of an upload at an offset; at most <see cref="EvidenceStore.ChunkBytes"/>.</summary>
public sealed record PutEvidenceChunkInput(string UploadId, long Offset, byte[] Data)
{
    public static PutEvidenceChunkInput Parse(PutEvidenceChunkRequest request)
    {
        var v = new Violations();
        var id = CheckUploadId(v, request.UploadId);
        v.Check(request.Offset >= 0, "offset", "must not be negative");
        v.Check(request.Data.Length is > 0 and <= EvidenceStore.ChunkBytes, "data", $"must hold 1 to {EvidenceStore.ChunkBytes} bytes");
        v.ThrowIfAny();
        return new(id!, request.Offset, request.Data.ToByteArray());
    }

    internal static string? CheckUploadId(Violations v, string id) => v.Check(Guid.TryParse(id, out _), "upload_id", "must be an upload id") ? id : null;
}

public sealed record CompleteEvidenceUploadInput(string UploadId)
{
    public static CompleteEvidenceUploadInput Parse(CompleteEvidenceUploadRequest request)
    {
        var v = new Violations();
        var id = PutEvidenceChunkInput.CheckUploadId(v, request.UploadId);
        v.ThrowIfAny();
        return new(id!);
    }
}

public sealed record ListEvidenceInput(string MeasureId)
{
    public static ListEvidenceInput Parse(ListEvidenceRequest request)
    {
        var v = new Violations();
        var id = MeasureWorkflow.CheckId(v, request.MeasureId);
        v.ThrowIfAny();
        return new(id!);
    }
}

public sealed record GetEvidenceContentInput(string EvidenceId, bool Thumbnail)
{
    public static GetEvidenceContentInput Parse(GetEvidenceContentRequest request)
    {
        var v = new Violations();
        var ok = v.Check(Guid.TryParse(request.EvidenceId, out _), "evidence_id", "must be an evidence id");
        v.ThrowIfAny();
        return new(ok ? request.EvidenceId : "", request.Thumbnail);
    }
}
