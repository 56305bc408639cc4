using Rectify.Assessment.V1;
using Rectify.Common.V1;
using Rectify.Gateway;
using Rectify.Gateway.V1;
using Rectify.Kernel;
using Rectify.Platform.Storage;
using Rectify.Tests.Documents;
using Rectify.Tests.Support;
using static Rectify.Tests.Assessment.AssessmentFixture;

namespace Rectify.Tests.Gateway;

/// <summary>
/// Last year's targets entered as history today (the fake clock stands at 2027-03-01) show in last year's progress from
/// the month of their decision, with an archived acceptance counted as transformed, in the live read model and in one
/// rebuilt from the services alike: they are dated by the decision and the acceptance, not by when they were recorded.
/// </summary>
public sealed class HistoryProgressTests
{
    private static async Task<TargetCounts> TargetsAsync(TestHost host, int month) =>
        (await new ProgressService.ProgressServiceClient(host.As(County, Role.Viewer)).GetProgressAsync(
            new GetProgressRequest { UnitCode = County, Period = new Period { Year = 2026, Month = month } })).Targets;

    private static async Task<string> FiguresAsync(TestHost host) =>
        string.Join("; ", await Task.WhenAll(new[] { 2, 12 }.Select(async m =>
        {
            var t = await TargetsAsync(host, m);
            return $"{m}月 total={t.Total} transformed={t.Transformed}";
        })));

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task Last_years_targets_entered_as_history_count_from_their_decision_live_and_rebuilt(DbProvider provider)
    {
        // Reporting too: the rebuild below streams every service's state.
        var host = await StartAsync(provider, new Dictionary<string, string?> { ["Rectify:Gateway:RebuildWhenEmpty"] = "false" },
            [.. Modules(), new Rectify.Reporting.ReportingModule(), new GatewayModule()]);
        await using var _ = host;
        await ImportCountyAsync(host);
        var county = host.Assessment(County, Role.Reviewer, "县委组织部审核员");

        // One target through RecordPastTargets, decided 2026-03-10; another through the 往年整顿对象及结果 import (the same
        // write), decided 2026-03-20 and accepted (摘帽) on 2026-11-20.
        await county.RecordPastTargetsAsync(new RecordPastTargetsRequest
        {
            CountyCode = County, Year = 2026, DecidedOn = new DateOnly(2026, 3, 10).ToProto(), Basis = "县委组发〔2026〕8号", VillageCodes = { Village(T1, 1) },
        });
        var template = await WorkbookFiles.DownloadAsync(county.GetTemplate(new GetTemplateRequest { Kind = TemplateKind.PastTargets, ScopeCode = County }));
        var file = WorkbookFiles.Fill(template, ("往年整顿对象",
            [new object?[] { 2026, Village(T1, 2), null, new DateOnly(2026, 3, 20), "县委组发〔2026〕9号", "已验收（摘帽）", new DateOnly(2026, 11, 20) }]));
        Assert.True((await WorkbookFiles.UploadAsync(county.ImportWorkbook(), TemplateKind.PastTargets, County, 0, file, dryRun: false)).Applied);
        await host.SettledAsync();

        const string expected = "2月 total=0 transformed=0; 12月 total=2 transformed=1";
        Assert.Equal(expected, await FiguresAsync(host));

        // A gateway alone on a new database, rebuilt from the services' snapshots, dates them alike.
        await using var rebuilt = await TestHost.StartAsync(provider, [new GatewayModule()], new Dictionary<string, string?>
        {
            ["Rectify:Gateway:RebuildWhenEmpty"] = "false",
            ["Rectify:Endpoints:organizations"] = host.GrpcUrl, ["Rectify:Endpoints:assessment"] = host.GrpcUrl,
            ["Rectify:Endpoints:measures"] = host.GrpcUrl, ["Rectify:Endpoints:reporting"] = host.GrpcUrl,
        }, clock: host.Clock);
        var result = await new ReadModelService.ReadModelServiceClient(rebuilt.As(OrgCode.Nation.Value, Role.Admin))
            .RebuildReadModelAsync(new RebuildReadModelRequest { UnitCode = OrgCode.Nation.Value });
        Assert.Equal(2, result.Targets);
        Assert.Equal(expected, await FiguresAsync(rebuilt));
    }
}
