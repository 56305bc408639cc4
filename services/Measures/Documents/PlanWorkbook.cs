using Dapper;
using Grpc.Core;
using Rectify.Common.V1;
using Rectify.Documents;
using Rectify.Documents.Uploads;
using Rectify.Documents.Workbooks;
using Rectify.Kernel;
using Rectify.Measures.Categories;
using Rectify.Measures.Ledger;
using Rectify.Measures.Plans;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;

namespace Rectify.Measures.Documents;

/// <summary>
/// The 问题清单和整改措施 template (TEMPLATE_KIND_PLAN) of a township's or a village's targets, and its import: a target
/// without a plan gets one (CreatePlan's rules and events), new measures of an existing problem are added (AddMeasure's),
/// rows equal to the plan are unchanged, and a changed text of what the plan already holds is a problem, never overwritten.
/// </summary>
public sealed class PlanWorkbook(Database<MeasuresModule> database, TimeProvider clock)
{
    public const string ProblemsSheet = "问题清单";
    public const string MeasuresSheet = "整改措施";
    public const string Village = "村代码";
    public const string ProblemNo = "问题序号";
    public const string Category = "问题类别";
    public const string ProblemText = "问题表现";
    public const string MeasureNo = "措施序号";
    public const string MeasureText = "整改措施";
    public const string Persons = "责任人";
    public const string Deadline = "完成时限";
    public const string Ongoing = "长期坚持";

    /// <summary>The phases a plan made by an import gets (the seed's three), each ending before the campaign's end; edited later on the plan's page.</summary>
    public static readonly string[] DefaultPhases = ["集中整顿", "自查评估", "巩固提高"];

    private static readonly char[] PersonSeparators = ['、', '，', ',', '；', ';', ' ', '\u3000', '\n'];

    public static WorkbookTemplate Template(IReadOnlyList<string> categoryNames) => new(TemplateKind.Plan,
    [
        new TemplateSheet(ProblemsSheet,
        [
            new(Village, CellKind.Code, Width: 16, Note: "整顿对象（村）的12位统计用区划代码：只能是本单位当年的整顿对象。", Example: "360731101201"),
            new(ProblemNo, CellKind.Integer, Width: 10, Note: "该村问题的序号，从1起连续编号（问题一填1）。", Example: "1"),
            new(Category, CellKind.Choice, Width: 26, Note: "从下拉列表中选择本县的问题类别。", Example: categoryNames.FirstOrDefault() ?? "", Choices: categoryNames),
            new(ProblemText, CellKind.LongText, Width: 60, Note: "问题的具体表现，照方案原文填写。", Example: "村级集体经济薄弱，带富致富能力不强", MaxLength: 4000),
        ]),
        new TemplateSheet(MeasuresSheet,
        [
            new(Village, CellKind.Code, Width: 16, Note: "与「问题清单」中的村代码相同。", Example: "360731101201"),
            new(ProblemNo, CellKind.Integer, Width: 10, Note: "措施针对的问题：须是「问题清单」中该村已填的问题序号。", Example: "1"),
            new(MeasureNo, CellKind.Integer, Width: 10, Note: "该问题下措施的序号，从1起连续编号。", Example: "1"),
            new(MeasureText, CellKind.LongText, Width: 60, Note: "一条整改措施，一行只填一条。", Example: "积极争取村级集体经济扶持资金，发展特色种养产业", MaxLength: 4000),
            new(Persons, CellKind.Text, Width: 20, Note: "整改责任人，多人用顿号“、”分隔。", Example: "刘文华、陈建国", MaxLength: 1000),
            new(Deadline, CellKind.Date, Width: 14, Note: "完成时限，填日期。方案写「2022年10月前」填 2022-09-30。", Example: "2026-09-30"),
            new(Ongoing, CellKind.YesNo, Required: false, Width: 10, Note: "方案写「……前及长期坚持」的措施选“是”，其余选“否”或不填。", Example: "是"),
        ]),
    ],
    [
        "「问题清单」每行一个问题，「整改措施」每行一条措施；措施按村代码和问题序号对应到问题。",
        "方案写「2022年10月前及长期坚持」的措施：「完成时限」填日期（2022-09-30），「长期坚持」选“是”。不要在日期列填文字。",
        "尚无整顿方案的村，导入后按所填问题和措施建立方案（阶段默认为集中整顿、自查评估、巩固提高，基本情况和目标待在页面上补充）；已有方案的村，只能为已有问题新增措施，已有问题和措施的修改请在页面上进行。",
    ]);

