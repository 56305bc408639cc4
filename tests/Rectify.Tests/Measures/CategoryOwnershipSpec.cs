using Dapper;
using FluentMigrator.Runner;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Rectify.Events.Assessment;
using Rectify.Kernel;
using Rectify.Measures;
using Rectify.Measures.V1;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;
using static Rectify.Tests.Measures.MeasuresFixture;

namespace Rectify.Tests.Measures;

/// <summary>
/// Who owns problem categories (问题类别), through real gRPC on SQLite and PostgreSQL: national defaults, a province's,
/// city's or county's definitions seen only in its own subtree with the nearest unit winning, admins of the unit (or
/// above) and the system as the only writers, and retirement instead of deletion. The rules are in docs/reference-data.md.
/// </summary>
public abstract class CategoryOwnershipSpec(DbProvider provider) : IAsyncLifetime
{
    private const string Province = "360000000000";      // 江西省
    private const string City = "360700000000";          // 赣州市
    private const string CountyA = County;               // 于都县
    private const string CountyB = "360732000000";       // 兴国县
    private const string TownshipOfB = "360732101000";
    private const string TargetOfB = "360732101201";
    private const string OtherProvince = "440000000000"; // 广东省
    private const string Economy = "COLLECTIVE_ECONOMY";
    private const string NationalEconomyName = "村级集体经济薄弱、带富能力不强";

