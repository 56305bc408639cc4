using System.Text.Json;
using Dapper;
using Rectify.Common.V1;
using Rectify.Events.Measures;
using Rectify.Kernel;
using Rectify.Measures.Categories;
using Rectify.Measures.Ledger;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;
using Rectify.Platform.Outbox;
using Rectify.Platform.Storage;
using MeasureStatus = Rectify.Measures.V1.MeasureStatus;

namespace Rectify.Measures.Plans;

/// <summary>
/// Rectification plans (整顿方案, 四明确): a designated target's basic situation,
/// goals, phases, problems in standard categories, and the measures against
/// them, each with responsible persons and a deadline.
/// </summary>
public sealed class PlanService(Database<MeasuresModule> database, TimeProvider clock)
{
    private sealed class PlanRow
    {
        public string Id { get; set; } = "";
        public string VillageCode { get; set; } = "";
        public int CampaignYear { get; set; }
        public DateOnly StartsOn { get; set; }
        public string BasicSituation { get; set; } = "";
        public string Goals { get; set; } = "[]";
        public string Phases { get; set; } = "[]";
        public string CreatedBy { get; set; } = "";
        public DateTime CreatedAt { get; set; }
    }

    /// <summary>A phase as the plan stores it (JSON in plans.phases).</summary>
    public sealed record PhaseRecord(string Name, DateOnly EndsOn);

    internal sealed class TargetRow
    {
        public string VillageCode { get; set; } = "";
        public int CampaignYear { get; set; }
        public string VillageName { get; set; } = "";
        public string TownshipName { get; set; } = "";
        public string CountyCode { get; set; } = "";
        public DateOnly CampaignEndsOn { get; set; }
    }

    private sealed class ProblemRow
    {
        public string Id { get; set; } = "";
        public int Position { get; set; }
        public string CategoryCode { get; set; } = "";
        public string Description { get; set; } = "";
    }

    internal static Task<TargetRow?> FindTargetAsync(DbSession session, string villageCode, int year) =>
        session.QuerySingleOrDefaultAsync<TargetRow>("""
            SELECT village_code AS VillageCode, campaign_year AS CampaignYear, village_name AS VillageName,
                   township_name AS TownshipName, county_code AS CountyCode, campaign_ends_on AS CampaignEndsOn
            FROM targets WHERE village_code = @villageCode AND campaign_year = @year
            """, new { villageCode, year });

    public async Task<Plan> CreatePlanAsync(Caller caller, CreatePlanRequest request, CancellationToken ct)
    {
        var today = clock.Today();
        var input = CreatePlanInput.Parse(request, today);
        // The township (or the county) writes a village's plan; the village reports progress on it.
        caller.EnsureCanManage(input.Village, "write its plan");

        var now = clock.GetUtcNow();
        return await database.WriteAsync(async session =>
        {
            var planId = await CreateAsync(session, caller, input, now);
            return await LoadPlanAsync(session, planId, today) ?? throw new InvalidOperationException("The plan just written is missing.");
        }, ct);
    }

    /// <summary>
    /// CreatePlan's checks and writes inside a session, so a workbook import writes many plans in one transaction by the
    /// same rules and with the same events. <paramref name="categories"/>: the county's effective categories when the caller has them.
    /// </summary>
    internal static async Task<string> CreateAsync(DbSession session, Caller caller, CreatePlanInput input, DateTimeOffset now,
        IReadOnlyList<CategoryCatalog.Effective>? categoryList = null)
    {
        var planId = Guid.NewGuid().ToString();
        var target = await FindTargetAsync(session, input.Village.Value, input.CampaignYear)
            ?? throw new PreconditionFailedException("NOT_A_TARGET", input.Village.Value,
                $"{input.Village} is not a designated target of the {input.CampaignYear} campaign; plans are made for targets only.");
        if (await session.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM plans WHERE village_code = @code AND campaign_year = @year",
                new { code = target.VillageCode, year = target.CampaignYear }) > 0)
            throw new AlreadyExistsException("plan", $"{target.VillageCode}/{target.CampaignYear}");

        // The checks that need the target's campaign and the category list; still before any write.
        // The categories the village's own county sees (its city's, province's and the national ones, nearest first); retired ones take no new problems.
        var categories = (categoryList ?? await CategoryCatalog.EffectiveAsync(session, input.Village)).ToDictionary(c => c.Code);
        var late = new Violations();
        for (var p = 0; p < input.Phases.Count; p++)
            late.Check(input.Phases[p].EndsOn >= input.StartsOn && input.Phases[p].EndsOn <= target.CampaignEndsOn, $"phases[{p}].ends_on",
                $"must fall between the plan's start {input.StartsOn:yyyy-MM-dd} and the campaign's end {target.CampaignEndsOn:yyyy-MM-dd}");
        for (var i = 0; i < input.Problems.Count; i++)
        {
            if (late.Check(categories.TryGetValue(input.Problems[i].CategoryCode, out var category), $"problems[{i}].category_code", "is not a problem category of this village's county"))
                late.Check(!category!.Retired, $"problems[{i}].category_code", $"is retired (by {category.RetiredBy}) and takes no new problems");
            for (var j = 0; j < input.Problems[i].Measures.Count; j++)
                input.Problems[i].Measures[j].CheckDeadline(late, $"problems[{i}].measures[{j}].deadline", input.StartsOn, target.CampaignEndsOn);
        }
        late.ThrowIfAny();

