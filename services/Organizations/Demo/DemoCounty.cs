using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Kernel;
using Rectify.Organizations.Assignments;
using Rectify.Organizations.Profiles;
using Rectify.Organizations.Units;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;

namespace Rectify.Organizations.Demo;

/// <summary>
/// The demo county 于都县 (12 townships, 165 villages and communities), loaded
/// through the service's own import, profile and assignment code. Profiles are
/// drawn from a seeded generator with figures like seed 001's (≈300 households,
/// ≈1,000 people, ≈34 members of whom 4 women, little operating income).
/// </summary>
public static class DemoCounty
{
    public const string CountyCode = "360731000000";

    private static readonly string[] Surnames = ["刘", "陈", "李", "王", "张", "曾", "钟", "谢", "黄", "邱", "肖", "管", "丁", "宋", "易", "罗", "赖"];
    private static readonly string[] GivenNames = ["文华", "建国", "春生", "小平", "志强", "桂英", "海林", "德明", "永福", "红梅", "国平", "新民", "金生", "冬生", "秋兰", "远航", "家兴"];
    private static readonly string[] Departments = ["县人武部", "县财政局", "县农业农村局", "县司法局", "县公安局", "县委宣传部", "县民政局", "县审计局", "县林业局", "县水利局"];

    public static async Task SeedAsync(IServiceProvider services, CancellationToken ct)
    {
        var store = services.GetRequiredService<UnitStore>();
        var hasUnits = await store.Database.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM units"), ct) > 0;
        if (hasUnits) return;

        var loader = new Caller("demo-loader", OrgCode.Nation, Role.Service);
        await using var csv = typeof(DemoCounty).Assembly.GetManifestResourceStream("demo-county.csv")
            ?? throw new InvalidOperationException("The demo county file is not embedded.");
        using var reader = new StreamReader(csv);
        var result = await services.GetRequiredService<UnitImporter>().ImportAsync(loader, UnitCsv.ReadAsync(reader), ct);
        if (result.Errors.Count > 0) throw new InvalidOperationException($"Demo county rejected: line {result.Errors[0].Line} {result.Errors[0].Reason}");

        var year = services.GetRequiredService<TimeProvider>().Today().Year;
        var profiles = services.GetRequiredService<ProfileService>();
        var assignments = services.GetRequiredService<AssignmentService>();
        var villages = await store.SubtreeAsync(OrgCode.Parse(CountyCode), null, false, Common.V1.OrgLevel.Village, UnitService.MaxPageSize, ct);
        for (var i = 0; i < villages.Count; i++)
        {
            var random = new Random(OrgCode.Parse(villages[i].Code).NumberInCounty);
            await profiles.SetAsync(loader, new SetProfileRequest { Profile = Profile(villages[i].Code, year, random) }, ct);
            if (i % 8 == 3)
                foreach (var assignment in FourOnes(villages[i].Code, year, random))
                    await assignments.AddAsync(loader, assignment, ct);
        }
    }

    private static string Person(Random random) => Surnames[random.Next(Surnames.Length)] + GivenNames[random.Next(GivenNames.Length)];

    private static PartyOrganizationProfile Profile(string code, int year, Random random)
    {
        var households = random.Next(180, 820);
        var members = random.Next(18, 66);
        var ages = new int[5];
        int[] weights = [8, 15, 12, 35, 30];
        for (var m = 0; m < members; m++)
        {
            var pick = random.Next(100);
            var bracket = 0;
            while (pick >= weights[bracket]) pick -= weights[bracket++];
            ages[bracket]++;
        }
        var committee = random.Next(5, 10);
        return new PartyOrganizationProfile
        {
            VillageCode = code,
            Year = year,
            OrganizationType = members >= 50 ? PartyOrganizationType.GeneralBranch : PartyOrganizationType.Branch,
            SecretaryName = Person(random),
            SecretaryIsDirector = random.Next(10) < 8,
            CommitteeSize = committee,
            CommitteeVacancies = random.Next(10) < 7 ? 0 : random.Next(1, 3),
            Members = members,
            WomenMembers = (int)Math.Round(members * (0.08 + random.NextDouble() * 0.14)),
            MemberAges = new MemberAges { Age30OrUnder = ages[0], Age31To40 = ages[1], Age41To45 = ages[2], Age46To60 = ages[3], AgeOver60 = ages[4] },
            Households = households,
            Population = (int)(households * (3.1 + random.NextDouble() * 0.8)),
            // Many weak villages have next to no operating income (seed 001: "经营性收入基本没有").
            CollectiveOperatingIncomeYuan = random.Next(10) < 3 ? 0 : random.Next(20, 600) * 1000L,
        };
    }

    private static IEnumerable<AddAssignmentRequest> FourOnes(string code, int year, Random random)
    {
        AddAssignmentRequest Assign(AssignmentKind kind, string assignee, string position) =>
            new() { VillageCode = code, Year = year, Kind = kind, Assignee = assignee, Position = position, AssignedOn = new DateOnly(year, 3, 1).ToProto() };
        var department = Departments[random.Next(Departments.Length)];
        yield return Assign(AssignmentKind.CountyLeader, Person(random), "县委常委");
        yield return Assign(AssignmentKind.TownshipLeader, Person(random), "乡镇党委副书记");
        yield return Assign(AssignmentKind.FirstSecretary, Person(random), $"{department}选派干部");
        yield return Assign(AssignmentKind.PairedDepartment, department, "结对帮扶单位");
        yield return Assign(AssignmentKind.WorkTeam, $"{department}驻村工作组", "工作组");
        yield return Assign(AssignmentKind.PartyBuildingInstructor, Person(random), "乡镇党委组织委员");
    }
}
