using Dapper;
using Grpc.Core;
using Rectify.Assessment.Campaigns;
using Rectify.Assessment.Identification;
using Rectify.Assessment.V1;
using Rectify.Common.V1;
using Rectify.Documents;
using Rectify.Documents.Uploads;
using Rectify.Documents.Workbooks;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;

namespace Rectify.Assessment.Documents;

/// <summary>
/// The 两评—调研结果 template (TEMPLATE_KIND_ASSESSMENTS) of a county's or township's branches in a year's campaign, and its
/// import: each village's ballots and four committee scores (两评) and the survey's findings (调研), recorded as
/// RecordAssessment records them. Matched by village and campaign: equal to the latest revision → unchanged; different
/// before the targets are confirmed → a new revision (changed); after confirmation the scores are frozen and a correction
/// needs a reviewer's reason (CorrectAssessment), so a different row then is a problem, never a silent correction.
/// </summary>
public sealed class AssessmentWorkbook(Database<AssessmentModule> database, TimeProvider clock)
{
    public const string ScoresSheet = "两评结果";
    public const string FindingsSheet = "调研发现";
    public const string Village = "村代码";
    public const string VillageName = "村名称";
    public const string Satisfied = "满意票";
    public const string BasicallySatisfied = "基本满意票";
    public const string Dissatisfied = "不满意票";
    public const string Ballots = "总票数";
    public const string TeamOperation = "班子运行";
    public const string OrganizationalSystems = "组织制度落实";
    public const string CadreTeam = "队伍建设";
    public const string VanguardRole = "先锋作用发挥";
    public const string FindingKind = "调研发现类别";
    public const string FindingNote = "说明";

    private static readonly string[] ScoreHeaders = [TeamOperation, OrganizationalSystems, CadreTeam, VanguardRole];

    public static WorkbookTemplate Template(IReadOnlyList<string> findingNames) => new(TemplateKind.Assessments,
    [
        new TemplateSheet(ScoresSheet,
        [
            new(Village, CellKind.Code, Width: 16, Note: "参加本年度“两评”的村的12位统计用区划代码。", Example: "360731101201"),
            new(VillageName, CellKind.Text, Required: false, Width: 14, Note: "便于核对，不导入（以代码为准）。", Example: "上坪村", MaxLength: 50),
            new(Satisfied, CellKind.Integer, Width: 10, Note: "群众评议：满意票数。", Example: "80"),
            new(BasicallySatisfied, CellKind.Integer, Width: 12, Note: "群众评议：基本满意票数。", Example: "15"),
            new(Dissatisfied, CellKind.Integer, Width: 10, Note: "群众评议：不满意票数。", Example: "5"),
            new(Ballots, CellKind.Integer, Width: 10, Note: "总票数，须等于三项之和。", Example: "100"),
            new(TeamOperation, CellKind.Decimal, Width: 10, Note: "乡镇党委评价：班子运行，0—100分，最多两位小数。", Example: "85.5"),
            new(OrganizationalSystems, CellKind.Decimal, Width: 12, Note: "乡镇党委评价：组织制度落实，0—100分。", Example: "80"),
            new(CadreTeam, CellKind.Decimal, Width: 10, Note: "乡镇党委评价：队伍建设，0—100分。", Example: "78"),
            new(VanguardRole, CellKind.Decimal, Width: 12, Note: "乡镇党委评价：先锋作用发挥，0—100分。", Example: "82"),
        ]),
        new TemplateSheet(FindingsSheet,
        [
            new(Village, CellKind.Code, Width: 16, Note: "与「两评结果」中的村代码相同。", Example: "360731101201"),
            new(FindingKind, CellKind.Choice, Width: 28, Note: "调研发现的问题，从下拉列表选择；一行一项，同一村同一类别只填一次。", Example: findingNames.FirstOrDefault() ?? "", Choices: findingNames),
            new(FindingNote, CellKind.LongText, Required: false, Width: 50, Note: "具体情况说明。", Example: "村集体经营性收入不足5万元", MaxLength: 1000),
        ]),
    ],
    [
        "「两评结果」每村一行：群众评议票数和乡镇党委评价四项得分；「调研发现」每项发现一行，没有发现的村不填。",
        "同一文件重复导入不会重复记录；整顿对象确认前，分数不同即记为该村评价的新版本；确认后分数冻结，更正须由县级审核人在页面上填写理由。",
    ]);

    private sealed record Scope(OrgCode Unit, CampaignRow Campaign, Dictionary<string, Branch> Branches, Dictionary<string, AssessmentRow> Latest)
    {
        public Settings Rules { get; } = Campaign.Rules;
        public List<string> Choices => [.. Rules.FindingRules.Select(r => r.Name)];
    }

