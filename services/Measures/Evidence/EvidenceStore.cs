using System.Security.Cryptography;
using Google.Api;
using Google.Protobuf;
using Rectify.Kernel;
using Rectify.Measures.Deadlines;
using Rectify.Measures.V1;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;

namespace Rectify.Measures.Evidence;

/// <summary>
/// Photos as evidence, stored with the measure. An upload is announced (name, type, size, sha256), filled chunk by chunk at
/// the offset the server holds (so a phone that loses its connection resumes where it stopped), then checked whole: size,
/// sha256, type by content and a full decode; only then is the photo stored with its thumbnail, and the upload removed.
/// Uploading follows the write rule of RecordProgress (the village and the units above it); reading, the measure's.
/// </summary>
public sealed class EvidenceStore(Database<MeasuresModule> database, TimeProvider clock, MeasuresOptions options)
{
    /// <summary>The largest chunk: base64 in JSON grows it by 4/3, and it must pass the hosts' request limit.</summary>
    public const int ChunkBytes = 128 * 1024;

    /// <summary>An unfinished upload older than this is removed by the daily job.</summary>
    public static readonly TimeSpan UploadKeptFor = TimeSpan.FromDays(1);

    private sealed record UploadRow(string Id, string MeasureId, string UploadedBy, string FileName, string ContentType, long SizeBytes, string Sha256, long ReceivedBytes);

    /// <summary>A stored photo without its bytes; settable so Dapper maps every provider's column types.</summary>
    private sealed class EvidenceRow
    {
        public string Id { get; set; } = "";
        public string MeasureId { get; set; } = "";
        public string FileName { get; set; } = "";
        public string ContentType { get; set; } = "";
        public long SizeBytes { get; set; }
        public int Width { get; set; }
        public int Height { get; set; }
        public string UploadedBy { get; set; } = "";
        public DateTime UploadedAt { get; set; }

        public const string Columns = "id AS Id, measure_id AS MeasureId, file_name AS FileName, content_type AS ContentType, size_bytes AS SizeBytes, width AS Width, height AS Height, uploaded_by AS UploadedBy, uploaded_at AS UploadedAt";

        public V1.Evidence ToProto() => new()
        {
            EvidenceId = Id, MeasureId = MeasureId, FileName = FileName, ContentType = ContentType, SizeBytes = SizeBytes,
            Width = Width, Height = Height, UploadedBy = UploadedBy, UploadedAt = new DateTimeOffset(UploadedAt.AsUtc()).ToProto(),
        };
    }

    private sealed record StoredPhoto(string MeasureId, string ContentType);

    private const string UploadColumns = "id AS Id, measure_id AS MeasureId, uploaded_by AS UploadedBy, file_name AS FileName, content_type AS ContentType, size_bytes AS SizeBytes, sha256 AS Sha256, received_bytes AS ReceivedBytes";

    public async Task<EvidenceUpload> BeginAsync(Caller caller, BeginEvidenceUploadRequest request, CancellationToken ct)
    {
        var input = BeginEvidenceUploadInput.Parse(request, options.EvidenceMaxBytes);
        return await database.WriteAsync(async session =>
        {
            await EnsureCanWriteAsync(session, caller, input.MeasureId);
            // The same person sending the same photo again (a reload, a dropped connection) continues the upload they started.
            var unfinished = await session.QueryFirstOrDefaultAsync<UploadRow>(
                $"SELECT {UploadColumns} FROM evidence_uploads WHERE measure_id = @MeasureId AND uploaded_by = @subject AND sha256 = @Sha256 AND size_bytes = @SizeBytes",
                new { input.MeasureId, subject = caller.Subject, input.Sha256, input.SizeBytes });
            if (unfinished is not null) return ToProto(unfinished);
            await EnsureRoomAsync(session, input.MeasureId);
            var row = new UploadRow(Guid.NewGuid().ToString(), input.MeasureId, caller.Subject, input.FileName, input.ContentType, input.SizeBytes, input.Sha256, 0);
            await session.ExecuteAsync("""
                INSERT INTO evidence_uploads (id, measure_id, uploaded_by, file_name, content_type, size_bytes, sha256, received_bytes, started_at)
                VALUES (@Id, @MeasureId, @UploadedBy, @FileName, @ContentType, @SizeBytes, @Sha256, 0, @now)
                """, new { row.Id, row.MeasureId, row.UploadedBy, row.FileName, row.ContentType, row.SizeBytes, row.Sha256, now = clock.GetUtcNow().UtcDateTime });
            return ToProto(row);
        }, ct);
    }

