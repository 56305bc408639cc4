using Dapper;
using Google.Protobuf;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Storage;
using Rectify.Reporting.V1;

namespace Rectify.Reporting.Reports;

public static class ReportStore
{
    private const string Columns = """
        id AS Id, kind AS Kind, unit_code AS UnitCode, unit_name AS UnitName, county_code AS CountyCode, period AS Period, revision AS Revision,
        status AS Status, timeliness AS Timeliness, submitted_on AS SubmittedOn, content AS Content, return_reason AS ReturnReason,
        reviewed_by AS ReviewedBy, updated_by AS UpdatedBy, updated_at AS UpdatedAt
        """;

    /// <summary>Every revision of a unit's report for a month, oldest first.</summary>
    public static async Task<List<ReportRow>> RevisionsAsync(DbSession session, OrgCode unit, Month month) =>
        (await session.QueryAsync<ReportRow>($"SELECT {Columns} FROM reports WHERE unit_code = @unit AND period = @month ORDER BY revision",
            new { unit, month })).ToList();

    /// <summary>Every revision of a unit's report for a month, oldest first, without its content: what a push decides on.</summary>
    public static async Task<List<ReportRow>> RevisionHeadsAsync(DbSession session, OrgCode unit, Month month) =>
        (await session.QueryAsync<ReportRow>("""
            SELECT id AS Id, kind AS Kind, unit_code AS UnitCode, unit_name AS UnitName, county_code AS CountyCode, period AS Period, revision AS Revision,
                   status AS Status, timeliness AS Timeliness, submitted_on AS SubmittedOn, return_reason AS ReturnReason,
                   reviewed_by AS ReviewedBy, updated_by AS UpdatedBy, updated_at AS UpdatedAt
            FROM reports WHERE unit_code = @unit AND period = @month ORDER BY revision
            """, new { unit, month })).ToList();

    /// <summary>The latest revision of every report of a kind under a unit for a month, by unit code.</summary>
    public static async Task<Dictionary<string, List<ReportRow>>> UnderAsync(DbSession session, OrgCode scope, Month month, int kind)
    {
        var (low, high) = scope.SubtreeRange;
        var rows = await session.QueryAsync<ReportRow>($"""
            SELECT {Columns} FROM reports WHERE unit_code >= @low AND unit_code <= @high AND period = @period AND kind = @kind ORDER BY unit_code, revision
            """, new { low, high, period = month.ToString(), kind });
        return rows.GroupBy(r => r.UnitCode).ToDictionary(g => g.Key, g => g.ToList());
    }

    public static Task InsertAsync(DbSession session, ReportRow row) => session.ExecuteAsync("""
        INSERT INTO reports (id, kind, unit_code, unit_name, county_code, period, revision, status, timeliness, submitted_on, content, return_reason, reviewed_by, updated_by, updated_at)
        VALUES (@Id, @Kind, @UnitCode, @UnitName, @CountyCode, @Period, @Revision, @Status, @Timeliness, @SubmittedOn, @Content, @ReturnReason, @ReviewedBy, @UpdatedBy, @UpdatedAt)
        """, row);

    public static Task UpdateAsync(DbSession session, ReportRow row) => session.ExecuteAsync("""
        UPDATE reports SET status = @Status, timeliness = @Timeliness, submitted_on = @SubmittedOn, content = @Content, return_reason = @ReturnReason,
               reviewed_by = @ReviewedBy, updated_by = @UpdatedBy, updated_at = @UpdatedAt
        WHERE id = @Id
        """, row);
}