    private TestHost _host = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await StartAsync(provider);
        // A target in a second county of the same city, designated as that county's assessment would.
        await _host.PublishAsync(new TargetsDesignated(CountyB, Year, CampaignEnd, [new DesignatedTarget(TargetOfB, "长冈村", "潋江镇")], _host.Clock.GetUtcNow()));
        var database = _host.Get<Database<MeasuresModule>>();
        await Poll.Until(async () =>
        {
            Assert.Equal(1, await database.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM targets WHERE village_code = @code", new { code = TargetOfB })));
            return true;
        });
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private MeasureService.MeasureServiceClient As(string org, Role role) => _host.Measures(org, role, $"{org}-{role}");

    private async Task<ProblemCategory> SeenBy(string org, string code = Economy, string unit = "") =>
        (await As(org, Role.Viewer).ListProblemCategoriesAsync(new ListProblemCategoriesRequest { UnitCode = unit })).Categories.Single(c => c.Code == code);

    private Task<int> DefinitionRows() =>
        _host.Get<Database<MeasuresModule>>().ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM problem_category_definitions"));

    private static DefineProblemCategoryRequest Rename(string unit, string name, params string[] departments) =>
        new() { UnitCode = unit, Code = Economy, Name = name, HelpingDepartments = { departments } };

    [Fact]
    public async Task A_county_admin_renaming_a_category_changes_it_for_its_own_subtree_only_and_never_for_another_county()
    {
        // The old RPC, as an existing client calls it: no unit named, so the caller's own county.
        var set = await As(CountyA, Role.Admin).SetProblemCategoryAsync(new ProblemCategory { Code = Economy, Name = "于都：集体经济空壳", HelpingDepartments = { "于都县农业农村局" } });
        Assert.Equal(("于都：集体经济空壳", CountyA), (set.Name, set.DefinedBy));

        var inB = await SeenBy(CountyB);
        Assert.Equal((NationalEconomyName, "national"), (inB.Name, inB.DefinedBy));
        Assert.Equal(["农业农村局", "财政局", "发展改革局"], inB.HelpingDepartments);
        foreach (var org in new[] { TownshipOfB, TargetOfB, City, Province })
            Assert.Equal(NationalEconomyName, (await SeenBy(org)).Name);
        foreach (var org in new[] { CountyA, MeasuresFixture.TownshipA, TargetA1 })
        {
            var inA = await SeenBy(org);
            Assert.Equal(("于都：集体经济空壳", CountyA, "于都县农业农村局"), (inA.Name, inA.DefinedBy, inA.HelpingDepartments.Single()));
        }
        // The city reads any county's list below it; county B may not read county A's.
        Assert.Equal("于都：集体经济空壳", (await SeenBy(City, unit: CountyA)).Name);
        await Rpc.Refused(StatusCode.PermissionDenied, () => As(CountyB, Role.Admin).ListProblemCategoriesAsync(new ListProblemCategoriesRequest { UnitCode = CountyA }));

        // Plans name the category as their own county does.
        var planA = await _host.Measures(MeasuresFixture.TownshipA).CreatePlanAsync(SimplePlan(TargetA1));
        var planB = await _host.Measures(TownshipOfB).CreatePlanAsync(SimplePlan(TargetOfB));
        Assert.Equal(("于都：集体经济空壳", NationalEconomyName), (planA.Problems[0].CategoryName, planB.Problems[0].CategoryName));
        // And so does the city's ledger export, county by county.
        using var export = As(City, Role.Viewer).ExportLedger(new ExportLedgerRequest { ScopeCode = City, Format = ExportFormat.Csv });
        var csv = new MemoryStream();
        await foreach (var chunk in export.ResponseStream.ReadAllAsync()) chunk.Data.WriteTo(csv);
        var rows = System.Text.Encoding.UTF8.GetString(csv.ToArray()).Split('\n');
        Assert.Equal(2, rows.Count(r => r.Contains("上坪村") && r.Contains("于都：集体经济空壳")));
        Assert.Equal(2, rows.Count(r => r.Contains("长冈村") && r.Contains(NationalEconomyName)));
    }

    [Fact]
    public async Task Only_an_admin_of_the_unit_or_of_a_unit_above_it_or_the_system_changes_its_categories()
    {
        var before = await DefinitionRows();
        foreach (var role in new[] { Role.Officer, Role.Reviewer, Role.Viewer })
        {
            await Rpc.Refused(StatusCode.PermissionDenied, () => As(CountyA, role).SetProblemCategoryAsync(new ProblemCategory { Code = Economy, Name = "改名" }));
            await Rpc.Refused(StatusCode.PermissionDenied, () => As(CountyA, role).OverrideProblemCategoryAsync(Rename(CountyA, "改名")));
            await Rpc.Refused(StatusCode.PermissionDenied, () => As(CountyA, role).RetireProblemCategoryAsync(new ProblemCategoryKey { Code = Economy }));
        }
        // A county's admin acts for its own subtree only: not for the county beside it, not for the city above it.
        await Rpc.Refused(StatusCode.PermissionDenied, () => As(CountyB, Role.Admin).OverrideProblemCategoryAsync(Rename(CountyA, "兴国改于都")));
        await Rpc.Refused(StatusCode.PermissionDenied, () => As(CountyB, Role.Admin).RetireProblemCategoryAsync(new ProblemCategoryKey { UnitCode = CountyA, Code = Economy }));
        await Rpc.Refused(StatusCode.PermissionDenied, () => As(CountyA, Role.Admin).OverrideProblemCategoryAsync(Rename(City, "于都改全市")));
        await Rpc.Refused(StatusCode.PermissionDenied, () => As(OtherProvince, Role.Admin).OverrideProblemCategoryAsync(Rename(Province, "外省改江西")));
        // National defaults change with a release only.
        await Rpc.Refused(StatusCode.PermissionDenied, () => _host.Measures("000000000000", Role.Service).SetProblemCategoryAsync(new ProblemCategory { Code = Economy, Name = "全国改名" }));
        Assert.Equal(before, await DefinitionRows());
        Assert.Equal(NationalEconomyName, (await SeenBy(CountyA)).Name);

        // The system may act for any unit, naming it.
        Assert.Equal(CountyA, (await _host.Measures(Province, Role.Service).OverrideProblemCategoryAsync(Rename(CountyA, "系统改名"))).DefinedBy);
    }

    [Fact]
    public async Task A_township_defines_no_categories_and_its_admin_cannot_change_its_countys_list()
    {
        var townshipAdmin = As(MeasuresFixture.TownshipA, Role.Admin);
        var before = await DefinitionRows();
        // For the county: outside the township's subtree.
        await Rpc.Refused(StatusCode.PermissionDenied, () => townshipAdmin.OverrideProblemCategoryAsync(Rename(CountyA, "镇改县")));
        await Rpc.Refused(StatusCode.PermissionDenied, () => townshipAdmin.AddProblemCategoryAsync(new DefineProblemCategoryRequest { UnitCode = CountyA, Code = "TOWN_ONE", Name = "镇加的" }));
        await Rpc.Refused(StatusCode.PermissionDenied, () => townshipAdmin.RetireProblemCategoryAsync(new ProblemCategoryKey { UnitCode = CountyA, Code = Economy }));
        // For itself: a township uses its county's list (the old RPC names no unit, so it means the township).
        await Rpc.Refused(StatusCode.PermissionDenied, () => townshipAdmin.SetProblemCategoryAsync(new ProblemCategory { Code = Economy, Name = "镇改名" }));
        await Rpc.Refused(StatusCode.PermissionDenied, () => As(TargetA1, Role.Admin).RetireProblemCategoryAsync(new ProblemCategoryKey { Code = Economy }));
        Assert.Equal(["unit_code"], (await Rpc.Refused(StatusCode.InvalidArgument, () => townshipAdmin.OverrideProblemCategoryAsync(Rename(MeasuresFixture.TownshipA, "镇改名")))).Fields());
        // Not even its county's admin defines categories for the township alone.
        Assert.Equal(["unit_code"], (await Rpc.Refused(StatusCode.InvalidArgument, () => As(CountyA, Role.Admin).OverrideProblemCategoryAsync(Rename(MeasuresFixture.TownshipA, "县为镇改名")))).Fields());
        Assert.Equal(before, await DefinitionRows());
        Assert.Equal("national", (await SeenBy(MeasuresFixture.TownshipA)).DefinedBy);
    }

    [Fact]
    public async Task The_nearest_units_definition_wins_county_over_city_over_province_over_the_nation()
    {
        await As(Province, Role.Admin).OverrideProblemCategoryAsync(Rename(Province, "省：集体经济薄弱", "省农业农村厅"));
        Assert.Equal([Province, Province, Province], new[] { (await SeenBy(City)).DefinedBy, (await SeenBy(CountyA)).DefinedBy, (await SeenBy(TargetOfB)).DefinedBy });

        await As(City, Role.Admin).OverrideProblemCategoryAsync(Rename(City, "市：集体经济薄弱", "市农业农村局"));
        Assert.Equal(("市：集体经济薄弱", "省：集体经济薄弱"), ((await SeenBy(CountyA)).Name, (await SeenBy(Province)).Name));

        // A city admin may act for a county below it; that county's word then beats the city's, for that county only.
        await As(City, Role.Admin).OverrideProblemCategoryAsync(Rename(CountyA, "县：集体经济薄弱", "县农业农村局"));
        var inA = await SeenBy(TargetA1);
        var inB = await SeenBy(TargetOfB);
        Assert.Equal(("县：集体经济薄弱", CountyA, "县农业农村局"), (inA.Name, inA.DefinedBy, inA.HelpingDepartments.Single()));
        Assert.Equal(("市：集体经济薄弱", City, "市农业农村局"), (inB.Name, inB.DefinedBy, inB.HelpingDepartments.Single()));

        // Retirement is inherited the same way, and a county may offer again what its city retired.
        await As(City, Role.Admin).RetireProblemCategoryAsync(new ProblemCategoryKey { Code = "ELECTION" });
        var restored = await As(CountyA, Role.Admin).RestoreProblemCategoryAsync(new ProblemCategoryKey { Code = "ELECTION" });
        Assert.False(restored.Retired);
        Assert.Equal((true, City), ((await SeenBy(CountyB, "ELECTION")).Retired, (await SeenBy(CountyB, "ELECTION")).RetiredBy));
        Assert.False((await SeenBy(TargetA1, "ELECTION")).Retired);
    }

    [Fact]
    public async Task A_countys_own_category_is_seen_and_used_only_in_its_subtree()
    {
        var countyAdmin = As(CountyA, Role.Admin);
        var added = await countyAdmin.AddProblemCategoryAsync(new DefineProblemCategoryRequest { Code = "ENVIRONMENT", Name = "人居环境整治滞后", HelpingDepartments = { "生态环境局" } });
        Assert.Equal((CountyA, false), (added.DefinedBy, added.Retired));
        var listA = await As(TargetA1, Role.Viewer).ListProblemCategoriesAsync(new ListProblemCategoriesRequest());
        Assert.Equal((TargetA1, "ENVIRONMENT"), (listA.UnitCode, listA.Categories[^1].Code)); // after the national defaults
        Assert.DoesNotContain((await As(CountyB, Role.Viewer).ListProblemCategoriesAsync(new ListProblemCategoriesRequest())).Categories, c => c.Code == "ENVIRONMENT");

        // Add refuses a code the unit already sees; override refuses one it does not.
        await Rpc.Refused(StatusCode.AlreadyExists, () => countyAdmin.AddProblemCategoryAsync(new DefineProblemCategoryRequest { Code = Economy, Name = "重复" }));
        await Rpc.Refused(StatusCode.NotFound, () => As(CountyB, Role.Admin).OverrideProblemCategoryAsync(new DefineProblemCategoryRequest { Code = "ENVIRONMENT", Name = "兴国改于都的" }));
        Assert.Equal(["code", "helping_departments[0]"], (await Rpc.Refused(StatusCode.InvalidArgument, () => countyAdmin.AddProblemCategoryAsync(
            new DefineProblemCategoryRequest { Code = "bad code", Name = "x", HelpingDepartments = { "a|b" } }))).Fields().Order());

        var planA = SimplePlan(TargetA1);
        planA.Problems[1].CategoryCode = "ENVIRONMENT";
        Assert.Equal("人居环境整治滞后", (await _host.Measures(MeasuresFixture.TownshipA).CreatePlanAsync(planA)).Problems[1].CategoryName);
        var planB = SimplePlan(TargetOfB);
        planB.Problems[1].CategoryCode = "ENVIRONMENT";
        Assert.Equal(["problems[1].category_code"], (await Rpc.Refused(StatusCode.InvalidArgument, () => _host.Measures(TownshipOfB).CreatePlanAsync(planB))).Fields());
    }

    [Fact]
    public async Task Retiring_a_category_keeps_existing_plans_readable_and_refuses_new_problems_with_it()
    {
        var township = _host.Measures(MeasuresFixture.TownshipA);
        var existing = await township.CreatePlanAsync(SimplePlan(TargetA1)); // WEAK_LEADERSHIP is its second problem
        var retired = await As(CountyA, Role.Admin).RetireProblemCategoryAsync(new ProblemCategoryKey { Code = "WEAK_LEADERSHIP" });
        Assert.Equal((true, CountyA), (retired.Retired, retired.RetiredBy));

        // Still listed (marked retired) and still named in the plan written before; not offered for new problems.
        var again = await township.GetPlanAsync(new GetPlanRequest { PlanId = existing.Id });
        Assert.Equal(("WEAK_LEADERSHIP", "班子软弱涣散、组织动员力弱"), (again.Problems[1].CategoryCode, again.Problems[1].CategoryName));
        Assert.True((await SeenBy(TargetA1, "WEAK_LEADERSHIP")).Retired);
        Assert.DoesNotContain((await township.ListProblemCategoriesAsync(new ListProblemCategoriesRequest { ActiveOnly = true })).Categories, c => c.Code == "WEAK_LEADERSHIP");
        // Measures may still be added to the problem that has it.
        await township.AddMeasureAsync(new AddMeasureRequest { PlanId = existing.Id, ProblemId = existing.Problems[1].Id, Measure = Measure("开展谈心谈话", new DateOnly(2027, 6, 30)) });

        var before = await Snapshot(_host);
        var refused = await Rpc.Refused(StatusCode.InvalidArgument, () => township.CreatePlanAsync(SimplePlan(TargetA2)));
        Assert.Equal(["problems[1].category_code"], refused.Fields());
        Assert.Equal(before, await Snapshot(_host));
        // Another county still uses it.
        Assert.Equal("WEAK_LEADERSHIP", (await _host.Measures(TownshipOfB).CreatePlanAsync(SimplePlan(TargetOfB))).Problems[1].CategoryCode);

        Assert.False((await As(CountyA, Role.Admin).RestoreProblemCategoryAsync(new ProblemCategoryKey { Code = "WEAK_LEADERSHIP" })).Retired);
        Assert.Equal("WEAK_LEADERSHIP", (await township.CreatePlanAsync(SimplePlan(TargetA2))).Problems[1].CategoryCode);
        Assert.Equal("national", (await SeenBy(TargetA2, "WEAK_LEADERSHIP")).DefinedBy);
    }

    [Fact]
    public async Task Upgrading_keeps_every_category_already_stored_as_a_national_default()
    {
        // A database as the previous release left it, with a category a county had set for everyone.
        await using var storage = TestStorage.Create(provider);
        var connectionString = storage.ConnectionString("measures");
        if (provider == DbProvider.Postgres)
        {
            var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
            await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false }.ConnectionString);
            await admin.ExecuteAsync($"CREATE DATABASE \"{name}\"");
        }
        var runner = new ServiceCollection().AddFluentMigratorCore().ConfigureRunner(r =>
        {
            _ = provider == DbProvider.Sqlite ? r.AddSQLite() : r.AddPostgres();
            r.WithGlobalConnectionString(connectionString).ScanIn(typeof(Database).Assembly, typeof(MeasuresModule).Assembly).For.Migrations();
        }).BuildServiceProvider(validateScopes: false);
        await using (runner) runner.GetRequiredService<IMigrationRunner>().MigrateUp(202611240101);
        var old = new Database<MeasuresModule>("measures", provider, connectionString);
        await old.WriteAsync(session => session.ExecuteAsync(
            "INSERT INTO problem_categories (code, name, helping_departments, position) VALUES ('ENVIRONMENT', '人居环境整治滞后', '生态环境局', 11)"));

        await using var upgraded = await TestHost.StartAsync(provider, [new MeasuresModule()], storage: storage);
        var list = await upgraded.Measures(CountyB, Role.Viewer).ListProblemCategoriesAsync(new ListProblemCategoriesRequest());
        Assert.Equal(11, list.Categories.Count);
        Assert.All(list.Categories, c => Assert.Equal(("national", false), (c.DefinedBy, c.Retired)));
        Assert.Equal(("ENVIRONMENT", "人居环境整治滞后"), (list.Categories[^1].Code, list.Categories[^1].Name));
    }
}

public sealed class CategoryOwnershipOnSqlite() : CategoryOwnershipSpec(DbProvider.Sqlite);

public sealed class CategoryOwnershipOnPostgres() : CategoryOwnershipSpec(DbProvider.Postgres);
