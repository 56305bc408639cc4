using System.Text.Json;
using Dapper;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Storage;

namespace Rectify.Measures.Ledger;

/// <summary>The ledger is an audit record: history rows are appended and never changed.</summary>
public static class MeasureHistory
{
    public static Task AppendAsync(DbSession session, MeasureChangeRow change) =>
        session.ExecuteAsync("""
            INSERT INTO measure_changes (measure_id, kind, status_after, on_date, "percent", note, evidence, verifier, new_deadline, recorded_by, recorded_at)
            VALUES (@MeasureId, @Kind, @StatusAfter, @OnDate, @Percent, @Note, @Evidence, @Verifier, @NewDeadline, @RecordedBy, @RecordedAt)
            """, change);

    public static async Task<List<MeasureChangeRow>> ReadAsync(Database database, string measureId, CancellationToken ct) =>
        await database.ReadAsync(async c => (await c.QueryAsync<MeasureChangeRow>("""
            SELECT measure_id AS MeasureId, kind AS Kind, status_after AS StatusAfter, on_date AS OnDate, "percent" AS "Percent", note AS Note,
                   evidence AS Evidence, verifier AS Verifier, new_deadline AS NewDeadline, recorded_by AS RecordedBy, recorded_at AS RecordedAt
            FROM measure_changes WHERE measure_id = @measureId ORDER BY id
            """, new { measureId })).ToList(), ct);
}
