using Dapper;
using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;

namespace Rectify.Measures.Categories;

/// <summary>
/// Problem categories (问题类别) and their owners. National defaults ship by migration (problem_categories); a
/// province, a city or a county defines additions, overrides (name with helping departments) and retirements for
/// its own subtree (problem_category_definitions), and for any unit the nearest defining ancestor wins, attribute
/// by attribute: the name with its departments, and the retired flag. Townships and villages define nothing.
/// Categories are retired, never deleted, so every problem keeps a category it can name.
/// </summary>
public sealed class CategoryCatalog(Database<MeasuresModule> database, TimeProvider clock)
{
    public const string National = "national";

    /// <summary>A category as one unit sees it.</summary>
    public sealed record Effective(string Code, string Name, IReadOnlyList<string> HelpingDepartments, string DefinedBy, bool Retired, string? RetiredBy)
    {
        public ProblemCategory ToProto()
        {
            var proto = new ProblemCategory { Code = Code, Name = Name, DefinedBy = DefinedBy, Retired = Retired, RetiredBy = RetiredBy ?? "" };
            proto.HelpingDepartments.AddRange(HelpingDepartments);
            return proto;
        }
    }

    private enum Define { Add, Override, AddOrOverride }

    private sealed class NationalRow
    {
        public string Code { get; set; } = "";
        public string Name { get; set; } = "";
        public string HelpingDepartments { get; set; } = "";
        public int Position { get; set; }
        public bool Retired { get; set; }
    }

    private sealed class DefinitionRow
    {
        public string UnitCode { get; set; } = "";
        public string Code { get; set; } = "";
        public string? Name { get; set; }
        public string? HelpingDepartments { get; set; }
        public bool? Retired { get; set; }
        public int Position { get; set; }
    }

    /// <summary>The units whose definitions reach <paramref name="unit"/>, top down: its province, city and county (itself included).</summary>
    public static IReadOnlyList<OrgCode> DefiningUnits(OrgCode unit)
    {
        var levels = new[] { OrgLevel.Province, OrgLevel.City, OrgLevel.County };
        return unit.IsNation ? [] : [.. levels.Where(l => l <= unit.Level).Select(unit.AncestorAt)];
    }

    public static bool MayDefine(OrgCode unit) => unit.Level is OrgLevel.Province or OrgLevel.City or OrgLevel.County;

    /// <summary>The effective list of <paramref name="unit"/>: national defaults in their order, then additions, the higher unit's first.</summary>
    public static async Task<List<Effective>> EffectiveAsync(DbSession session, OrgCode unit)
    {
        var national = await session.QueryAsync<NationalRow>("""
            SELECT code AS Code, name AS Name, helping_departments AS HelpingDepartments, position AS Position, retired AS Retired
            FROM problem_categories
            """);
        var chain = DefiningUnits(unit);
        IEnumerable<DefinitionRow> definitions = chain.Count == 0 ? [] : await session.QueryAsync<DefinitionRow>("""
            SELECT unit_code AS UnitCode, code AS Code, name AS Name, helping_departments AS HelpingDepartments, retired AS Retired, position AS Position
            FROM problem_category_definitions
            WHERE unit_code = @province OR unit_code = @city OR unit_code = @county
            """, new { province = chain[0].Value, city = chain[Math.Min(1, chain.Count - 1)].Value, county = chain[^1].Value });

        var merged = new Dictionary<string, (Effective Category, int Depth, int Position)>();
        foreach (var row in national)
            merged[row.Code] = (new Effective(row.Code, row.Name, Split(row.HelpingDepartments), National, row.Retired, row.Retired ? National : null), 0, row.Position);
        // Top down, so the nearest unit's word is the last one.
        foreach (var row in definitions.OrderBy(d => OrgCode.Parse(d.UnitCode).Level))
        {
            if (!merged.TryGetValue(row.Code, out var entry))
            {
                if (row.Name is null) continue; // a retirement of a category nobody above defines: nothing to show
                entry = (new Effective(row.Code, row.Name, [], row.UnitCode, false, null), (int)OrgCode.Parse(row.UnitCode).Level, row.Position);
            }
            var category = entry.Category;
            if (row.Name is not null) category = category with { Name = row.Name, HelpingDepartments = Split(row.HelpingDepartments ?? ""), DefinedBy = row.UnitCode };
            if (row.Retired is { } retired) category = category with { Retired = retired, RetiredBy = retired ? row.UnitCode : null };
            merged[row.Code] = entry with { Category = category };
        }
        return [.. merged.Values.OrderBy(e => e.Depth).ThenBy(e => e.Position).ThenBy(e => e.Category.Code, StringComparer.Ordinal).Select(e => e.Category)];
    }

    private static string[] Split(string departments) => departments.Split('|', StringSplitOptions.RemoveEmptyEntries);

    public async Task<ListProblemCategoriesResponse> ListAsync(Caller caller, ListProblemCategoriesRequest request, CancellationToken ct)
    {
        var (unit, activeOnly) = ListProblemCategoriesInput.Parse(request, caller.Org);
        // Everyone in the unit's subtree reads its list; a unit beside it (another county) does not.
        caller.EnsureCanRead(unit);
        var categories = await database.ReadAsync(c => EffectiveAsync(c, unit), ct);
        var response = new ListProblemCategoriesResponse { UnitCode = unit.Value };
        response.Categories.AddRange(categories.Where(c => !activeOnly || !c.Retired).Select(c => c.ToProto()));
        return response;
    }

    /// <summary>The old RPC: the caller's own unit, adding the code when it does not see it yet, overriding it otherwise.</summary>
    public Task<ProblemCategory> SetAsync(Caller caller, ProblemCategory request, CancellationToken ct) =>
        DefineAsync(caller, Define.AddOrOverride, new DefineProblemCategoryRequest { Code = request.Code, Name = request.Name, HelpingDepartments = { request.HelpingDepartments } }, ct);