    public async Task<EvidenceUpload> PutChunkAsync(Caller caller, PutEvidenceChunkRequest request, CancellationToken ct)
    {
        var input = PutEvidenceChunkInput.Parse(request);
        return await database.WriteAsync(async session =>
        {
            var upload = await OwnUploadAsync(session, caller, input.UploadId);
            var end = input.Offset + input.Data.Length;
            if (input.Offset > upload.ReceivedBytes)
                throw new PreconditionFailedException("CHUNK_GAP", upload.Id, $"The next chunk starts at offset {upload.ReceivedBytes}, not {input.Offset}; send from offset {upload.ReceivedBytes}.");
            // A chunk sent again after its answer was lost is already held: accepted, nothing changes.
            if (end <= upload.ReceivedBytes) return ToProto(upload);
            if (end > upload.SizeBytes)
                throw ValidationException.For("data", $"the chunk ends at byte {end}, past the photo's announced size of {upload.SizeBytes} bytes");
            var fresh = input.Data.AsSpan((int)(upload.ReceivedBytes - input.Offset)).ToArray();
            // Conditional on the offset read, so two racing copies of a chunk cannot both append.
            var moved = await session.ExecuteAsync("UPDATE evidence_uploads SET received_bytes = @end WHERE id = @Id AND received_bytes = @ReceivedBytes",
                new { end, upload.Id, upload.ReceivedBytes });
            if (moved == 0)
                throw new PreconditionFailedException("CHANGED_CONCURRENTLY", upload.Id, "The upload moved on while this chunk was applied; begin the upload again to learn its offset.");
            await session.ExecuteAsync("INSERT INTO evidence_upload_chunks (upload_id, chunk_offset, data) VALUES (@Id, @offset, @fresh)",
                new { upload.Id, offset = upload.ReceivedBytes, fresh });
            return ToProto(upload with { ReceivedBytes = end });
        }, ct);
    }

    public async Task<V1.Evidence> CompleteAsync(Caller caller, CompleteEvidenceUploadRequest request, CancellationToken ct)
    {
        var input = CompleteEvidenceUploadInput.Parse(request);
        var (upload, data) = await database.ReadAsync(async session =>
        {
            var upload = await OwnUploadAsync(session, caller, input.UploadId);
            await EnsureCanWriteAsync(session, caller, upload.MeasureId);
            var chunks = await session.QueryAsync<byte[]>("SELECT data FROM evidence_upload_chunks WHERE upload_id = @Id ORDER BY chunk_offset", new { upload.Id });
            return (upload, chunks.SelectMany(c => c).ToArray());
        }, ct);
        if (upload.ReceivedBytes < upload.SizeBytes)
            throw new PreconditionFailedException("UPLOAD_INCOMPLETE", upload.Id, $"{upload.ReceivedBytes} of {upload.SizeBytes} bytes received; send from offset {upload.ReceivedBytes}.");

        // The whole photo is checked; a photo that fails is not kept, and its upload is removed so a new one starts clean.
        var problem = Check(upload, data, out var decoded);
        if (problem is not null)
        {
            await database.WriteAsync(session => RemoveUploadAsync(session, upload.Id), ct);
            throw ValidationException.For(problem.Value.Field, problem.Value.Description);
        }
        var (width, height, thumbnail) = decoded!.Value;
        var row = new EvidenceRow
        {
            Id = Guid.NewGuid().ToString(), MeasureId = upload.MeasureId, FileName = upload.FileName, ContentType = upload.ContentType, SizeBytes = data.Length,
            Width = width, Height = height, UploadedBy = caller.Subject, UploadedAt = clock.GetUtcNow().UtcDateTime,
        };
        return await database.WriteAsync(async session =>
        {
            if (await RemoveUploadAsync(session, upload.Id) == 0) throw new NotFoundException("evidence upload", upload.Id);
            var position = await EnsureRoomAsync(session, upload.MeasureId) + 1;
            await session.ExecuteAsync("""
                INSERT INTO evidence (id, measure_id, position, file_name, content_type, size_bytes, sha256, width, height, uploaded_by, uploaded_at, content, thumbnail)
                VALUES (@Id, @MeasureId, @position, @FileName, @ContentType, @SizeBytes, @sha256, @Width, @Height, @UploadedBy, @UploadedAt, @data, @thumbnail)
                """, new { row.Id, row.MeasureId, position, row.FileName, row.ContentType, row.SizeBytes, sha256 = upload.Sha256, row.Width, row.Height, row.UploadedBy, row.UploadedAt, data, thumbnail });
            return row.ToProto();
        }, ct);
    }

    public async Task<ListEvidenceResponse> ListAsync(Caller caller, ListEvidenceRequest request, CancellationToken ct)
    {
        var input = ListEvidenceInput.Parse(request);
        var rows = await database.ReadAsync(async session =>
        {
            caller.EnsureCanRead(await MeasureAsync(session, input.MeasureId));
            return await session.QueryAsync<EvidenceRow>($"SELECT {EvidenceRow.Columns} FROM evidence WHERE measure_id = @MeasureId ORDER BY position, id", new { input.MeasureId });
        }, ct);
        var response = new ListEvidenceResponse();
        response.Evidence.AddRange(rows.Select(r => r.ToProto()));
        return response;
    }

