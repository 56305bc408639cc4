using Dapper;
using Microsoft.Extensions.Time.Testing;
using Rectify.Assessment;
using Rectify.Assessment.V1;
using Rectify.Common.V1;
using Rectify.Gateway.V1;
using Rectify.Host;
using Rectify.Kernel;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Reporting.Demo;
using Rectify.Reporting.V1;
using Rectify.Tests.Assessment;
using Rectify.Tests.Reporting;
using Rectify.Tests.Support;

namespace Rectify.Tests.Host;

/// <summary>
/// The demo's first start on 20 October shows what a county sees then: a year of history from April, written on the
/// days it happened — reports on time, late and missing, one returned, measures closed month by month, two targets
/// accepted, one failed acceptance and a look-back.
/// </summary>
public sealed class DemoYearTests
{
    private const string County = DemoReports.CountyCode;

    [Fact]
    public async Task The_demo_starts_with_a_year_of_history_reports_measures_acceptances_and_a_look_back()
    {
        var october20 = new FakeTimeProvider(new DateTimeOffset(2027, 10, 20, 10, 0, 0, TimeSpan.FromHours(8)));
        await using var host = await TestHost.StartAsync(DbProvider.Sqlite, ServiceCatalog.All,
            new Dictionary<string, string?> { ["Rectify:Demo"] = "true" }, clock: october20);

        // The trend from April to September: every month with its reports and measures closed by its end, growing.
        var progress = await Poll.Until(async () =>
        {
            var p = await new ProgressService.ProgressServiceClient(host.As(County)).GetProgressAsync(new GetProgressRequest { UnitCode = County, Period = new Period { Year = 2027, Month = 10 } });
            return p.Targets.Reopened == 1 && p.Targets.Transformed == 2 && p.Trend.Where(m => m.Period.Month is >= 4 and <= 9).All(m => m.Reports.Received > 0)
                ? p : throw new InvalidOperationException($"the gateway has not caught up: {p}");
        });
        var months = progress.Trend.Where(m => m.Period.Month is >= 4 and <= 9).ToList();
        Assert.Equal(6, months.Count);
        Assert.All(months, m => Assert.Equal(12, m.Reports.Expected));
        Assert.True(months.Sum(m => m.Reports.Late) > 0, "some reports were late");
        Assert.True(months.Sum(m => m.Reports.Missing) > 0, "some reports are missing");
        Assert.True(months.Sum(m => m.Reports.OnTime) > months.Sum(m => m.Reports.Late + m.Reports.Missing), "most came on time");
        Assert.Equal(months.Select(m => m.MeasuresClosed).Order(), months.Select(m => m.MeasuresClosed));
        Assert.True(months[0].MeasuresClosed > 0 && months[^1].MeasuresClosed > months[0].MeasuresClosed, "measures were closed over the months");
        Assert.True(progress.Measures.Overdue > 0, "some measures are overdue today");

        // A returned report came back as a new revision and was accepted.
        var reporting = host.Reporting(County, role: Role.Reviewer);
        var may = new Period { Year = 2027, Month = DemoReports.ReturnedMonth };
        var returned = (await reporting.ListReportsAsync(new ListReportsRequest { ScopeCode = County, Period = may })).Reports[DemoReports.ReturnedTownship];
        Assert.Equal((ReportStatus.Accepted, 2), (returned.Status, returned.Revision));
        Assert.Equal(ReportStatus.Returned, (await reporting.GetReportAsync(new GetReportRequest { UnitCode = returned.UnitCode, Period = may, Revision = 1 })).Status);
        // The county's summaries for April to August went to the city (September's lock day is 15 October: it went too).
        var summaries = await host.Get<Database<Rectify.Reporting.ReportingModule>>().ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM reports WHERE kind = 2 AND status = 3"));
        Assert.Equal(6, summaries);

        // 验收: two transformed, one sent back (回炉) with its measures reopened; a look-back held in October.
        var campaignId = await host.Get<Database<AssessmentModule>>().ReadAsync(c => c.ExecuteScalarAsync<string>("SELECT id FROM campaigns"));
        var targets = (await host.Assessment(County).ListTargetsAsync(new ListTargetsRequest { CampaignId = campaignId })).Targets;
        Assert.Equal(2, targets.Count(t => t.Status == TargetStatus.Transformed));
        var failed = Assert.Single(targets, t => t.Status == TargetStatus.Reopened);
        Assert.False(Assert.Single(failed.Reviews).Passed);
        var lookedBack = Assert.Single(targets, t => t.Reviews.Any(r => r.Kind == ReviewKind.LookBack));
        Assert.Equal(new Date { Year = 2027, Month = 10, Day = 16 }, lookedBack.Reviews.Single(r => r.Kind == ReviewKind.LookBack).HeldOn);
        var ledger = new Rectify.Measures.V1.MeasureService.MeasureServiceClient(host.As(County));
        await Poll.Until(async () => (await ledger.ListMeasuresAsync(new Rectify.Measures.V1.ListMeasuresRequest { ScopeCode = failed.Branch.VillageCode })).Measures
            .All(m => m.Status == Rectify.Measures.V1.MeasureStatus.Reopened) ? true : throw new InvalidOperationException("the failed acceptance has not reopened the measures yet"));
    }
}
