using Dapper;
using Rectify.Assessment.Campaigns;
using Rectify.Assessment.V1;
using Rectify.Common.V1;
using Rectify.Documents;
using Rectify.Documents.Uploads;
using Rectify.Documents.Workbooks;
using Rectify.Events.Assessment;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;
using Rectify.Platform.Outbox;
using Rectify.Platform.Storage;

namespace Rectify.Assessment.Documents;

/// <summary>
/// The 往年整顿对象及结果 template (TEMPLATE_KIND_PAST_TARGETS) of a county, and its import: earlier years' targets with the
/// date and basis of the county's decision, recorded through RecordPastTargets' own write (rows grouped by year, date and
/// basis, one TargetsDesignated each), and their archived outcome. Matched by year and village: the same decision →
/// unchanged; a different date or basis → a problem, never a silent overwrite. An outcome is recorded on a target still
/// designated; one that contradicts an outcome already recorded is a problem.
/// </summary>
public sealed class PastTargetsWorkbook(Database<AssessmentModule> database, PastDesignationService past, TimeProvider clock)
{
    public const string Sheet = "往年整顿对象";
    public const string Year = "整顿年度";
    public const string Village = "村代码";
    public const string VillageName = "村名称";
    public const string DecidedOn = "确定日期";
    public const string Basis = "确定依据";
    public const string Outcome = "整顿结果";
    public const string AcceptedOn = "验收日期";
    public const string Accepted = "已验收（摘帽）", Failed = "验收未通过（回炉）", NotYet = "尚未验收";

    public static WorkbookTemplate Template(int lastYear) => new(TemplateKind.PastTargets,
    [
        new TemplateSheet(Sheet,
        [
            new(Year, CellKind.Integer, Width: 10, Note: $"整顿对象所属的年度，只能是往年（最晚{lastYear}年）。", Example: "2022"),
            new(Village, CellKind.Code, Width: 16, Note: "整顿对象村的12位统计用区划代码（已撤并的村也可填写）。", Example: "360731203210"),
            new(VillageName, CellKind.Text, Required: false, Width: 14, Note: "便于核对，不导入（以代码为准）。", Example: "禾坑村", MaxLength: 50),
            new(DecidedOn, CellKind.Date, Width: 12, Note: "县委确定整顿对象的日期。", Example: "2022-04-10"),
            new(Basis, CellKind.Text, Width: 36, Note: "确定的依据（文件文号或会议）。同一年度同一批确定的对象填写相同的日期和依据。", Example: "县委组发〔2022〕40号", MaxLength: 1000),
            new(Outcome, CellKind.Choice, Required: false, Width: 18, Note: "该对象的整顿结果；不填表示不登记结果。", Example: Accepted, Choices: [Accepted, Failed, NotYet]),
            new(AcceptedOn, CellKind.Date, Required: false, Width: 12, Note: "验收的日期：整顿结果为“已验收”或“验收未通过”时必填。", Example: "2022-12-20"),
        ]),
    ],
    [
        "每个往年整顿对象一行：年度、村代码、县委确定的日期和依据；结果和验收日期可在验收后补填，再次导入。",
        "同一文件重复导入不会重复记录；已记录的对象确定日期或依据不同、结果与已记录的不同，均列为问题，不会覆盖。",
        "往年的整顿结果按归档记录登记：已验收记为“已转化”，验收日期即摘帽日期；不再按当年的验收规则（措施全部销号）检查。",
    ]);

    private sealed class TargetRow
    {
        public int Year { get; set; }
        public string VillageCode { get; set; } = "";
        public int Status { get; set; }
        public DateOnly? AcceptedOn { get; set; }
        public DateOnly? DecidedOn { get; set; }
        public string? Basis { get; set; }
    }

    /// <summary>One village's recorded decision and what the row asks of it.</summary>
    private sealed record Row(int Year, Branch Branch, DateOnly DecidedOn, string Basis, TargetStatus? Outcome, DateOnly? AcceptedOn, bool IsNew);

    private OrgCode Parse(TemplateKind kind, string scopeCode)
    {
        var v = new Violations();
        v.Check(kind == TemplateKind.PastTargets, "kind", "须为「往年整顿对象及结果」模板（TEMPLATE_KIND_PAST_TARGETS）。");
        var unit = v.Code("scope_code", scopeCode);
        if (unit is { } u) v.Check(u.Level == OrgLevel.County, "scope_code", "须为县的代码（往年整顿对象由县委确定，按县填写）。");
        v.ThrowIfAny();
        return unit!.Value;
    }

    public async Task TemplateAsync(Caller caller, GetTemplateRequest request, Func<FileChunk, Task> write, CancellationToken ct)
    {
        var county = Parse(request.Kind, request.ScopeCode);
        caller.EnsureCanRead(county);
        var template = Template(clock.Today().Year - 1);
        var name = await past.NameOfAsync(county, ct);
        await TemplateWriter.SendAsync(template, name, write, ct);
    }

