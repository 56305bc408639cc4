using Dapper;
using MassTransit;
using Rectify.Common.V1;
using Rectify.Events.Assessment;
using Rectify.Kernel;
using Rectify.Measures;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;

namespace Rectify.Tests.Measures;

/// <summary>A measures host with designated targets in 于都县, on a fake clock set to 2027-03-01 10:00 in Shanghai.</summary>
public static class MeasuresFixture
{
    public const string County = "360731000000";
    public const string TownshipA = "360731101000";
    public const string TownshipB = "360731102000";
    public const string TargetA1 = "360731101201";
    public const string TargetA2 = "360731101202";
    public const string TargetB1 = "360731102201";
    public const string NotATarget = "360731101203";
    public const int Year = 2027;
    public static readonly DateOnly PlanStart = new(2027, 3, 1);
    public static readonly DateOnly CampaignEnd = new(2027, 12, 31);

    public static Date D(int year, int month, int day) => new() { Year = year, Month = month, Day = day };

    public static Date D(DateOnly date) => date.ToProto();

    public static async Task<TestHost> StartAsync(DbProvider provider, IDictionary<string, string?>? settings = null, bool schedule = false)
    {
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Rectify:Measures:ScheduleScans"] = schedule ? "true" : "false",
        };
        var host = await TestHost.StartAsync(provider, [new MeasuresModule()], all);
        SetShanghai(host, new DateTime(2027, 3, 1, 10, 0, 0));
        await DesignateAsync(host, (TargetA1, "上坪村", "铁山垅镇"), (TargetA2, "黄屋村", "铁山垅镇"), (TargetB1, "石门村", "盘古山镇"));
        return host;
    }

    /// <summary>Moves the fake clock to a local time in Shanghai.</summary>
    public static void SetShanghai(TestHost host, DateTime local) =>
        host.Clock.SetUtcNow(new DateTimeOffset(local, TimeSpan.FromHours(8)));

    public static Task DesignateAsync(TestHost host, params (string Code, string Village, string Township)[] targets) =>
        host.DesignateForYearAsync(Year, targets);

    /// <summary>Publishes TargetsDesignated as the assessment service will, and waits until the measures service has recorded it.</summary>
    public static async Task DesignateForYearAsync(this TestHost host, int year, params (string Code, string Village, string Township)[] targets)
    {
        var message = new TargetsDesignated(County, year, new DateOnly(year, 12, 31), targets.Select(t => new DesignatedTarget(t.Code, t.Village, t.Township)).ToList(), host.Clock.GetUtcNow());
        await host.PublishAsync(message);
        var database = host.Get<Database<MeasuresModule>>();
        await Poll.UntilCount(() => database.ReadAsync(c => c.ExecuteScalarAsync<int>(
                $"SELECT COUNT(*) FROM targets WHERE campaign_year = @year AND {database.Sql.InList("village_code", "@codes")}",
                new { year, codes = targets.Select(t => t.Code).ToArray() })),
            targets.Length, $"targets of {year} recorded by measures (TargetsDesignated consumed)");
    }

    public static MeasureService.MeasureServiceClient Measures(this TestHost host, string org, Role role = Role.Officer, string subject = "tester") =>
        new(host.As(org, role, subject));

    public static MeasureInput Measure(string description, DateOnly deadline, bool ongoing = false, params string[] persons) => new()
    {
        Description = description,
        Deadline = deadline.ToProto(),
        Ongoing = ongoing,
        ResponsiblePersons = { persons.Length == 0 ? ["刘文华"] : persons },
    };

    /// <summary>A small plan: two problems, three measures.</summary>
    public static CreatePlanRequest SimplePlan(string village, DateOnly? deadline = null) => new()
    {
        VillageCode = village,
        CampaignYear = Year,
        StartsOn = PlanStart.ToProto(),
        BasicSituation = "全村301户1045人，党员34名。",
        Goals = { "建强班子", "壮大集体经济" },
        Phases =
        {
            new Phase { Name = "集中整顿", EndsOn = D(2027, 9, 30) },
            new Phase { Name = "自查评估", EndsOn = D(2027, 10, 15) },
            new Phase { Name = "巩固提高", EndsOn = D(2027, 10, 31) },
        },
        Problems =
        {
            new ProblemInput
            {
                CategoryCode = "COLLECTIVE_ECONOMY", Description = "集体经济薄弱",
                Measures = { Measure("入股合作社发展产业", deadline ?? new DateOnly(2027, 9, 30), true, "刘文华", "陈建国"), Measure("整修产业路", deadline ?? new DateOnly(2027, 6, 30)) },
            },
            new ProblemInput { CategoryCode = "WEAK_LEADERSHIP", Description = "组织动员力弱", Measures = { Measure("落实三会一课", deadline ?? new DateOnly(2027, 5, 31)) } },
        },
    };

    /// <summary>Row counts of every table: a refused request must leave them as they were.</summary>
    public static async Task<string> Snapshot(TestHost host)
    {
        var database = host.Get<Database<MeasuresModule>>();
        return await database.ReadAsync(async c =>
        {
            var parts = new List<string>();
            foreach (var table in new[] { "plans", "problems", "measures", "measure_changes", "outbox_messages", "problem_categories", "deadline_occurrences" })
                parts.Add($"{table}={await c.ExecuteScalarAsync<int>($"SELECT COUNT(*) FROM {table}")}");
            parts.Add("states=" + string.Join(",", await c.QueryAsync<string>("SELECT CAST(status AS VARCHAR(2)) || ':' || CAST(percent AS VARCHAR(3)) || ':' || CAST(deadline AS VARCHAR(30)) FROM measures ORDER BY id")));
            return string.Join(" ", parts);
        });
    }

    /// <summary>Outbox events of one type, oldest first, as their JSON payloads.</summary>
    public static async Task<List<string>> Outbox(TestHost host, string eventName) =>
        await host.Get<Database<MeasuresModule>>().ReadAsync(async c =>
            (await c.QueryAsync<string>("SELECT payload FROM outbox_messages WHERE message_type = @type ORDER BY id", new { type = "Rectify.Events.Measures." + eventName })).ToList());
}
