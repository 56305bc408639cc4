using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Demo;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Reporting.Directory;
using Rectify.Reporting.Reports;
using Rectify.Reporting.V1;

namespace Rectify.Reporting.Demo;

/// <summary>
/// The demo county's monthly reports (月报) from April up to the last month that is over, written as they happened
/// through the service's own report code under a clock set to each past day: most townships on time by the 5th, some
/// late, some missing; the county accepts each within two days, returns one (退回) that comes back as a new revision,
/// and sends its summary to the city after each lock day, which the city accepts. Seeded, so the same at every first start.
/// </summary>
public static class DemoReports
{
    public const string CountyCode = "360731000000";
    public const string CityCode = "360700000000";
    /// <summary>The month (of the campaign year) and the township index whose report the county returns.</summary>
    public const int ReturnedMonth = 5, ReturnedTownship = 3;

    public static async Task SeedAsync(IServiceProvider services, CancellationToken ct)
    {
        var database = services.GetRequiredService<Database<ReportingModule>>();
        if (await database.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM reports"), ct) > 0) return;
        var today = services.GetRequiredService<TimeProvider>().Today();
        var year = DemoClock.CampaignYear(today);
        var county = OrgCode.Parse(CountyCode);
        // The targets arrive with the assessment demo's TargetsDesignated, relayed through the outbox: wait for them a while.
        var waited = 0;
        while (await database.ReadAsync(c => TargetDirectory.ActiveAsync(c, county, new Month(year, 12)), ct) is { Count: 0 })
        {
            if (++waited > 300)
            {
                services.GetRequiredService<ILogger<ReportService>>().LogWarning("Demo reports skipped: no target of {County} arrived from the assessment service", CountyCode);
                return;
            }
            await Task.Delay(100, ct);
        }

        var past = new DemoClock();
        var reports = ActivatorUtilities.CreateInstance<ReportService>(services, past);
        var calendar = services.GetRequiredService<ReportingCalendar>();
        var loader = new Caller("demo-loader", OrgCode.Nation, Role.Service);
        var steps = new List<(DateOnly On, int Hour, Func<Task> Run)>();
        var over = Month.Of(today).Previous;
        for (var month = new Month(year, 4); month <= over && month.Year == year; month = month.Next)
        {
            var active = await database.ReadAsync(c => TargetDirectory.ActiveAsync(c, county, month), ct);
            var townships = active.GroupBy(a => a.TownshipCode).OrderBy(g => g.Key).ToList();
            for (var i = 0; i < townships.Count; i++)
            {
                var township = townships[i];
                var random = DemoClock.Seeded(township.Key, month.Number);
                var roll = random.Next(100);
                if (roll < 8) continue; // never reported: missing
                // On time by the 5th for most, late (6th–13th) for some.
                var submittedOn = month.Next.FirstDay.AddDays(roll < 22 ? random.Next(5, 13) : random.Next(0, 5));
                var m = month;
                var code = township.Key;
                var villages = township.ToList();
                var push = Push(code, m, villages, random, $"demo-{code}-{m}");
                steps.Add((submittedOn, 9, () => reports.PushAsync(loader, push, ct)));
                var reviewedOn = submittedOn.AddDays(1 + random.Next(2));
                if (m.Number == ReturnedMonth && i == ReturnedTownship)
                {
                    steps.Add((reviewedOn, 11, () => reports.ReturnAsync(loader, Review(code, m, "为民办实事件数与村级台账不一致，请核实后重新报送"), ct)));
                    var again = Push(code, m, villages, random, $"demo-{code}-{m}-2");
                    steps.Add((reviewedOn.AddDays(2), 9, () => reports.PushAsync(loader, again, ct)));
                    reviewedOn = reviewedOn.AddDays(3);
                }
                steps.Add((reviewedOn, 15, () => reports.AcceptAsync(loader, Review(code, m, ""), ct)));
            }
            // The county's summary goes to the city the day after the lock: every township is accepted or missing by then.
            var summaryOn = calendar.LockedAfter(month).AddDays(1);
            var period = month;
            steps.Add((summaryOn, 10, () => reports.SubmitCountySummaryAsync(loader,
                new SubmitCountySummaryRequest { ClientRequestId = $"demo-summary-{period}", CountyCode = CountyCode, Period = period.ToProto() }, ct)));
            steps.Add((summaryOn.AddDays(2), 10, () => reports.AcceptAsync(loader, Review(CountyCode, period, ""), ct)));
        }
        foreach (var (on, hour, run) in steps.Where(s => s.On < today).OrderBy(s => s.On).ThenBy(s => s.Hour))
        {
            past.At(on, hour);
            await run();
        }
    }

    private static ReviewReportRequest Review(string unit, Month month, string reason) => new() { UnitCode = unit, Period = month.ToProto(), Reason = reason };

    private static PushReportRequest Push(string township, Month month, List<DirectoryTarget> villages, Random random, string id)
    {
        var request = new PushReportRequest { ClientRequestId = id, TownshipCode = township, Period = month.ToProto(), Submit = true };
        foreach (var village in villages)
            request.Villages.Add(new VillageEntry
            {
                VillageCode = village.VillageCode,
                WorkDone = $"{month.Number}月召开支委会和党员大会，落实“三会一课”；推进整改措施，走访群众收集意见。",
                ProblemsMet = random.Next(3) == 0 ? "产业项目资金到位慢" : "",
                NextMonthPlan = "推进未完成整改措施，开展主题党日，做好销号资料整理。",
                Indicators = new Indicators
                {
                    MeetingsHeld = random.Next(3, 7), Trainings = random.Next(0, 3), MembersDeveloped = random.Next(0, 2),
                    ServicesForPeople = random.Next(1, 6), DisputesMediated = random.Next(0, 4),
                    CollectiveIncomeToDateYuan = 8_000L * (month.Number - 2) + random.Next(0, 5_000),
                },
            });
        return request;
    }
}