    public async Task<ImportReport> ImportAsync(Caller caller, UploadedFile upload, CancellationToken ct)
    {
        var header = upload.Header;
        var county = Parse(header.Kind, header.ScopeCode);
        // RecordPastTargets' rule: an earlier year's targets are the county's decision.
        caller.EnsureCountyDecision(county, "Recording an earlier year's targets");
        var today = clock.Today();

        var problems = new ImportProblems();
        var sheets = TemplateReader.Read(upload.Content, Template(today.Year - 1), problems);
        var rows = sheets[Sheet];
        // Everything the checks need, before any write: the county's villages (one call) and its campaigns and targets (two queries).
        var villages = await past.CountyBranchesAsync(county, ct);
        var (campaigns, targets) = await database.ReadAsync(async session =>
        {
            var campaigns = (await session.QueryAsync<CampaignRow>($"SELECT {CampaignRow.Columns} FROM campaigns WHERE county_code = @county", new { county = county.Value }))
                .ToDictionary(c => c.Year);
            var targets = (await session.QueryAsync<TargetRow>("""
                SELECT c.year AS Year, t.village_code AS VillageCode, t.status AS Status, t.accepted_on AS AcceptedOn, t.decided_on AS DecidedOn, t.basis AS Basis
                FROM targets t JOIN campaigns c ON c.id = t.campaign_id WHERE c.county_code = @county
                """, new { county = county.Value })).ToDictionary(t => (t.Year, t.VillageCode));
            return (campaigns, targets);
        }, ct);

        var (checkedRows, added, changed, unchanged) = Check(rows, county, today, villages, campaigns, targets, problems);
        if (header.DryRun || problems.Any)
        {
            if (!header.DryRun) problems.ThrowIfAny();
            return problems.Report(dryRun: true, rows.Count, added, changed, unchanged);
        }
        if (added + changed > 0)
        {
            var now = clock.GetUtcNow();
            await database.WriteAsync(session => WriteAsync(session, caller, county, checkedRows, campaigns, now), ct);
        }
        return problems.Report(dryRun: false, rows.Count, added, changed, unchanged);
    }

    private static (List<Row> Rows, int Added, int Changed, int Unchanged) Check(IReadOnlyList<TemplateRow> rows, OrgCode county, DateOnly today,
        Dictionary<string, Branch> villages, Dictionary<int, CampaignRow> campaigns, Dictionary<(int, string), TargetRow> targets, ImportProblems problems)
    {
        var result = new List<Row>();
        var seen = new HashSet<(int, string)>();
        int added = 0, changed = 0, unchanged = 0;
        foreach (var row in rows)
        {
            var ok = true;
            var year = row.Int(Year);
            if (year is { } y && (y < 2000 || y >= today.Year))
            {
                problems.Add(row, Year, $"只能录入往年的整顿对象（2000—{today.Year - 1}年）：{today.Year}年及以后的整顿对象由当年的“两评”和确认产生。");
                ok = false;
            }
            else if (year is { } ry && campaigns.TryGetValue(ry, out var run) && !run.EnteredAsHistory)
            {
                problems.Add(row, Year, $"{ry}年度的整顿在本系统中开展：整顿对象来自当年的评价和确认，不能按往年记录导入。");
                ok = false;
            }

            Branch? branch = null;
            if (row.Text(Village) is { } code)
            {
                var unit = OrgCode.Parse(code);
                if (!county.IsAncestorOrSelfOf(unit)) problems.Add(row, Village, $"{code}不在{county.Value}范围内：只能导入本县的村。");
                else if (unit.Level != OrgLevel.Village) problems.Add(row, Village, $"{code}不是村的代码。");
                else if (!villages.TryGetValue(code, out branch)) problems.Add(row, Village, $"组织机构中没有代码为{code}的村：请先核对代码。");
            }
            if (branch is null) ok = false;

            var decidedOn = row.Date(DecidedOn);
            if (year is { } dy && dy >= 2000 && dy < today.Year && decidedOn is { } d)
            {
                var endsOn = campaigns.TryGetValue(dy, out var had) ? had.Rules.EndsOn : new DateOnly(dy, 12, 31);
                var latest = endsOn < today ? endsOn : today;
                if (d < new DateOnly(dy - 1, 1, 1) || d > latest)
                {
                    problems.Add(row, DecidedOn, $"须在{dy - 1}年1月1日到{latest:yyyy年M月d日}之间：整顿对象在上一年至当年整顿结束前确定，且不晚于今天。");
                    ok = false;
                }
            }
            var basis = row.Text(Basis);
            if (basis is not null && Violations.TextProblem(basis, multiline: false) is not null)
            {
                problems.Add(row, Basis, "含有不可见的控制字符：请删除后重新输入。");
                ok = false;
            }

            TargetStatus? outcome = row.Text(Outcome) switch
            {
                Accepted => TargetStatus.Transformed,
                Failed => TargetStatus.Reopened,
                NotYet => TargetStatus.Designated,
                _ => null,
            };
            var acceptedOn = row.Date(AcceptedOn);
            if (outcome is TargetStatus.Transformed or TargetStatus.Reopened)
            {
                if (acceptedOn is null) { problems.Add(row, AcceptedOn, $"整顿结果为“{row.Text(Outcome)}”时必须填写验收日期。"); ok = false; }
                else if (acceptedOn > today || (decidedOn is { } from && acceptedOn < from))
                {
                    problems.Add(row, AcceptedOn, "验收日期须在确定日期之后，且不晚于今天。");
                    ok = false;
                }
            }
            else if (acceptedOn is not null) { problems.Add(row, AcceptedOn, "整顿结果不是“已验收”或“验收未通过”时不填验收日期。"); ok = false; }
            if (!ok || year is null || decidedOn is null || basis is null) continue;

            if (!seen.Add((year.Value, branch!.VillageCode))) { problems.Add(row, Village, $"{branch.VillageName}的{year}年度重复填写：每个对象只填一行。"); continue; }
            if (!targets.TryGetValue((year.Value, branch.VillageCode), out var target))
            {
                added++;
                result.Add(new Row(year.Value, branch, decidedOn.Value, basis, outcome is TargetStatus.Designated ? null : outcome, acceptedOn, IsNew: true));
                continue;
            }
            if (target.DecidedOn != decidedOn || target.Basis != basis)
            {
                problems.Add(row, target.DecidedOn != decidedOn ? DecidedOn : Basis,
                    $"{branch.VillageName}已记录为{year}年度整顿对象（{target.DecidedOn:yyyy年M月d日}，{target.Basis}），与本行不同：已记录的确定不会被覆盖。");
                continue;
            }
            var status = (TargetStatus)target.Status;
            if (outcome is null || (outcome == status && (status != TargetStatus.Transformed || target.AcceptedOn == acceptedOn))) { unchanged++; continue; }
            if (status != TargetStatus.Designated)
            {
                problems.Add(row, Outcome, $"{branch.VillageName}的{year}年度整顿结果已记录为{Label(status)}{(target.AcceptedOn is { } on ? $"（{on:yyyy年M月d日}验收）" : "")}，与本行不同：已记录的结果不会被覆盖。");
                continue;
            }
            changed++;
            result.Add(new Row(year.Value, branch, decidedOn.Value, basis, outcome, acceptedOn, IsNew: false));
        }
        return (result, added, changed, unchanged);
    }