    private (OrgCode Unit, int Year) Parse(TemplateKind kind, string scopeCode, int campaignYear)
    {
        var v = new Violations();
        v.Check(kind == TemplateKind.Assessments, "kind", "须为「两评—调研结果」（TEMPLATE_KIND_ASSESSMENTS）或「往年整顿对象及结果」模板。");
        var unit = v.Code("scope_code", scopeCode);
        if (unit is { } u) v.Check(u.Level is OrgLevel.County or OrgLevel.Township, "scope_code", "须为县或乡镇的代码（两评—调研结果按县或乡镇填写）。");
        var today = clock.Today();
        var year = campaignYear == 0 ? today.Year : campaignYear;
        v.Check(year >= 2000 && year <= today.Year + 1, "campaign_year", $"须在2000到{today.Year + 1}之间。");
        v.ThrowIfAny();
        return (unit!.Value, year);
    }

    /// <summary>The campaign, its branches in the scope and their latest assessments: a fixed number of queries.</summary>
    private static async Task<Scope> LoadAsync(DbSession session, OrgCode unit, int year)
    {
        var county = unit.AncestorAt(OrgLevel.County);
        var campaign = await session.QuerySingleOrDefaultAsync<CampaignRow>(
            $"SELECT {CampaignRow.Columns} FROM campaigns WHERE county_code = @county AND year = @year", new { county = county.Value, year })
            ?? throw new NotFoundException("campaign", $"{county.Value}/{year}");
        if (campaign.EnteredAsHistory)
            throw new PreconditionFailedException("ENTERED_AS_HISTORY", campaign.Id, $"The {year} campaign was entered as history; it takes no assessments.");
        var branches = (await CampaignStore.BranchesAsync(session, campaign.Id)).Where(b => unit.IsAncestorOrSelfOf(OrgCode.Parse(b.VillageCode))).ToDictionary(b => b.VillageCode);
        return new Scope(unit, campaign, branches, await CampaignStore.LatestAssessmentsAsync(session, campaign.Id));
    }

    public async Task TemplateAsync(Caller caller, GetTemplateRequest request, Func<FileChunk, Task> write, CancellationToken ct)
    {
        var (unit, year) = Parse(request.Kind, request.ScopeCode, request.CampaignYear);
        caller.EnsureCanRead(unit);
        var scope = await database.ReadAsync(session => LoadAsync(session, unit, year), ct);
        var template = Template(scope.Choices);
        var name = UnitName(scope);
        await TemplateWriter.SendAsync(template, name, write, ct);
    }

    private static string UnitName(Scope scope) =>
        $"{(scope.Unit.Level == OrgLevel.Township && scope.Branches.Values.FirstOrDefault() is { } b ? b.TownshipName : scope.Unit.Value)}{scope.Campaign.Year}年度";

    public async Task<ImportReport> ImportAsync(Caller caller, UploadedFile upload, CancellationToken ct)
    {
        var header = upload.Header;
        var (unit, year) = Parse(header.Kind, header.ScopeCode, header.CampaignYear);
        // RecordAssessment's rule: a unit above the village assesses it; the scope is a county or township, its villages below it.
        caller.EnsureCanWrite(unit);
        var scope = await database.ReadAsync(session => LoadAsync(session, unit, year), ct);
        caller.EnsureInLine(scope.Campaign.Owned);

        var problems = new ImportProblems();
        var sheets = TemplateReader.Read(upload.Content, Template(scope.Choices), problems);
        var rowCount = sheets.Values.Sum(r => r.Count);
        var (writes, added, changed, unchanged) = Check(sheets, scope, problems);

        if (header.DryRun || problems.Any)
        {
            if (!header.DryRun) problems.ThrowIfAny();
            return problems.Report(dryRun: true, rowCount, added, changed, unchanged);
        }
        if (writes.Count > 0)
        {
            var now = clock.GetUtcNow();
            await database.WriteAsync(async session =>
            {
                foreach (var input in writes) await IdentificationService.WriteAsync(session, caller, input, correctionReason: null, now);
                return 0;
            }, ct);
        }
        return problems.Report(dryRun: false, rowCount, added, changed, unchanged);
    }

