using System.Security.Cryptography;
using Dapper;
using Google.Protobuf;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Reporting.V1;

namespace Rectify.Reporting.Reports;

/// <summary>
/// The answers given to requests that carry a client request id, so a retry gets the first answer and writes nothing.
/// A key belongs to the caller's unit and the RPC: the same id from another unit, or for another RPC, is another
/// request. The same id from the same unit for the same RPC with other content is refused, never replayed: replaying it
/// would tell the caller "submitted" for a push that was not written.
/// </summary>
public sealed class RequestReplies(Database<ReportingModule> database, TimeProvider clock)
{
    /// <summary>One request's key and what it was: the unit it is about and a hash of its bytes.</summary>
    public sealed record Key(string CallerUnit, string Rpc, string RequestId, string TargetUnit, string RequestHash);

    public static Key For(Caller caller, string rpc, string requestId, string targetUnit, IMessage request) =>
        new(caller.Org.Value, rpc, requestId, targetUnit, Convert.ToHexStringLower(SHA256.HashData(request.ToByteArray())));

    private sealed class ReplyRow
    {
        public string TargetCode { get; set; } = "";
        public string? RequestHash { get; set; }
        public string? Response { get; set; }
    }

    /// <summary>The answer this key already got, if any; refused when the key was used for a different request.</summary>
    public async Task<Report?> FindAsync(Key key, CancellationToken ct)
    {
        var row = await database.ReadAsync(c => c.QuerySingleOrDefaultAsync<ReplyRow>("""
            SELECT target_code AS TargetCode, request_hash AS RequestHash, response AS Response FROM request_replies
            WHERE unit_code = @CallerUnit AND rpc = @Rpc AND client_request_id = @RequestId
            """, key), ct);
        if (row?.Response is null) return null;
        // Rows carried over from before the hash was kept are matched on the unit they are about only.
        if (row.TargetCode != key.TargetUnit || (row.RequestHash is not null && row.RequestHash != key.RequestHash))
            throw ValidationException.For("client_request_id", "was already used by this unit for a different request; a retry repeats its request unchanged, a new request needs a new id");
        return JsonParser.Default.Parse<Report>(row.Response);
    }

    /// <summary>
    /// Runs <paramref name="work"/> once per key. The key is claimed by the transaction's first statement: a duplicate
    /// racing it blocks on the claimed key (PostgreSQL and SQL Server wait for the claimer's commit on a unique key;
    /// SQLite's writers are queued one at a time), then fails on the key and reads the answer the first one committed —
    /// so it waits for the original and gets its reply, without a pending state to poll and without holding a
    /// transaction across the ledger call, which the caller makes before this. If the first one failed and rolled back,
    /// its claim went with it and the duplicate does the work itself.
    /// </summary>
    public async Task<Report> RunOnceAsync(Key key, Func<DbSession, Task<Report>> work, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var claimed = false;
            try
            {
                return await database.WriteAsync(async session =>
                {
                    await session.ExecuteAsync("""
                        INSERT INTO request_replies (unit_code, rpc, client_request_id, target_code, request_hash, response, recorded_at)
                        VALUES (@CallerUnit, @Rpc, @RequestId, @TargetUnit, @RequestHash, NULL, @at)
                        """, new { key.CallerUnit, key.Rpc, key.RequestId, key.TargetUnit, key.RequestHash, at = clock.GetUtcNow().UtcDateTime });
                    claimed = true;
                    var report = await work(session);
                    await session.ExecuteAsync("""
                        UPDATE request_replies SET response = @response
                        WHERE unit_code = @CallerUnit AND rpc = @Rpc AND client_request_id = @RequestId
                        """, new { response = JsonFormatter.Default.Format(report), key.CallerUnit, key.Rpc, key.RequestId });
                    return report;
                }, ct);
            }
            catch (Exception e) when (!claimed && Sql.IsUniqueViolation(e) && attempt < 3)
            {
                // Committed by the one that claimed it; a claim rolled back meanwhile leaves nothing, and the next attempt claims it anew.
                if (await FindAsync(key, ct) is { } replayed) return replayed;
            }
        }
    }
}
