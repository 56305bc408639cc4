using Grpc.Core;
using Rectify.Common.V1;
using Rectify.Documents;
using Rectify.Documents.Uploads;
using Rectify.Documents.Workbooks;
using Rectify.Kernel;
using Rectify.Organizations.Units;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using OrgLevel = Rectify.Common.V1.OrgLevel;

namespace Rectify.Organizations.Documents;

/// <summary>
/// The organizations service's templates and imports (docs/documents.md): a blank template for a county or township,
/// its drop-downs from that unit's own villages; an import checks every row against the same rules as the RPCs that
/// write one record, and writes all rows in one transaction with the same events — or, on any problem, nothing.
/// </summary>
public sealed class OrganizationDocuments(UnitStore units, TimeProvider clock)
{
    private static readonly HashSet<TemplateKind> Kinds = [TemplateKind.Units, TemplateKind.VillageProfiles, TemplateKind.Assignments];

    public async Task TemplateAsync(Caller caller, GetTemplateRequest request, Func<FileChunk, Task> write, CancellationToken ct)
    {
        var (kind, scope, year) = Parse(request.Kind, request.ScopeCode, request.CampaignYear);
        caller.EnsureCanRead(scope);
        var (unit, villages) = await units.Database.ReadAsync(s => ScopeAsync(s, scope), ct);
        var template = OrganizationTemplates.For(kind, villages, year);
        await TemplateWriter.SendAsync(template, unit.Name, write, ct);
    }

    public async Task<ImportReport> ImportAsync(Caller caller, IAsyncStreamReader<ImportChunk> chunks, CancellationToken ct)
    {
        await using var upload = await UploadedFile.ReceiveAsync(chunks, ct);
        var header = upload.Header;
        var (kind, scope, year) = Parse(header.Kind, header.ScopeCode, header.CampaignYear);
        // The rights once for the scope, before the file is parsed; each row is then held to the scope.
        caller.EnsureCanWrite(scope);
        var (_, villages) = await units.Database.ReadAsync(s => ScopeAsync(s, scope), ct);
        var template = OrganizationTemplates.For(kind, villages, year);
        var problems = new ImportProblems();
        var rows = kind == TemplateKind.Units && FileCheck.Sniff(upload.Content) == FileCheck.Kind.Text
            ? UnitsCsv.Read(upload.Content, template.Sheets[0], problems)
            : TemplateReader.Read(upload.Content, template, problems)[template.Sheets[0].Name];
        var today = clock.Today();
        IRowImport import = kind switch
        {
            TemplateKind.Units => new UnitRowsImport(caller, scope, clock.GetUtcNow(), today),
            TemplateKind.VillageProfiles => new ProfileRowsImport(caller, villages, clock.GetUtcNow(), today),
            _ => new AssignmentRowsImport(caller, villages, today),
        };

        if (header.DryRun || problems.Any)
        {
            var counts = await units.Database.ReadAsync(s => import.CheckAsync(s, rows, problems), ct);
            if (!header.DryRun) problems.ThrowIfAny();
            return problems.Report(dryRun: true, rows.Count, counts.Added, counts.Changed, counts.Unchanged);
        }

        var done = await units.Database.WriteAsync(async s =>
        {
            var counts = await import.CheckAsync(s, rows, problems);
            // Checked again inside the write: what another writer changed since is seen, and nothing is half-written.
            problems.ThrowIfAny();
            await import.ApplyAsync(s);
            return counts;
        }, ct);
        return problems.Report(dryRun: false, rows.Count, done.Added, done.Changed, done.Unchanged);
    }

    private (TemplateKind Kind, OrgCode Scope, int Year) Parse(TemplateKind kind, string scopeCode, int campaignYear)
    {
        var v = new Violations();
        v.Check(Kinds.Contains(kind), "kind", $"{kind} is not a template of the organizations service (units, village profiles, assignments)");
        var scope = v.Code("scope_code", scopeCode);
        var thisYear = clock.Today().Year;
        v.Check(campaignYear == 0 || campaignYear >= 2000 && campaignYear <= thisYear + 1, "campaign_year", $"must be 0 (this year) or between 2000 and {thisYear + 1}");
        v.ThrowIfAny();
        return (kind, scope!.Value, campaignYear == 0 ? thisYear : campaignYear);
    }