    private static (List<RecordAssessmentInput> Writes, int Added, int Changed, int Unchanged) Check(
        IReadOnlyDictionary<string, IReadOnlyList<TemplateRow>> sheets, Scope scope, ImportProblems problems)
    {
        var ruleByName = scope.Rules.FindingRules.GroupBy(r => r.Name).ToDictionary(g => g.Key, g => g.First().Code);

        Branch? BranchOf(TemplateRow row)
        {
            if (row.Text(Village) is not { } code) return null;
            if (!scope.Unit.IsAncestorOrSelfOf(OrgCode.Parse(code))) problems.Add(row, Village, $"{code}不在{scope.Unit.Value}范围内：只能导入本单位所辖的村。");
            else if (!scope.Branches.TryGetValue(code, out var branch)) problems.Add(row, Village, $"{code}不是{scope.Campaign.Year}年度“两评”名单中的村（或代码有误）。");
            else return branch;
            return null;
        }

        var scores = new Dictionary<string, (TemplateRow Row, Votes Votes, RecordAssessmentInput.Scores Scores)>();
        var listed = new HashSet<string>();
        foreach (var row in sheets[ScoresSheet])
        {
            var branch = BranchOf(row);
            if (branch is not null) listed.Add(branch.VillageCode);
            int?[] votes = [row.Int(Satisfied), row.Int(BasicallySatisfied), row.Int(Dissatisfied), row.Int(Ballots)];
            var ok = votes.All(v => v is not null);
            string[] voteHeaders = [Satisfied, BasicallySatisfied, Dissatisfied, Ballots];
            for (var i = 0; i < votes.Length; i++)
                if (votes[i] is < 0) { problems.Add(row, voteHeaders[i], "票数不能为负数。"); ok = false; }
            if (ok && votes[3] == 0) { problems.Add(row, Ballots, "总票数至少为1。"); ok = false; }
            if (ok && (long)votes[0]!.Value + votes[1]!.Value + votes[2]!.Value != votes[3])
            {
                problems.Add(row, Ballots, $"满意、基本满意、不满意票之和为{(long)votes[0]!.Value + votes[1]!.Value + votes[2]!.Value}，与总票数{votes[3]}不符。");
                ok = false;
            }
            var hundredths = new int[4];
            for (var i = 0; i < ScoreHeaders.Length; i++)
            {
                if (row.Decimal(ScoreHeaders[i]) is not { } points) { ok = false; continue; }
                if (points is < 0 or > 100) { problems.Add(row, ScoreHeaders[i], "得分须在0到100分之间。"); ok = false; continue; }
                hundredths[i] = (int)(points * 100);
            }
            if (branch is null || !ok) continue;
            if (scores.ContainsKey(branch.VillageCode)) { problems.Add(row, Village, $"{branch.VillageName}重复填写：每村只填一行。"); continue; }
            scores[branch.VillageCode] = (row, new Votes { Satisfied = votes[0]!.Value, BasicallySatisfied = votes[1]!.Value, Dissatisfied = votes[2]!.Value, Ballots = votes[3]!.Value },
                new RecordAssessmentInput.Scores(hundredths[0], hundredths[1], hundredths[2], hundredths[3]));
        }

        var findings = new Dictionary<string, List<Finding>>();
        foreach (var row in sheets[FindingsSheet])
        {
            var branch = BranchOf(row);
            var code = row.Text(FindingKind) is { } name ? ruleByName.GetValueOrDefault(name) : null;
            var note = row.Text(FindingNote) ?? "";
            if (Violations.TextProblem(note, multiline: true) is not null) { problems.Add(row, FindingNote, "含有不可见的控制字符：请删除后重新输入。"); continue; }
            if (branch is null || code is null) continue;
            if (!listed.Contains(branch.VillageCode))
            {
                problems.Add(row, Village, $"「{ScoresSheet}」中没有{branch.VillageName}（{branch.VillageCode}）：调研发现随该村的两评结果一起导入。");
                continue;
            }
            var list = findings.TryGetValue(branch.VillageCode, out var l) ? l : findings[branch.VillageCode] = [];
            if (list.Any(f => f.Code == code)) { problems.Add(row, FindingKind, $"{branch.VillageName}的这一类别已填写过：同一类别只填一行。"); continue; }
            list.Add(new Finding { Code = code, Note = note });
        }

        var writes = new List<RecordAssessmentInput>();
        int added = 0, changed = 0, unchanged = 0;
        foreach (var (code, (row, votes, committee)) in scores)
        {
            var found = findings.GetValueOrDefault(code) ?? [];
            var input = new RecordAssessmentInput(scope.Campaign.Id, OrgCode.Parse(code), votes, committee, found);
            if (scope.Latest.TryGetValue(code, out var had) && Same(had, input)) { unchanged++; continue; }
            if (scope.Campaign.Confirmed)
            {
                problems.Add(row, had is null ? "整顿对象已确认，评价结果已冻结：不能再补录该村的两评结果。" :
                    "整顿对象已确认，分数已冻结：与已记录的结果不同，更正须由县级审核人在页面上填写理由（更正评价）。");
                continue;
            }
            if (had is null) added++;
            else changed++;
            writes.Add(input);
        }
        return (writes, added, changed, unchanged);
    }

    private static bool Same(AssessmentRow had, RecordAssessmentInput input) =>
        had.Satisfied == input.Votes.Satisfied && had.BasicallySatisfied == input.Votes.BasicallySatisfied && had.Dissatisfied == input.Votes.Dissatisfied
        && had.Ballots == input.Votes.Ballots && had.TeamOperation == input.Committee.TeamOperation && had.OrganizationalSystems == input.Committee.OrganizationalSystems
        && had.CadreTeam == input.Committee.CadreTeam && had.VanguardRole == input.Committee.VanguardRole
        && had.FindingList.OrderBy(f => f.Code).SequenceEqual(input.Findings.OrderBy(f => f.Code).Select(f => new AssessmentRow.FindingRecord(f.Code, f.Note)));
}