    private static string Label(TargetStatus status) => status switch
    {
        TargetStatus.Transformed => "“已验收（已转化）”",
        TargetStatus.Reopened => "“验收未通过（回炉）”",
        _ => "“尚未验收”",
    };

    /// <summary>
    /// All groups in one write: each (year, date, basis) through RecordPastTargets' write, then each archived outcome on its
    /// target. 已验收 publishes TargetTransformed as a live acceptance does; 未通过 publishes PastAcceptanceFailedRecorded, not
    /// AcceptanceFailed, which stands for a review held now: its consumers reopen the target's measures from a recorded
    /// review and tell the township of a new deadline, neither of which an archived outcome has.
    /// </summary>
    private static async Task<int> WriteAsync(DbSession session, Caller caller, OrgCode county, List<Row> rows, Dictionary<int, CampaignRow> campaigns, DateTimeOffset now)
    {
        var campaignIds = campaigns.ToDictionary(c => c.Key, c => c.Value.Id);
        foreach (var group in rows.Where(r => r.IsNew).GroupBy(r => (r.Year, r.DecidedOn, r.Basis)))
        {
            var (year, decidedOn, basis) = group.Key;
            campaignIds[year] = await PastDesignationService.WriteAsync(session, caller, county, year, new DateOnly(year, 12, 31), endsOnGiven: false,
                decidedOn, basis, [.. group.Select(r => r.Branch)], now);
        }
        foreach (var row in rows.Where(r => r.Outcome is TargetStatus.Transformed or TargetStatus.Reopened))
        {
            var key = new { id = campaignIds[row.Year], village = row.Branch.VillageCode };
            var updated = await session.ExecuteAsync("""
                UPDATE targets SET status = @after, accepted_on = @acceptedOn, version = version + 1
                WHERE campaign_id = @id AND village_code = @village AND status = @before
                """, new
            {
                after = (int)row.Outcome!.Value, acceptedOn = row.Outcome == TargetStatus.Transformed ? row.AcceptedOn : null,
                key.id, key.village, before = (int)TargetStatus.Designated,
            });
            if (updated == 0) throw new PreconditionFailedException("CHANGED_CONCURRENTLY", row.Branch.VillageCode, "The target changed while the file was imported; import it again.");
            var version = await session.ExecuteScalarAsync<long>("SELECT version FROM targets WHERE campaign_id = @id AND village_code = @village", key);
            // No score: an archived outcome is entered without the review's figures.
            await session.PublishAsync(row.Outcome == TargetStatus.Transformed
                ? (Rectify.Events.IIntegrationEvent)new TargetTransformed(key.id, row.Year, row.Branch.VillageCode, row.Branch.VillageName, 0, row.AcceptedOn!.Value, now, version)
                : new PastAcceptanceFailedRecorded(key.id, row.Year, row.Branch.VillageCode, row.Branch.VillageName, row.AcceptedOn!.Value, now, version));
        }
        return 0;
    }
}
