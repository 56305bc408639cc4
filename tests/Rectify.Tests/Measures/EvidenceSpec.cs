using System.Security.Cryptography;
using Dapper;
using Google.Protobuf;
using Grpc.Core;
using Rectify.Kernel;
using Rectify.Measures;
using Rectify.Measures.V1;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;
using SixLabors.ImageSharp;
using static Rectify.Tests.Measures.MeasuresFixture;

namespace Rectify.Tests.Measures;

/// <summary>Photos as evidence: chunked, resumable uploads checked whole, stored with the measure with a thumbnail; SQLite and PostgreSQL.</summary>
public abstract class EvidenceSpec(DbProvider provider) : IAsyncLifetime
{
    private TestHost _host = null!;
    private MeasureService.MeasureServiceClient _village = null!;
    private string _measureId = "";

    public async ValueTask InitializeAsync()
    {
        // The host's request limit as in the other tests' hosts: a chunk (128 KiB) must pass it.
        _host = await StartAsync(provider, new Dictionary<string, string?> { ["Rectify:MaxRequestBytes"] = (256 * 1024).ToString() });
        var plan = await _host.Measures(TownshipA, subject: "铁山垅镇党建办").CreatePlanAsync(SimplePlan(TargetA1));
        _measureId = plan.Problems[0].Measures[0].Id;
        _village = _host.Measures(TargetA1, subject: "上坪村支部");
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private static string Sha(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    private BeginEvidenceUploadRequest Begin(byte[] photo, string type = "image/jpeg", string name = "IMG_0001.jpg") =>
        new() { MeasureId = _measureId, FileName = name, ContentType = type, SizeBytes = photo.Length, Sha256 = Sha(photo) };

    private async Task<EvidenceUpload> SendAsync(MeasureService.MeasureServiceClient client, EvidenceUpload upload, byte[] photo, long? stopAt = null)
    {
        while (upload.ReceivedBytes < (stopAt ?? photo.Length))
        {
            var offset = (int)upload.ReceivedBytes;
            var data = photo.AsSpan(offset, Math.Min(upload.ChunkBytes, photo.Length - offset));
            upload = await client.PutEvidenceChunkAsync(new PutEvidenceChunkRequest { UploadId = upload.UploadId, Offset = offset, Data = ByteString.CopyFrom(data) });
        }
        return upload;
    }

    private async Task<(int Uploads, int Chunks, int Photos)> StoredAsync() =>
        await _host.Get<Database<MeasuresModule>>().ReadAsync(async c => (
            await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM evidence_uploads"),
            await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM evidence_upload_chunks"),
            await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM evidence")));

    [Fact]
    public async Task A_photo_uploaded_in_chunks_is_stored_with_its_thumbnail_and_may_be_named_as_evidence()
    {
        var photo = TestPhotos.Jpeg(1200, 800);
        Assert.True(photo.Length > 2 * 128 * 1024, $"the test photo must need several chunks: {photo.Length} bytes");
        var upload = await _village.BeginEvidenceUploadAsync(Begin(photo));
        Assert.Equal((0L, 128 * 1024), (upload.ReceivedBytes, upload.ChunkBytes));
        upload = await SendAsync(_village, upload, photo);
        var evidence = await _village.CompleteEvidenceUploadAsync(new CompleteEvidenceUploadRequest { UploadId = upload.UploadId });
        Assert.Equal((_measureId, "IMG_0001.jpg", "image/jpeg", (long)photo.Length, 1200, 800, "上坪村支部"),
            (evidence.MeasureId, evidence.FileName, evidence.ContentType, evidence.SizeBytes, evidence.Width, evidence.Height, evidence.UploadedBy));
        Assert.Equal((0, 0, 1), await StoredAsync());

        // The township above reads it: the photo as sent, and a JPEG thumbnail whose longest side is 320 px.
        var township = _host.Measures(TownshipA, Role.Viewer);
        Assert.Equal([evidence], (await township.ListEvidenceAsync(new ListEvidenceRequest { MeasureId = _measureId })).Evidence);
        var full = await township.GetEvidenceContentAsync(new GetEvidenceContentRequest { EvidenceId = evidence.EvidenceId });
        Assert.Equal(("image/jpeg", Sha(photo)), (full.ContentType, Sha(full.Data.ToByteArray())));
        var thumb = await township.GetEvidenceContentAsync(new GetEvidenceContentRequest { EvidenceId = evidence.EvidenceId, Thumbnail = true });
        using (var image = Image.Load(thumb.Data.ToByteArray(), out var format))
            Assert.Equal(("JPEG", 320, 213), (format.Name, image.Width, image.Height));

        // Progress names the photo by its id; an id that is no photo of this measure is refused.
        var progressed = await _village.RecordProgressAsync(new RecordProgressRequest { MeasureId = _measureId, Percent = 40, Note = "已入股", Evidence = { evidence.EvidenceId, "会议记录.pdf" } });
        Assert.Equal(40, progressed.Percent);
        var stranger = await Rpc.Refused(StatusCode.InvalidArgument, () => _village.CompleteMeasureAsync(new CompleteMeasureRequest
            { MeasureId = _measureId, Evidence = { evidence.EvidenceId, Guid.NewGuid().ToString() } }).ResponseAsync);
        Assert.Equal(["evidence[1]"], stranger.Fields());
        var detail = await township.GetMeasureAsync(new GetMeasureRequest { MeasureId = _measureId });
        Assert.Equal([evidence.EvidenceId, "会议记录.pdf"], detail.History.Last().Evidence);
    }

    [Fact]
    public async Task An_upload_cut_off_half_way_resumes_where_the_server_stopped_and_a_repeated_chunk_changes_nothing()
    {
        var photo = TestPhotos.Jpeg(1600, 1000, seed: 2);
        Assert.True(photo.Length > 4 * 128 * 1024, $"the test photo must need five chunks or more: {photo.Length} bytes");
        var upload = await SendAsync(_village, await _village.BeginEvidenceUploadAsync(Begin(photo)), photo, stopAt: 2 * 128 * 1024);
        Assert.Equal(2 * 128 * 1024, upload.ReceivedBytes);

        // The answer to the second chunk was lost: the phone sends it again; accepted, nothing moves.
        var again = await _village.PutEvidenceChunkAsync(new PutEvidenceChunkRequest { UploadId = upload.UploadId, Offset = 128 * 1024, Data = ByteString.CopyFrom(photo, 128 * 1024, 128 * 1024) });
        Assert.Equal(upload.ReceivedBytes, again.ReceivedBytes);
        // A chunk beyond what arrived is a gap, named with the offset to send from.
        var gap = await Rpc.Refused(StatusCode.FailedPrecondition, () => _village.PutEvidenceChunkAsync(new PutEvidenceChunkRequest
            { UploadId = upload.UploadId, Offset = 3 * 128 * 1024, Data = ByteString.CopyFrom(photo, 3 * 128 * 1024, 1024) }).ResponseAsync);
        Assert.Equal("CHUNK_GAP", gap.PreconditionType());
        Assert.Contains($"offset {2 * 128 * 1024}", gap.Status.Detail);
        // Completing early names what is missing.
        Assert.Equal("UPLOAD_INCOMPLETE", (await Rpc.Refused(StatusCode.FailedPrecondition, () =>
            _village.CompleteEvidenceUploadAsync(new CompleteEvidenceUploadRequest { UploadId = upload.UploadId }).ResponseAsync)).PreconditionType());

        // The connection is back: the same person beginning the same photo gets the same upload and its offset.
        var resumed = await _village.BeginEvidenceUploadAsync(Begin(photo));
        Assert.Equal((upload.UploadId, upload.ReceivedBytes), (resumed.UploadId, resumed.ReceivedBytes));
        // Someone else (even of the same village) does not continue another's upload.
        var other = _host.Measures(TargetA1, subject: "另一位村干部");
        await Rpc.Refused(StatusCode.NotFound, () => other.PutEvidenceChunkAsync(new PutEvidenceChunkRequest
            { UploadId = upload.UploadId, Offset = resumed.ReceivedBytes, Data = ByteString.CopyFrom(photo, (int)resumed.ReceivedBytes, 10) }).ResponseAsync);
        var done = await SendAsync(_village, resumed, photo);
        var evidence = await _village.CompleteEvidenceUploadAsync(new CompleteEvidenceUploadRequest { UploadId = done.UploadId });
        var content = await _village.GetEvidenceContentAsync(new GetEvidenceContentRequest { EvidenceId = evidence.EvidenceId });
        Assert.Equal(Sha(photo), Sha(content.Data.ToByteArray()));
        Assert.Equal((0, 0, 1), await StoredAsync());
    }

    [Fact]
    public async Task A_wrong_hash_a_program_named_jpg_or_a_cut_off_jpeg_is_refused_by_field_and_nothing_is_stored()
    {
        var photo = TestPhotos.Jpeg(600, 400, seed: 3);
        // The bytes that arrive are not the ones announced.
        var damaged = (byte[])photo.Clone();
        damaged[damaged.Length / 2] ^= 0xFF;
        Assert.Equal(["sha256"], (await RefusedAtCompletion(Begin(photo), damaged)).Fields());

        // A Windows program renamed IMG_0002.jpg.
        var program = new byte[5000];
        "MZ"u8.CopyTo(program);
        new Random(4).NextBytes(program.AsSpan(2));
        var exe = await RefusedAtCompletion(Begin(program, name: "IMG_0002.jpg"), program);
        Assert.Equal(["content_type"], exe.Fields());

        // A JPEG cut off half-way, announced with its own (matching) size and hash.
        var cut = photo[..(photo.Length / 2)];
        Assert.Equal(["content_type"], (await RefusedAtCompletion(Begin(cut), cut)).Fields());
        // A PNG announced as a JPEG.
        var png = TestPhotos.Png(50, 50);
        Assert.Equal(["content_type"], (await RefusedAtCompletion(Begin(png, "image/jpeg"), png)).Fields());
        Assert.Equal((0, 0, 0), await StoredAsync());

        // Refused before any byte: too large, an unknown type, a malformed hash.
        var bad = Begin(photo);
        bad.SizeBytes = 10 * 1024 * 1024 + 1;
        bad.ContentType = "application/x-msdownload";
        bad.Sha256 = "abc";
        var begin = await Rpc.Refused(StatusCode.InvalidArgument, () => _village.BeginEvidenceUploadAsync(bad).ResponseAsync);
        Assert.Equal(["content_type", "sha256", "size_bytes"], begin.Fields().Order());
        Assert.Equal((0, 0, 0), await StoredAsync());
    }

    private async Task<RpcException> RefusedAtCompletion(BeginEvidenceUploadRequest announced, byte[] sent)
    {
        var upload = await SendAsync(_village, await _village.BeginEvidenceUploadAsync(announced), sent);
        return await Rpc.Refused(StatusCode.InvalidArgument, () => _village.CompleteEvidenceUploadAsync(new CompleteEvidenceUploadRequest { UploadId = upload.UploadId }).ResponseAsync);
    }

    [Fact]
    public async Task A_unit_outside_the_measures_line_neither_uploads_nor_sees_its_photos()
    {
        var photo = TestPhotos.Jpeg(400, 300, seed: 5);
        var upload = await SendAsync(_village, await _village.BeginEvidenceUploadAsync(Begin(photo)), photo);
        var evidence = await _village.CompleteEvidenceUploadAsync(new CompleteEvidenceUploadRequest { UploadId = upload.UploadId });

        var sibling = _host.Measures(TownshipB, subject: "盘古山镇党建办");
        // Another unit's measure does not exist for a sibling township (the house's answer: NotFound, as for an unknown id).
        await Rpc.Refused(StatusCode.NotFound, () => sibling.BeginEvidenceUploadAsync(Begin(TestPhotos.Jpeg(100, 100, seed: 6))).ResponseAsync);
        await Rpc.Refused(StatusCode.NotFound, () => sibling.ListEvidenceAsync(new ListEvidenceRequest { MeasureId = _measureId }).ResponseAsync);
        await Rpc.Refused(StatusCode.NotFound, () => sibling.GetEvidenceContentAsync(new GetEvidenceContentRequest { EvidenceId = evidence.EvidenceId }).ResponseAsync);
        // A viewer of the village reads but does not upload.
        await Rpc.Refused(StatusCode.PermissionDenied, () => _host.Measures(TargetA1, Role.Viewer).BeginEvidenceUploadAsync(Begin(TestPhotos.Jpeg(100, 100, seed: 7))).ResponseAsync);
        Assert.Single((await _host.Measures(TargetA1, Role.Viewer).ListEvidenceAsync(new ListEvidenceRequest { MeasureId = _measureId })).Evidence);
        Assert.Equal((0, 0, 1), await StoredAsync());
    }

    [Fact]
    public async Task An_upload_left_unfinished_for_more_than_a_day_is_removed_by_the_daily_job()
    {
        var photo = TestPhotos.Jpeg(800, 600, seed: 8);
        await SendAsync(_village, await _village.BeginEvidenceUploadAsync(Begin(photo)), photo, stopAt: 128 * 1024);
        var store = _host.Get<Rectify.Measures.Evidence.EvidenceStore>();
        Assert.Equal(0, await store.RemoveStaleUploadsAsync(CancellationToken.None));
        _host.Clock.Advance(TimeSpan.FromHours(25));
        Assert.Equal(1, await store.RemoveStaleUploadsAsync(CancellationToken.None));
        Assert.Equal((0, 0, 0), await StoredAsync());
    }
}

public sealed class EvidenceOnSqlite() : EvidenceSpec(DbProvider.Sqlite);

public sealed class EvidenceOnPostgres() : EvidenceSpec(DbProvider.Postgres);