    /// <summary>The scope unit and its active villages (itself when it is a village), in code order, in one read.</summary>
    private async Task<(UnitRow Unit, IReadOnlyList<UnitRow> Villages)> ScopeAsync(DbSession session, OrgCode scope)
    {
        var unit = scope.IsNation ? new UnitRow { Code = scope.Value, Name = "全国" } : await units.FindAsync(session, scope.Value) ?? throw new NotFoundException("unit", scope.Value);
        if (scope.Level == OrgLevel.Village) return (unit, unit.IsActive ? [unit] : []);
        var (low, high) = scope.SubtreeRange;
        var villages = (await session.QueryAsync<UnitRow>("""
            SELECT code AS Code, name AS Name, level AS Level, parent_code AS ParentCode, status AS Status
            FROM units WHERE code > @low AND code <= @high AND level = @level AND status = 1
            ORDER BY code
            """, new { low, high, level = (int)OrgLevel.Village })).ToList();
        return (unit, villages);
    }
}

/// <summary>Added, changed and unchanged rows of an import.</summary>
internal readonly record struct ImportCounts(int Added, int Changed, int Unchanged);

/// <summary>One kind's rows: checked against the database (in the dry run's read or the import's write), then written.</summary>
internal interface IRowImport
{
    Task<ImportCounts> CheckAsync(DbSession session, IReadOnlyList<TemplateRow> rows, ImportProblems problems);
    Task ApplyAsync(DbSession session);
}

/// <summary>The rules' own words (field violations of the RPCs' inputs) in Chinese, for a row's problem.</summary>
internal static class RuleWords
{
    public static void AddAll(ImportProblems problems, TemplateRow row, ValidationException refused, IReadOnlyDictionary<string, string> headers)
    {
        foreach (var violation in refused.Violations)
        {
            var header = headers.TryGetValue(violation.Field, out var h) ? h : null;
            var reason = Chinese(violation.Description, headers);
            if (header is not null) problems.Add(row, header, reason);
            else problems.Add(row, reason);
        }
    }

    private static string Chinese(string description, IReadOnlyDictionary<string, string> headers)
    {
        if (description == "is required") return "必填，不能为空。";
        if (description == "must not be negative") return "不能为负数。";
        if (description == "must be a single line") return "只能填一行文字，不能换行。";
        if (description.StartsWith("must not contain the control character", StringComparison.Ordinal)) return "含有不可见的控制字符，请删除后重新输入。";
        if (description.StartsWith("must be at most ", StringComparison.Ordinal)) return $"太长（最多{description.Split(' ')[3]}字）。";
        if (description.StartsWith("must be between ", StringComparison.Ordinal)) return $"应在{description["must be between ".Length..].Replace(" and ", "至")}之间。";
        if (description.StartsWith("must not exceed ", StringComparison.Ordinal))
        {
            var other = description["must not exceed ".Length..];
            return $"不能超过「{headers.FirstOrDefault(h => h.Key.EndsWith(other, StringComparison.Ordinal)).Value ?? other}」。";
        }
        if (description == "must be at least the number of households") return $"不能少于「{OrganizationTemplates.Households}」。";
        if (description.StartsWith("add up to ", StringComparison.Ordinal)) return "各年龄段人数之和超过了党员人数。";
        if (description.StartsWith("may hold digits", StringComparison.Ordinal)) return "只能含数字、空格、+和-。";
        if (description.StartsWith("from the year before campaign year", StringComparison.Ordinal) || description.Contains("to its end", StringComparison.Ordinal))
            return "应在整顿年度的上一年1月1日至当年12月31日之间。";
        return $"不符合规则（{description}）。";
    }
}