    /// <summary>A target in the scope, with what its plan already holds (null: no plan yet).</summary>
    private sealed record Target(string VillageCode, string VillageName, string TownshipName, DateOnly CampaignEndsOn)
    {
        public ExistingPlan? Plan { get; set; }
    }

    private sealed record ExistingPlan(string Id, DateOnly StartsOn)
    {
        public Dictionary<int, ExistingProblem> Problems { get; } = [];
    }

    private sealed record ExistingProblem(string Id, string CategoryCode, string Description)
    {
        public Dictionary<int, MeasureRow> Measures { get; } = [];
    }

    private sealed class PlanKey
    {
        public string Id { get; set; } = "";
        public string VillageCode { get; set; } = "";
        public DateOnly StartsOn { get; set; }
    }

    private sealed class ProblemKey
    {
        public string Id { get; set; } = "";
        public string PlanId { get; set; } = "";
        public int Position { get; set; }
        public string CategoryCode { get; set; } = "";
        public string Description { get; set; } = "";
    }

    private sealed record Scope(OrgCode Unit, int Year, Dictionary<string, Target> Targets, List<CategoryCatalog.Effective> Categories)
    {
        public string UnitName => Targets.Values.FirstOrDefault() is { } t ? Unit.Level == OrgLevel.Village ? t.VillageName : Unit.Level == OrgLevel.Township ? t.TownshipName : Unit.Value : Unit.Value;
        /// <summary>The drop-down: the county's categories that take new problems, by name.</summary>
        public List<string> Choices => [.. Categories.Where(c => !c.Retired).Select(c => c.Name).Distinct()];
    }

    private (OrgCode Unit, int Year) Parse(TemplateKind kind, string scopeCode, int campaignYear)
    {
        var v = new Violations();
        v.Check(kind == TemplateKind.Plan, "kind", "本服务只提供和导入「问题清单和整改措施」模板（TEMPLATE_KIND_PLAN）。");
        var unit = v.Code("scope_code", scopeCode);
        if (unit is { } u) v.Check(u.Level is OrgLevel.Township or OrgLevel.Village, "scope_code", "须为乡镇或村的代码（问题清单和整改措施按乡镇或村填写）。");
        var today = clock.Today();
        var year = campaignYear == 0 ? today.Year : campaignYear;
        v.Check(year >= 2000 && year <= today.Year + 1, "campaign_year", $"须在2000到{today.Year + 1}之间。");
        v.ThrowIfAny();
        return (unit!.Value, year);
    }

    /// <summary>Everything the checks need, in a fixed number of queries whatever the file's size.</summary>
    private static async Task<Scope> LoadAsync(DbSession session, OrgCode unit, int year)
    {
        var (low, high) = unit.SubtreeRange;
        var range = new { year, low, high };
        var targets = (await session.QueryAsync<PlanService.TargetRow>("""
            SELECT village_code AS VillageCode, campaign_year AS CampaignYear, village_name AS VillageName, township_name AS TownshipName,
                   county_code AS CountyCode, campaign_ends_on AS CampaignEndsOn
            FROM targets WHERE campaign_year = @year AND village_code BETWEEN @low AND @high
            """, range)).ToDictionary(t => t.VillageCode, t => new Target(t.VillageCode, t.VillageName, t.TownshipName, t.CampaignEndsOn));
        var plans = (await session.QueryAsync<PlanKey>("""
            SELECT id AS Id, village_code AS VillageCode, starts_on AS StartsOn
            FROM plans WHERE campaign_year = @year AND village_code BETWEEN @low AND @high
            """, range)).ToDictionary(p => p.Id);
        foreach (var plan in plans.Values)
            if (targets.TryGetValue(plan.VillageCode, out var target)) target.Plan = new ExistingPlan(plan.Id, plan.StartsOn);
        var problems = new Dictionary<string, ExistingProblem>();
        foreach (var p in await session.QueryAsync<ProblemKey>("""
            SELECT p.id AS Id, p.plan_id AS PlanId, p.position AS Position, p.category_code AS CategoryCode, p.description AS Description
            FROM problems p JOIN plans pl ON pl.id = p.plan_id
            WHERE pl.campaign_year = @year AND pl.village_code BETWEEN @low AND @high
            """, range))
        {
            var problem = new ExistingProblem(p.Id, p.CategoryCode, p.Description);
            problems[p.Id] = problem;
            if (plans.TryGetValue(p.PlanId, out var plan) && targets.TryGetValue(plan.VillageCode, out var target)) target.Plan!.Problems[p.Position] = problem;
        }
        foreach (var m in await session.QueryAsync<MeasureRow>(
            $"SELECT {MeasureRow.Columns} FROM measures WHERE campaign_year = @year AND village_code BETWEEN @low AND @high", range))
            if (problems.TryGetValue(m.ProblemId, out var problem)) problem.Measures[m.Position] = m;
        // A county's categories: a township's or a village's county is the same for every target in it.
        var categories = await CategoryCatalog.EffectiveAsync(session, unit);
        return new Scope(unit, year, targets, categories);
    }