        var plan = new PlanRow
        {
            Id = planId, VillageCode = target.VillageCode, CampaignYear = target.CampaignYear, StartsOn = input.StartsOn,
            BasicSituation = input.BasicSituation, Goals = JsonSerializer.Serialize(input.Goals),
            Phases = JsonSerializer.Serialize(input.Phases), CreatedBy = caller.Subject, CreatedAt = now.UtcDateTime,
        };
        await session.ExecuteAsync("""
            INSERT INTO plans (id, village_code, campaign_year, starts_on, basic_situation, goals, phases, created_by, created_at)
            VALUES (@Id, @VillageCode, @CampaignYear, @StartsOn, @BasicSituation, @Goals, @Phases, @CreatedBy, @CreatedAt)
            """, plan);
        var measureCount = 0;
        for (var i = 0; i < input.Problems.Count; i++)
        {
            var problem = new ProblemRow { Id = Guid.NewGuid().ToString(), Position = i + 1, CategoryCode = input.Problems[i].CategoryCode, Description = input.Problems[i].Description };
            await session.ExecuteAsync("""
                INSERT INTO problems (id, plan_id, position, category_code, description)
                VALUES (@Id, @PlanId, @Position, @CategoryCode, @Description)
                """, new { problem.Id, PlanId = planId, problem.Position, problem.CategoryCode, problem.Description });
            for (var j = 0; j < input.Problems[i].Measures.Count; j++, measureCount++)
                await InsertMeasureAsync(session, target, planId, problem.Id, problem.CategoryCode, j + 1, input.Problems[i].Measures[j], caller, now);
        }
        await session.PublishAsync(new PlanCreated(planId, target.VillageCode, target.CampaignYear, input.Problems.Count, measureCount,
            input.Phases.Select(p => new PlanPhase(p.Name, p.EndsOn)).ToList(), now, input.StartsOn, target.CampaignEndsOn));
        return planId;
    }

    public async Task<Measure> AddMeasureAsync(Caller caller, AddMeasureRequest request, CancellationToken ct)
    {
        var input = AddMeasureInput.Parse(request);
        var now = clock.GetUtcNow();
        return await database.WriteAsync(async session => (await AddAsync(session, caller, input, now)).ToProto(clock.Today()), ct);
    }

    /// <summary>AddMeasure's checks and writes inside a session (also used by the workbook import, one transaction for the file).</summary>
    internal static async Task<MeasureRow> AddAsync(DbSession session, Caller caller, AddMeasureInput input, DateTimeOffset now)
    {
        var plan = await session.QuerySingleOrDefaultAsync<PlanRow>(
            "SELECT id AS Id, village_code AS VillageCode, campaign_year AS CampaignYear, starts_on AS StartsOn FROM plans WHERE id = @id", new { id = input.PlanId })
            ?? throw new NotFoundException("plan", input.PlanId);
        caller.EnsureCanManage(new Owned("plan", input.PlanId, OrgCode.Parse(plan.VillageCode)), "write its plan");
        var problem = await session.QuerySingleOrDefaultAsync<ProblemRow>(
            "SELECT id AS Id, position AS Position, category_code AS CategoryCode FROM problems WHERE id = @id AND plan_id = @planId",
            new { id = input.ProblemId, planId = plan.Id }) ?? throw new NotFoundException("problem", input.ProblemId);
        var target = (await FindTargetAsync(session, plan.VillageCode, plan.CampaignYear))!;
        var late = new Violations();
        input.Measure.CheckDeadline(late, "measure.deadline", plan.StartsOn, target.CampaignEndsOn);
        late.ThrowIfAny();
        var position = await session.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM measures WHERE problem_id = @id", new { id = problem.Id }) + 1;
        return await InsertMeasureAsync(session, target, plan.Id, problem.Id, problem.CategoryCode, position, input.Measure, caller, now);
    }

    private static async Task<MeasureRow> InsertMeasureAsync(DbSession session, TargetRow target, string planId, string problemId, string category, int position, PlannedMeasure input, Caller caller, DateTimeOffset now)
    {
        var row = new MeasureRow
        {
            Id = Guid.NewGuid().ToString(), PlanId = planId, ProblemId = problemId, Position = position,
            VillageCode = target.VillageCode, VillageName = target.VillageName, CampaignYear = target.CampaignYear,
            CategoryCode = category, Description = input.Description,
            ResponsiblePersons = ResponsiblePersonList.Join(input.ResponsiblePersons), Deadline = input.Deadline,
            Ongoing = input.Ongoing, Status = (int)MeasureStatus.NotStarted, Version = 1, CreatedAt = now.UtcDateTime, UpdatedAt = now.UtcDateTime,
        };
        await TargetMeasureCounts.LockAsync(session, row.VillageCode, row.CampaignYear);
        await session.ExecuteAsync("""
            INSERT INTO measures (id, plan_id, problem_id, position, village_code, village_name, campaign_year, category_code, description,
                responsible_persons, deadline, ongoing, status, "percent", reopen_count, created_at, updated_at, version)
            VALUES (@Id, @PlanId, @ProblemId, @Position, @VillageCode, @VillageName, @CampaignYear, @CategoryCode, @Description,
                @ResponsiblePersons, @Deadline, @Ongoing, @Status, 0, 0, @CreatedAt, @UpdatedAt, @Version)
            """, row);
        await TargetMeasureCounts.RecountAsync(session, row.VillageCode, row.CampaignYear, DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, ShanghaiTime.Zone).DateTime));
        await MeasureHistory.AppendAsync(session, new MeasureChangeRow
        {
            // The entry is dated the day it was created; the deadline it was given is its new deadline.
            MeasureId = row.Id, Kind = (int)MeasureChangeKind.Created, StatusAfter = row.Status,
            OnDate = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, ShanghaiTime.Zone).DateTime), NewDeadline = row.Deadline,
            RecordedBy = caller.Subject, RecordedAt = now.UtcDateTime,
        });
        await session.PublishAsync(new MeasureCreated(row.Snapshot(), now));
        return row;
    }

    public async Task<Plan> GetPlanAsync(Caller caller, GetPlanRequest request, CancellationToken ct)
    {
        var key = GetPlanInput.Parse(request);
        var planId = key.PlanId;
        if (planId is null)
        {
            caller.EnsureCanRead(key.Village);
            planId = await database.ReadAsync(connection => connection.ExecuteScalarAsync<string?>(
                "SELECT id FROM plans WHERE village_code = @code AND campaign_year = @year", new { code = key.Village, year = key.CampaignYear }), ct)
                ?? throw new NotFoundException("plan", $"{key.Village}/{key.CampaignYear}");
        }

        var plan = await database.ReadAsync(connection => LoadPlanAsync(connection, planId, clock.Today()), ct)
            ?? throw new NotFoundException("plan", planId);
        caller.EnsureCanRead(new Owned("plan", planId, OrgCode.Parse(plan.VillageCode)));
        return plan;
    }

    private static async Task<Plan?> LoadPlanAsync(DbSession session, string planId, DateOnly today)
    {
        var row = await session.QuerySingleOrDefaultAsync<PlanRow>("""
            SELECT id AS Id, village_code AS VillageCode, campaign_year AS CampaignYear, starts_on AS StartsOn, basic_situation AS BasicSituation,
                   goals AS Goals, phases AS Phases, created_by AS CreatedBy, created_at AS CreatedAt
            FROM plans WHERE id = @planId
            """, new { planId });
        if (row is null) return null;
        var target = await session.QuerySingleAsync<TargetRow>("""
            SELECT village_name AS VillageName, campaign_ends_on AS CampaignEndsOn FROM targets WHERE village_code = @VillageCode AND campaign_year = @CampaignYear
            """, row);
        var problems = await session.QueryAsync<ProblemRow>(
            "SELECT id AS Id, position AS Position, category_code AS CategoryCode, description AS Description FROM problems WHERE plan_id = @planId ORDER BY position",
            new { planId });
        var measures = (await session.QueryAsync<MeasureRow>($"SELECT {MeasureRow.Columns} FROM measures WHERE plan_id = @planId ORDER BY position", new { planId }))
            .ToLookup(m => m.ProblemId);
        // Retired categories stay in the list, so a plan written before a retirement still names its categories.
        var categoryNames = (await CategoryCatalog.EffectiveAsync(session, OrgCode.Parse(row.VillageCode))).ToDictionary(c => c.Code, c => c.Name);
        var plan = new Plan
        {
            Id = row.Id, VillageCode = row.VillageCode, VillageName = target.VillageName, CampaignYear = row.CampaignYear,
            StartsOn = row.StartsOn.ToProto(), CampaignEndsOn = target.CampaignEndsOn.ToProto(), BasicSituation = row.BasicSituation,
            CreatedBy = row.CreatedBy, CreatedAt = new DateTimeOffset(row.CreatedAt.AsUtc()).ToProto(),
        };
        plan.Goals.AddRange(JsonSerializer.Deserialize<List<string>>(row.Goals)!);
        plan.Phases.AddRange(JsonSerializer.Deserialize<List<PhaseRecord>>(row.Phases)!.Select(p => new Phase { Name = p.Name, EndsOn = p.EndsOn.ToProto() }));
        foreach (var problem in problems)
        {
            var proto = new Problem
            {
                Id = problem.Id, CategoryCode = problem.CategoryCode, Description = problem.Description,
                CategoryName = categoryNames.GetValueOrDefault(problem.CategoryCode, problem.CategoryCode),
            };
            proto.Measures.AddRange(measures[problem.Id].Select(m => m.ToProto(today)));
            plan.Problems.Add(proto);
        }
        return plan;
    }
}
