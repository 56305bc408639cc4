using Rectify.Assessment.V1;
using Rectify.Kernel;
using Rectify.Organizations.V1;
using Rectify.Platform.Hosting;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Tests.Measures;
using Rectify.Tests.Support;

namespace Rectify.Tests.Assessment;

/// <summary>
/// A host with organizations, measures and assessment, and a county of three
/// townships of 11, 10 and 20 villages: with a 10% quota they propose 2, 1 and 2.
/// </summary>
public static class AssessmentFixture
{
    public const string County = "360731000000";
    public const string T1 = "360731101000", T2 = "360731102000", T3 = "360731103000";
    public static readonly Dictionary<string, int> Villages = new() { [T1] = 11, [T2] = 10, [T3] = 20 };

    public static string Village(string township, int n) => township[..9] + (200 + n).ToString("D3");

    public static ServiceModule[] Modules() =>
        [new Rectify.Organizations.OrganizationsModule(), new Rectify.Measures.MeasuresModule(), new Rectify.Assessment.AssessmentModule()];

    public static async Task<TestHost> StartAsync(DbProvider provider, IDictionary<string, string?>? settings = null, IReadOnlyList<ServiceModule>? modules = null)
    {
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { ["Rectify:Measures:ScheduleScans"] = "false" };
        var host = await TestHost.StartAsync(provider, modules ?? Modules(), all);
        MeasuresFixture.SetShanghai(host, new DateTime(2027, 3, 1, 10, 0, 0));
        return host;
    }

    public static async Task ImportCountyAsync(TestHost host)
    {
        using var call = host.Organizations("000000000000", Role.Service).ImportUnits();
        var rows = new List<(string, string, string)> { ("360000000000", "江西省", ""), ("360700000000", "赣州市", "360000000000"), (County, "于都县", "360700000000") };
        foreach (var (township, count) in Villages)
        {
            rows.Add((township, $"第{township[6..9]}镇", County));
            for (var n = 1; n <= count; n++) rows.Add((Village(township, n), $"{township[8]}镇{n}村", township));
        }
        foreach (var (code, name, parent) in rows) await call.RequestStream.WriteAsync(new ImportUnitRow { Code = code, Name = name, ParentCode = parent });
        await call.RequestStream.CompleteAsync();
        Assert.Empty((await call).Errors);
    }

    public static AssessmentService.AssessmentServiceClient Assessment(this TestHost host, string org, Role role = Role.Officer, string subject = "县委组织部") =>
        new(host.As(org, role, subject));

    public static Votes Votes(int satisfied, int basically, int dissatisfied) =>
        new() { Satisfied = satisfied, BasicallySatisfied = basically, Dissatisfied = dissatisfied, Ballots = satisfied + basically + dissatisfied };

    public static CommitteeScores Committee(double all) =>
        new() { TeamOperation = all, OrganizationalSystems = all, CadreTeam = all, VanguardRole = all };

    /// <summary>Assesses every branch with good scores (satisfaction 90%, committee 90) unless <paramref name="overrides"/> says otherwise.</summary>
    public static async Task AssessAllAsync(TestHost host, string campaignId, Dictionary<string, RecordAssessmentRequest>? overrides = null)
    {
        var county = host.Assessment(County);
        foreach (var (township, count) in Villages)
            for (var n = 1; n <= count; n++)
            {
                var code = Village(township, n);
                var request = overrides?.GetValueOrDefault(code) ?? new RecordAssessmentRequest { Votes = Votes(60, 30, 10), Committee = Committee(90) };
                request.CampaignId = campaignId;
                request.VillageCode = code;
                await county.RecordAssessmentAsync(request);
            }
    }
}