    public Task<ProblemCategory> AddAsync(Caller caller, DefineProblemCategoryRequest request, CancellationToken ct) =>
        DefineAsync(caller, Define.Add, request, ct);

    public Task<ProblemCategory> OverrideAsync(Caller caller, DefineProblemCategoryRequest request, CancellationToken ct) =>
        DefineAsync(caller, Define.Override, request, ct);

    private async Task<ProblemCategory> DefineAsync(Caller caller, Define kind, DefineProblemCategoryRequest request, CancellationToken ct)
    {
        var (unit, code, name, departments) = DefineProblemCategoryInput.Parse(request, caller.Org);
        EnsureMayDefine(caller, unit);

        var now = clock.GetUtcNow().UtcDateTime;
        return await database.WriteAsync(async session =>
        {
            var seen = (await EffectiveAsync(session, unit)).Find(c => c.Code == code);
            if (kind == Define.Add && seen is not null)
                throw new AlreadyExistsException("problem category", $"{code} (defined by {seen.DefinedBy}; override it instead)");
            if (kind == Define.Override && seen is null)
                throw new NotFoundException("problem category", $"{code} in {unit}'s list");
            var joined = string.Join("|", departments);
            if (await HasRowAsync(session, unit, code))
                await session.ExecuteAsync("""
                    UPDATE problem_category_definitions SET name = @name, helping_departments = @joined, updated_by = @by, updated_at = @now
                    WHERE unit_code = @unit AND code = @code
                    """, new { name, joined, by = caller.Subject, now, unit, code });
            else
                await InsertAsync(session, unit, code, name, joined, null, caller, now);
            await RecordAsync(session, unit, code, seen is null ? "added" : "overridden", name, joined, caller, now);
            return (await EffectiveAsync(session, unit)).Single(c => c.Code == code).ToProto();
        }, ct);
    }

    public async Task<ProblemCategory> RetireAsync(Caller caller, ProblemCategoryKey request, bool retire, CancellationToken ct)
    {
        var (unit, code) = ProblemCategoryKeyInput.Parse(request, caller.Org);
        EnsureMayDefine(caller, unit);

        var now = clock.GetUtcNow().UtcDateTime;
        return await database.WriteAsync(async session =>
        {
            _ = (await EffectiveAsync(session, unit)).Find(c => c.Code == code)
                ?? throw new NotFoundException("problem category", $"{code} in {unit}'s list");
            if (!await HasRowAsync(session, unit, code))
                await InsertAsync(session, unit, code, null, null, retire ? true : null, caller, now);
            // Restoring first clears the unit's own word; only if a unit above still retires it does the unit say "active".
            await SetRetiredAsync(session, unit, code, retire ? true : null, caller, now);
            var after = (await EffectiveAsync(session, unit)).Single(c => c.Code == code);
            if (!retire && after.Retired)
            {
                await SetRetiredAsync(session, unit, code, false, caller, now);
                after = (await EffectiveAsync(session, unit)).Single(c => c.Code == code);
            }
            await RecordAsync(session, unit, code, retire ? "retired" : "restored", null, null, caller, now);
            return after.ToProto();
        }, ct);
    }

    /// <summary>An admin of the unit or of a unit above it, or the system; never a unit beside it or below it.</summary>
    private static void EnsureMayDefine(Caller caller, OrgCode unit)
    {
        // The caller's own unit by default: a township or a village, or the nation (national defaults change by migration), holds none.
        if (!MayDefine(unit))
            throw new PermissionDeniedException(unit.IsNation
                ? "National problem categories change only with a release (migration)."
                : $"{unit} is a {unit.Level.ToString().ToLowerInvariant()}: problem categories are defined by a county, a city or a province for its subtree.");
        caller.EnsureAdmin(unit, $"Changing the problem categories of {unit}");
    }

    private static async Task<bool> HasRowAsync(DbSession session, OrgCode unit, string code) =>
        await session.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM problem_category_definitions WHERE unit_code = @unit AND code = @code",
            new { unit = unit.Value, code }) > 0;

    private static async Task InsertAsync(DbSession session, OrgCode unit, string code, string? name, string? departments, bool? retired, Caller caller, DateTime now)
    {
        var position = await session.ExecuteScalarAsync<int>(
            "SELECT COALESCE(MAX(position), 0) + 1 FROM problem_category_definitions WHERE unit_code = @unit", new { unit = unit.Value });
        await session.ExecuteAsync("""
            INSERT INTO problem_category_definitions (unit_code, code, name, helping_departments, retired, position, updated_by, updated_at)
            VALUES (@unit, @code, @name, @departments, @retired, @position, @by, @now)
            """, new { unit = unit.Value, code, name, departments, retired, position, by = caller.Subject, now });
    }

    private static Task SetRetiredAsync(DbSession session, OrgCode unit, string code, bool? retired, Caller caller, DateTime now) =>
        session.ExecuteAsync("""
            UPDATE problem_category_definitions SET retired = @retired, updated_by = @by, updated_at = @now
            WHERE unit_code = @unit AND code = @code
            """, new { retired, by = caller.Subject, now, unit = unit.Value, code });

    private static Task RecordAsync(DbSession session, OrgCode unit, string code, string kind, string? name, string? departments, Caller caller, DateTime now) =>
        session.ExecuteAsync("""
            INSERT INTO problem_category_changes (unit_code, code, kind, name, helping_departments, recorded_by, recorded_at)
            VALUES (@unit, @code, @kind, @name, @departments, @by, @now)
            """, new { unit = unit.Value, code, kind, name, departments, by = caller.Subject, now });
}