    public async Task TemplateAsync(Caller caller, GetTemplateRequest request, Func<FileChunk, Task> write, CancellationToken ct)
    {
        var (unit, year) = Parse(request.Kind, request.ScopeCode, request.CampaignYear);
        caller.EnsureCanRead(unit);
        var scope = await database.ReadAsync(session => LoadAsync(session, unit, year), ct);
        var template = Template(scope.Choices);
        var name = scope.UnitName;
        await TemplateWriter.SendAsync(template, $"{name}{year}年度", write, ct);
    }

    /// <summary>A problem of the file, with its measures, as the checks found it.</summary>
    private sealed class FileProblem(TemplateRow row, int number, string categoryCode, string description)
    {
        public TemplateRow Row { get; } = row;
        public int Number { get; } = number;
        public string CategoryCode { get; } = categoryCode;
        public string Description { get; } = description;
        public SortedDictionary<int, (TemplateRow Row, PlannedMeasure Measure)> Measures { get; } = [];
    }

    public async Task<ImportReport> ImportAsync(Caller caller, IAsyncStreamReader<ImportChunk> chunks, CancellationToken ct)
    {
        await using var upload = await UploadedFile.ReceiveAsync(chunks, ct);
        var header = upload.Header;
        var (unit, year) = Parse(header.Kind, header.ScopeCode, header.CampaignYear);
        // The township (or the county) writes a village's plan, never the village itself: CreatePlan's and AddMeasure's rule.
        if (unit.Level == OrgLevel.Village) caller.EnsureCanManage(unit, "write its plan");
        else caller.EnsureCanWrite(unit);

        var scope = await database.ReadAsync(session => LoadAsync(session, unit, year), ct);
        var problems = new ImportProblems();
        var sheets = TemplateReader.Read(upload.Content, Template(scope.Choices), problems);
        var rowCount = sheets.Values.Sum(r => r.Count);
        var today = clock.Today();
        var (plansToCreate, measuresToAdd, unchanged) = Check(sheets, scope, today, problems);
        var added = plansToCreate.Sum(p => p.Problems.Count + p.Problems.Sum(q => q.Measures.Count)) + measuresToAdd.Count;

        if (header.DryRun || problems.Any)
        {
            if (!header.DryRun) problems.ThrowIfAny();
            return problems.Report(dryRun: true, rowCount, added, unchanged: unchanged);
        }

        if (plansToCreate.Count > 0 || measuresToAdd.Count > 0)
        {
            var now = clock.GetUtcNow();
            await database.WriteAsync(async session =>
            {
                foreach (var plan in plansToCreate) await PlanService.CreateAsync(session, caller, plan, now, scope.Categories);
                foreach (var measure in measuresToAdd) await PlanService.AddAsync(session, caller, measure, now);
                return 0;
            }, ct);
        }
        return problems.Report(dryRun: false, rowCount, added, unchanged: unchanged);
    }

