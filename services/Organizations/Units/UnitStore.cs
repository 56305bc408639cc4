using Dapper;
using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Storage;

namespace Rectify.Organizations.Units;

/// <summary>SQL for units and their history; the same statements run on SQLite, PostgreSQL and SQL Server.</summary>
public sealed class UnitStore(Database<OrganizationsModule> database)
{
    public Database Database => database;

    private const string Columns = """
        code AS Code, name AS Name, level AS Level, parent_code AS ParentCode,
        status AS Status, closed_on AS ClosedOn, merged_into AS MergedInto
        """;

    public Task<UnitRow?> FindAsync(DbSession session, string code) =>
        session.QuerySingleOrDefaultAsync<UnitRow>($"SELECT {Columns} FROM units WHERE code = @code", new { code });

    public Task<UnitRow?> FindAsync(string code, CancellationToken ct) =>
        database.ReadAsync(c => FindAsync(c, code), ct);


    /// <summary>Units among <paramref name="codes"/> that exist, by code (chunked under SQL Server's parameter limit).</summary>
    public static async Task<Dictionary<string, UnitRow>> FindManyAsync(DbSession session, IEnumerable<string> codes)
    {
        var found = new Dictionary<string, UnitRow>();
        foreach (var chunk in codes.Distinct().Chunk(100))
        {
            var rows = await session.QueryAsync<UnitRow>($"SELECT {Columns} FROM units WHERE {session.Sql.InList("code", "@chunk")}", new { chunk });
            foreach (var row in rows) found[row.Code] = row;
        }
        return found;
    }

    /// <summary>The units directly below <paramref name="parent"/>; below the nation, the provinces.</summary>
    public Task<List<UnitRow>> ChildrenAsync(OrgCode parent, bool includeClosed, CancellationToken ct) =>
        database.ReadAsync(async c => (await c.QueryAsync<UnitRow>($"""
            SELECT {Columns} FROM units
            WHERE {(parent.IsNation ? "parent_code IS NULL" : "parent_code = @code")} AND (@includeClosed = 1 OR status = 1)
            ORDER BY code
            """, new { code = parent.Value, includeClosed = includeClosed ? 1 : 0 })).ToList(), ct);

    /// <summary>One page of the units strictly below <paramref name="root"/>, after the code <paramref name="after"/>.</summary>
    public Task<List<UnitRow>> SubtreeAsync(OrgCode root, string? after, bool includeClosed, OrgLevel level, int limit, CancellationToken ct)
    {
        var (low, high) = root.SubtreeRange;
        return database.ReadAsync(async c => (await c.QueryAsync<UnitRow>($"""
            SELECT {Columns} FROM units
            WHERE code > @low AND code <= @high
              AND (@includeClosed = 1 OR status = 1)
              AND (@level = 0 OR level = @level)
            ORDER BY code
            {database.Sql.Limit("@limit")}
            """, new { low = after is null || string.CompareOrdinal(after, low) < 0 ? low : after, high, includeClosed = includeClosed ? 1 : 0, level = (int)level, limit })).ToList(), ct);
    }

    public Task<List<UnitRow>> SearchAsync(OrgCode within, string query, string? after, bool includeClosed, OrgLevel level, int limit, CancellationToken ct)
    {
        var (low, high) = within.SubtreeRange;
        return database.ReadAsync(async c => (await c.QueryAsync<UnitRow>($"""
            SELECT {Columns} FROM units
            WHERE code >= @low AND code <= @high AND code > @after
              AND name LIKE @pattern ESCAPE '\'
              AND (@includeClosed = 1 OR status = 1)
              AND (@level = 0 OR level = @level)
            ORDER BY code
            {database.Sql.Limit("@limit")}
            """, new { low, high, after = after ?? "", pattern = database.Sql.LikeContains(query), includeClosed = includeClosed ? 1 : 0, level = (int)level, limit })).ToList(), ct);
    }

    public static async Task<bool> HasActiveChildrenAsync(DbSession session, string code) =>
        await session.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM units WHERE parent_code = @code AND status = 1", new { code }) > 0;

    public static Task InsertAsync(DbSession session, IReadOnlyCollection<UnitRow> units, DateTime registeredAt) =>
        session.ExecuteEachAsync("""
            INSERT INTO units (code, name, level, parent_code, status, closed_on, merged_into, registered_at)
            VALUES (@Code, @Name, @Level, @ParentCode, @Status, NULL, NULL, @RegisteredAt)
            """, units, ("@Code", u => u.Code), ("@Name", u => u.Name), ("@Level", u => u.Level), ("@ParentCode", u => u.ParentCode),
            ("@Status", u => u.Status), ("@RegisteredAt", _ => registeredAt));

    public static Task RecordAsync(DbSession session, IReadOnlyCollection<UnitChangeRow> changes) =>
        session.ExecuteEachAsync("""
            INSERT INTO unit_changes (code, kind, old_name, new_name, related_code, effective_on, reason, recorded_by, recorded_at)
            VALUES (@Code, @Kind, @OldName, @NewName, @RelatedCode, @EffectiveOn, @Reason, @RecordedBy, @RecordedAt)
            """, changes, ("@Code", c => c.Code), ("@Kind", c => c.Kind), ("@OldName", c => c.OldName), ("@NewName", c => c.NewName),
            ("@RelatedCode", c => c.RelatedCode), ("@EffectiveOn", c => c.EffectiveOn), ("@Reason", c => c.Reason),
            ("@RecordedBy", c => c.RecordedBy), ("@RecordedAt", c => c.RecordedAt));

    public static Task RenameAsync(DbSession session, string code, string name) =>
        session.ExecuteAsync("UPDATE units SET name = @name WHERE code = @code", new { code, name });

    public static Task EndAsync(DbSession session, string code, UnitStatus status, DateOnly closedOn, string? mergedInto) =>
        session.ExecuteAsync(
            "UPDATE units SET status = @status, closed_on = @closedOn, merged_into = @mergedInto WHERE code = @code",
            new { code, status = (int)status, closedOn, mergedInto });

    public Task<List<UnitChangeRow>> HistoryAsync(string code, CancellationToken ct) =>
        database.ReadAsync(async c => (await c.QueryAsync<UnitChangeRow>("""
            SELECT code AS Code, kind AS Kind, old_name AS OldName, new_name AS NewName, related_code AS RelatedCode,
                   effective_on AS EffectiveOn, reason AS Reason, recorded_by AS RecordedBy, recorded_at AS RecordedAt
            FROM unit_changes WHERE code = @code ORDER BY id
            """, new { code })).ToList(), ct);
}