    public async Task<HttpBody> ContentAsync(Caller caller, GetEvidenceContentRequest request, CancellationToken ct)
    {
        var input = GetEvidenceContentInput.Parse(request);
        return await database.ReadAsync(async session =>
        {
            var found = await session.QuerySingleOrDefaultAsync<StoredPhoto>(
                "SELECT measure_id AS MeasureId, content_type AS ContentType FROM evidence WHERE id = @EvidenceId", new { input.EvidenceId })
                ?? throw new NotFoundException("evidence", input.EvidenceId);
            caller.EnsureCanRead(await MeasureAsync(session, found.MeasureId));
            var data = await session.ExecuteScalarAsync<byte[]>(
                input.Thumbnail ? "SELECT thumbnail FROM evidence WHERE id = @EvidenceId" : "SELECT content FROM evidence WHERE id = @EvidenceId", new { input.EvidenceId });
            return new HttpBody { ContentType = input.Thumbnail ? "image/jpeg" : found.ContentType, Data = ByteString.CopyFrom(data!) };
        }, ct);
    }

    /// <summary>
    /// Evidence references that are photo ids (GUIDs) must be photos of this measure; other references (file names, links)
    /// are kept as text. Refused field by field, as evidence[i].
    /// </summary>
    public static async Task CheckReferencesAsync(DbSession session, string measureId, IReadOnlyList<string> evidence)
    {
        var ids = evidence.Select((e, i) => (Ref: e.Trim(), Index: i)).Where(e => Guid.TryParse(e.Ref, out _)).ToList();
        if (ids.Count == 0) return;
        var known = (await session.QueryAsync<string>("SELECT id FROM evidence WHERE measure_id = @measureId", new { measureId })).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var v = new Violations();
        foreach (var (reference, index) in ids) v.Check(known.Contains(reference), $"evidence[{index}]", "is not a photo uploaded to this measure");
        v.ThrowIfAny();
    }

    /// <summary>Removes uploads left unfinished for more than a day (run by the measures' daily job).</summary>
    public async Task<int> RemoveStaleUploadsAsync(CancellationToken ct)
    {
        var before = clock.GetUtcNow().UtcDateTime - UploadKeptFor;
        return await database.WriteAsync(async session =>
        {
            await session.ExecuteAsync("DELETE FROM evidence_upload_chunks WHERE upload_id IN (SELECT id FROM evidence_uploads WHERE started_at < @before)", new { before });
            return await session.ExecuteAsync("DELETE FROM evidence_uploads WHERE started_at < @before", new { before });
        }, ct);
    }

    private (string Field, string Description)? Check(UploadRow upload, byte[] data, out (int Width, int Height, byte[] Thumbnail)? decoded)
    {
        decoded = null;
        if (data.LongLength != upload.SizeBytes)
            return ("size_bytes", $"{data.LongLength} bytes arrived, not the {upload.SizeBytes} announced");
        var sha = Convert.ToHexStringLower(SHA256.HashData(data));
        if (sha != upload.Sha256)
            return ("sha256", $"the bytes that arrived hash to {sha}, not the {upload.Sha256} announced; the photo changed or was damaged on the way");
        var sniffed = EvidenceImages.Sniff(data);
        if (sniffed is null) return ("content_type", "the file is not a JPEG, PNG or WebP photo");
        if (sniffed != upload.ContentType) return ("content_type", $"the file is {sniffed}, not the {upload.ContentType} announced");
        decoded = EvidenceImages.Decode(data, sniffed, out var problem);
        return decoded is null ? ("content_type", problem!) : null;
    }

    private static async Task<int> RemoveUploadAsync(DbSession session, string id)
    {
        await session.ExecuteAsync("DELETE FROM evidence_upload_chunks WHERE upload_id = @id", new { id });
        return await session.ExecuteAsync("DELETE FROM evidence_uploads WHERE id = @id", new { id });
    }

    /// <summary>The number of photos the measure holds, when it may take one more.</summary>
    private async Task<int> EnsureRoomAsync(DbSession session, string measureId)
    {
        var held = await session.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM evidence WHERE measure_id = @measureId", new { measureId });
        if (held >= options.EvidencePerMeasure)
            throw new PreconditionFailedException("TOO_MANY_PHOTOS", measureId, $"The measure already has {held} photos, the most it may hold ({options.EvidencePerMeasure}).");
        return held;
    }

    /// <summary>An upload is continued and completed only by whoever began it.</summary>
    private static async Task<UploadRow> OwnUploadAsync(DbSession session, Caller caller, string id)
    {
        var upload = await session.QuerySingleOrDefaultAsync<UploadRow>($"SELECT {UploadColumns} FROM evidence_uploads WHERE id = @id", new { id });
        if (upload is null || upload.UploadedBy != caller.Subject) throw new NotFoundException("evidence upload", id);
        return upload;
    }

    private static async Task EnsureCanWriteAsync(DbSession session, Caller caller, string measureId) =>
        caller.EnsureCanWrite(await MeasureAsync(session, measureId));

    private static async Task<Owned> MeasureAsync(DbSession session, string measureId)
    {
        var village = await session.ExecuteScalarAsync<string>("SELECT village_code FROM measures WHERE id = @measureId", new { measureId })
            ?? throw new NotFoundException("measure", measureId);
        return new Owned("measure", measureId, OrgCode.Parse(village));
    }

    private static EvidenceUpload ToProto(UploadRow row) =>
        new() { UploadId = row.Id, ReceivedBytes = row.ReceivedBytes, ChunkBytes = ChunkBytes, SizeBytes = row.SizeBytes };
}