    private static (List<CreatePlanInput> Plans, List<AddMeasureInput> Measures, int Unchanged) Check(
        IReadOnlyDictionary<string, IReadOnlyList<TemplateRow>> sheets, Scope scope, DateOnly today, ImportProblems problems)
    {
        var categoryByName = scope.Categories.Where(c => !c.Retired).GroupBy(c => c.Name).ToDictionary(g => g.Key, g => g.First().Code);
        var byVillage = new Dictionary<string, SortedDictionary<int, FileProblem>>();
        var unchanged = 0;

        Target? TargetOf(TemplateRow row)
        {
            if (row.Text(Village) is not { } code) return null;
            var village = OrgCode.Parse(code);
            if (!scope.Unit.IsAncestorOrSelfOf(village)) problems.Add(row, Village, $"{code}不在{scope.UnitName}（{scope.Unit.Value}）范围内：只能导入本单位的整顿对象。");
            else if (village.Level != OrgLevel.Village) problems.Add(row, Village, $"{code}不是村的代码。");
            else if (!scope.Targets.TryGetValue(code, out var target)) problems.Add(row, Village, $"{code}不是{scope.UnitName}{scope.Year}年度的整顿对象（或代码有误）：整顿方案只为已确定的整顿对象制定。");
            else return target;
            return null;
        }

        // The same text rule as the RPCs (no control characters): a cell with one is a problem of its place.
        string? Clean(TemplateRow row, string header, string? text, bool multiline)
        {
            if (text is null || Violations.TextProblem(text, multiline) is null) return text;
            problems.Add(row, header, "含有不可见的控制字符：请删除后重新输入。");
            return null;
        }

        foreach (var row in sheets[ProblemsSheet])
        {
            var target = TargetOf(row);
            var number = row.Int(ProblemNo);
            if (number is < 1 or > 50) { problems.Add(row, ProblemNo, "问题序号须在1到50之间。"); number = null; }
            var category = row.Text(Category) is { } name ? categoryByName.GetValueOrDefault(name) : null;
            var description = Clean(row, ProblemText, row.Text(ProblemText), multiline: true);
            if (target is null || number is null || category is null || description is null) continue;
            var list = byVillage.TryGetValue(target.VillageCode, out var l) ? l : byVillage[target.VillageCode] = [];
            if (list.ContainsKey(number.Value)) { problems.Add(row, ProblemNo, $"{target.VillageName}的问题{number}重复填写。"); continue; }
            list[number.Value] = new FileProblem(row, number.Value, category, description);
        }

        foreach (var row in sheets[MeasuresSheet])
        {
            var target = TargetOf(row);
            var number = row.Int(ProblemNo);
            var measureNo = row.Int(MeasureNo);
            if (measureNo is < 1 or > 100) { problems.Add(row, MeasureNo, "措施序号须在1到100之间。"); measureNo = null; }
            var persons = (row.Text(Persons) ?? "").Split(PersonSeparators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            var personsOk = row.Text(Persons) is not null;
            if (personsOk)
            {
                personsOk = false;
                if (persons.Count is 0 or > 20) problems.Add(row, Persons, "须填写1到20名责任人，多人用顿号“、”分隔。");
                else if (persons.FirstOrDefault(p => p.Length > 50 || p.Contains('|') || Violations.TextProblem(p, multiline: false) is not null) is { } bad) problems.Add(row, Persons, $"“{bad}”不是一个责任人的名字（最多50字，不能含“|”）：多人请用顿号“、”分隔。");
                else personsOk = true;
            }
            var description = Clean(row, MeasureText, row.Text(MeasureText), multiline: true);
            var deadline = row.Date(Deadline);
            var ongoing = row.YesNo(Ongoing) ?? false;
            if (target is null || number is null) continue;
            if (!byVillage.TryGetValue(target.VillageCode, out var list) || !list.TryGetValue(number.Value, out var problem))
            {
                problems.Add(row, ProblemNo, $"「问题清单」中没有{target.VillageName}（{target.VillageCode}）的问题{number}：请先在「问题清单」中填写该问题。");
                continue;
            }
            if (measureNo is null || description is null || deadline is null || !personsOk) continue;
            if (problem.Measures.ContainsKey(measureNo.Value)) { problems.Add(row, MeasureNo, $"{target.VillageName}问题{number}的措施{measureNo}重复填写。"); continue; }
            problem.Measures[measureNo.Value] = (row, new PlannedMeasure(description, persons, deadline.Value, ongoing));
        }

        var plans = new List<CreatePlanInput>();
        var measures = new List<AddMeasureInput>();
        foreach (var (code, fileProblems) in byVillage)
        {
            var target = scope.Targets[code];
            if (target.Plan is { } plan)
            {
                foreach (var problem in fileProblems.Values)
                {
                    if (!plan.Problems.TryGetValue(problem.Number, out var existing))
                    {
                        problems.Add(problem.Row, ProblemNo, $"{target.VillageName}已有整顿方案，方案中没有问题{problem.Number}：已有方案不能通过导入新增问题，请在页面上修改方案。");
                        continue;
                    }
                    if (existing.CategoryCode != problem.CategoryCode || existing.Description != problem.Description)
                        problems.Add(problem.Row, existing.Description != problem.Description ? ProblemText : Category, "已有问题不能通过导入修改，请在页面上修改。");
                    else unchanged++;
                    var next = existing.Measures.Count + 1;
                    foreach (var (number, (row, measure)) in problem.Measures)
                    {
                        if (existing.Measures.TryGetValue(number, out var had))
                        {
                            var column = had.Description != measure.Description ? MeasureText
                                : !had.Persons.SequenceEqual(measure.ResponsiblePersons) ? Persons
                                : had.Deadline != measure.Deadline ? Deadline
                                : had.Ongoing != measure.Ongoing ? Ongoing : null;
                            if (column is null) unchanged++;
                            else problems.Add(row, column, "已有措施不能通过导入修改，请在页面上修改。");
                            continue;
                        }
                        if (number != next) { problems.Add(row, MeasureNo, $"该问题已有{existing.Measures.Count}条措施，新增措施的序号应从{existing.Measures.Count + 1}起连续编号。"); continue; }
                        next++;
                        if (measure.Deadline < plan.StartsOn) problems.Add(row, Deadline, $"不能早于整顿方案的开始日期{plan.StartsOn:yyyy-MM-dd}。");
                        else if (!measure.Ongoing && measure.Deadline > target.CampaignEndsOn) problems.Add(row, Deadline, $"晚于本次整顿的结束日期{target.CampaignEndsOn:yyyy-MM-dd}：需长期坚持的措施请在「长期坚持」列选“是”。");
                        else measures.Add(new AddMeasureInput(plan.Id, existing.Id, measure));
                    }
                }
                continue;
            }

            // A new plan: problems and measures numbered 1, 2, 3 … as the document numbers them.
            var numbered = true;
            var expected = 1;
            foreach (var problem in fileProblems.Values)
            {
                if (problem.Number != expected++) { problems.Add(problem.Row, ProblemNo, $"{target.VillageName}的问题序号应从1起连续编号（此处应为{expected - 1}）。"); numbered = false; break; }
                var m = 1;
                foreach (var (number, (row, _)) in problem.Measures)
                    if (number != m++) { problems.Add(row, MeasureNo, $"问题{problem.Number}的措施序号应从1起连续编号（此处应为{m - 1}）。"); numbered = false; break; }
            }
            if (!numbered) continue;
            if (fileProblems.Values.All(p => p.Measures.Count == 0))
            {
                problems.Add(fileProblems.Values.First().Row, $"{target.VillageName}尚无整顿方案，至少要在「整改措施」中填写一条措施才能建立方案。");
                continue;
            }
            // The plan starts today, or on its earliest deadline when the file enters an earlier campaign (seed 001 is of 2022).
            var earliest = fileProblems.Values.SelectMany(p => p.Measures.Values).Min(m => m.Measure.Deadline);
            var startsOn = new[] { today, earliest, target.CampaignEndsOn }.Min();
            var ok = true;
            foreach (var (row, measure) in fileProblems.Values.SelectMany(p => p.Measures.Values))
                if (!measure.Ongoing && measure.Deadline > target.CampaignEndsOn)
                {
                    problems.Add(row, Deadline, $"晚于本次整顿的结束日期{target.CampaignEndsOn:yyyy-MM-dd}：需长期坚持的措施请在「长期坚持」列选“是”。");
                    ok = false;
                }
            if (!ok) continue;
            plans.Add(new CreatePlanInput(OrgCode.Parse(code), scope.Year, startsOn,
                $"{target.VillageName}经确定为{scope.Year}年度软弱涣散村党组织整顿对象，整顿方案由问题清单导入建立（基本情况待补充）。",
                [$"完成问题清单所列{fileProblems.Count}个问题的整改"], Phases(startsOn, target.CampaignEndsOn),
                [.. fileProblems.Values.Select(p => new PlannedProblem(p.CategoryCode, p.Description, [.. p.Measures.Values.Select(m => m.Measure)]))]));
        }
        return (plans, measures, unchanged);
    }

    /// <summary>集中整顿 to two months before the campaign's end, 自查评估 to one month before, 巩固提高 to its end; those ending before the plan starts are left out.</summary>
    public static List<PlanService.PhaseRecord> Phases(DateOnly startsOn, DateOnly campaignEndsOn)
    {
        var ends = new[] { campaignEndsOn.AddMonths(-2), campaignEndsOn.AddMonths(-1), campaignEndsOn };
        var phases = new List<PlanService.PhaseRecord>();
        for (var i = 0; i < ends.Length; i++)
            if (ends[i] >= startsOn || i == ends.Length - 1) phases.Add(new(DefaultPhases[i], ends[i]));
        return phases;
    }
}
