using System.Text.Json;
using Rectify.Events.Measures;
using Rectify.Measures.Deadlines;
using Rectify.Measures.V1;
using Rectify.Platform.Messaging;
using Rectify.Platform.Outbox;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;
using static Rectify.Tests.Measures.MeasuresFixture;

namespace Rectify.Tests.Measures;

/// <summary>The deadline scan on a fake clock: which days have occurrences, and that each is published once.</summary>
public abstract class DeadlineScanSpec(DbProvider provider) : IAsyncLifetime
{
    private static readonly DateOnly AprilEnd = new(2027, 4, 30);
    protected TestHost Host = null!;
    private MeasureService.MeasureServiceClient _county = null!;
    private Plan _plan = null!;

    public async ValueTask InitializeAsync()
    {
        Host = await StartAsync(provider);
        _county = Host.Measures(County, subject: "县委组织部");
        // Three measures, all due on the last day of April.
        _plan = await Host.Measures(TownshipA).CreatePlanAsync(SimplePlan(TargetA1, AprilEnd));
    }

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();

    private string MeasureId => _plan.Problems[1].Measures[0].Id;

    private async Task<RunDeadlineScanResponse> ScanOn(DateOnly day, TestHost? host = null)
    {
        var on = host ?? Host;
        SetShanghai(on, day.ToDateTime(new TimeOnly(7, 0)));
        return await on.Measures(County).RunDeadlineScanAsync(new RunDeadlineScanRequest());
    }

    private async Task<List<T>> Events<T>(string name) =>
        (await Outbox(Host, name)).Select(json => JsonSerializer.Deserialize<T>(json, EventTypes.Json)!).ToList();

    [Fact]
    public async Task Reminders_come_7_3_and_1_days_before_then_overdue_weekly_across_the_month_end_and_escalation_at_30_days()
    {
        var scans = new Dictionary<DateOnly, RunDeadlineScanResponse>();
        for (var day = new DateOnly(2027, 4, 20); day <= new DateOnly(2027, 6, 6); day = day.AddDays(1))
            scans[day] = await ScanOn(day);

        var dueSoon = (await Events<MeasureDueSoon>("MeasureDueSoon")).Where(e => e.Measure.MeasureId == MeasureId).ToList();
        Assert.Equal([(7, new DateOnly(2027, 4, 23)), (3, new DateOnly(2027, 4, 27)), (1, new DateOnly(2027, 4, 29))], dueSoon.Select(e => (e.DaysLeft, e.ScanDate)));
        var overdue = (await Events<MeasureOverdue>("MeasureOverdue")).Where(e => e.Measure.MeasureId == MeasureId).ToList();
        Assert.Equal([1, 8, 15, 22, 29, 36], overdue.Select(e => e.DaysOverdue));
        Assert.Equal(new DateOnly(2027, 5, 1), overdue[0].ScanDate);
        var escalated = (await Events<MeasureEscalated>("MeasureEscalated")).Where(e => e.Measure.MeasureId == MeasureId).ToList();
        Assert.Equal((30, new DateOnly(2027, 5, 30), County), (escalated.Single().DaysOverdue, escalated.Single().ScanDate, escalated.Single().CountyCode));
        Assert.Equal(["刘文华"], escalated.Single().Measure.ResponsiblePersons);
        Assert.Equal("上坪村", escalated.Single().Measure.VillageName);

        // The other days published nothing; the three measures share each occurrence day.
        Assert.Equal(3, scans[new DateOnly(2027, 5, 1)].Overdue);
        Assert.Equal(0, scans[new DateOnly(2027, 5, 2)].Overdue + scans[new DateOnly(2027, 5, 2)].DueSoon);
        Assert.Equal(3, scans[new DateOnly(2027, 5, 30)].Escalated);
        Assert.Equal(3 * (3 + 6 + 1), scans.Values.Sum(s => s.DueSoon + s.Overdue + s.Escalated));
    }

    [Fact]
    public async Task A_second_run_or_a_second_instance_at_the_same_time_publishes_nothing_twice()
    {
        await using var second = await TestHost.StartAsync(provider, [new Rectify.Measures.MeasuresModule()],
            new Dictionary<string, string?> { ["Rectify:Measures:ScheduleScans"] = "false" }, storage: Host.Storage);
        var day = new DateOnly(2027, 5, 1);
        SetShanghai(Host, day.ToDateTime(new TimeOnly(7, 0)));
        SetShanghai(second, day.ToDateTime(new TimeOnly(7, 0)));
        var both = await Task.WhenAll(ScanOn(day), ScanOn(day, second), ScanOn(day));
        Assert.Equal(3, both.Sum(r => r.Overdue));
        Assert.Equal(0, (await ScanOn(day)).Overdue);
        Assert.Equal(3, (await Events<MeasureOverdue>("MeasureOverdue")).Count);
    }

    [Fact]
    public async Task A_key_another_instance_recorded_after_this_scan_read_its_candidates_is_not_published_again()
    {
        // The scan reads the keys already recorded with its candidates, then writes without looking each key up. A racing
        // instance's key written after that read is played here by a row the read cannot match (another measure id): the
        // first write meets the unique key, and the chunk is written again without it.
        var day = new DateOnly(2027, 5, 1);
        var key = $"overdue:{MeasureId}:{AprilEnd:yyyyMMdd}:1";
        var at = Host.Clock.GetUtcNow().UtcDateTime;
        await Host.Get<Database<Rectify.Measures.MeasuresModule>>().WriteAsync(s => s.ExecuteAsync(
            "INSERT INTO deadline_occurrences (occurrence_key, measure_id, scan_date, recorded_at) VALUES (@key, @other, @day, @at)",
            new { key, other = "another-instance", day, at }));

        Assert.Equal(2, (await ScanOn(day)).Overdue);
        var overdue = await Events<MeasureOverdue>("MeasureOverdue");
        Assert.Equal(2, overdue.Count);
        Assert.DoesNotContain(overdue, e => e.OccurrenceKey == key);
        Assert.Equal(0, (await ScanOn(day)).Total());
        Assert.Equal(2, (await Events<MeasureOverdue>("MeasureOverdue")).Count);
    }

    [Fact]
    public async Task A_scan_after_downtime_catches_up_on_the_days_it_missed_without_stale_reminders()
    {
        await ScanOn(new DateOnly(2027, 4, 20));
        var result = await ScanOn(new DateOnly(2027, 5, 16));
        Assert.Equal((0, 9), (result.DueSoon, result.Overdue));
        var overdue = (await Events<MeasureOverdue>("MeasureOverdue")).Where(e => e.Measure.MeasureId == MeasureId);
        Assert.Equal([1, 8, 15], overdue.Select(e => e.DaysOverdue));
    }

    [Fact]
    public async Task Completing_stops_the_reminders_and_reopening_starts_a_new_cycle()
    {
        var village = Host.Measures(TargetA1);
        await ScanOn(new DateOnly(2027, 5, 1));
        SetShanghai(Host, new DateTime(2027, 5, 3, 9, 0, 0));
        await village.RecordProgressAsync(new RecordProgressRequest { MeasureId = MeasureId, Percent = 100 });
        await village.CompleteMeasureAsync(new CompleteMeasureRequest { MeasureId = MeasureId });
        await ScanOn(new DateOnly(2027, 5, 8));
        SetShanghai(Host, new DateTime(2027, 5, 10, 9, 0, 0));
        await Host.Measures(TownshipA).ReopenMeasureAsync(new ReopenMeasureRequest { MeasureId = MeasureId, Reason = "回头看不达标", NewDeadline = D(2027, 5, 20) });
        for (var day = new DateOnly(2027, 5, 11); day <= new DateOnly(2027, 5, 21); day = day.AddDays(1)) await ScanOn(day);

        var mine = (await Events<MeasureOverdue>("MeasureOverdue")).Where(e => e.Measure.MeasureId == MeasureId).ToList();
        Assert.Equal([(1, new DateOnly(2027, 4, 30)), (1, new DateOnly(2027, 5, 20))], mine.Select(e => (e.DaysOverdue, e.Measure.Deadline)));
        var due = (await Events<MeasureDueSoon>("MeasureDueSoon")).Where(e => e.Measure.MeasureId == MeasureId);
        Assert.Equal([7, 3, 1], due.Select(e => e.DaysLeft));
    }

    [Fact]
    public async Task A_measure_first_seen_past_its_deadline_is_overdue_at_the_next_scan_and_escalated_once_at_30_days_whatever_day_it_was_entered()
    {
        // Entered on the evening of 13 June with deadlines 45, 10 and 8 days before the next morning's scan.
        SetShanghai(Host, new DateTime(2027, 6, 13, 20, 0, 0));
        var request = SimplePlan(TargetA2);
        request.Problems[0].Measures[0].Deadline = D(2027, 4, 30);
        request.Problems[0].Measures[1].Deadline = D(2027, 6, 4);
        request.Problems[1].Measures[0].Deadline = D(2027, 6, 6);
        var late = await Host.Measures(TownshipA).CreatePlanAsync(request);
        var (m45, m10, m8) = (late.Problems[0].Measures[0].Id, late.Problems[0].Measures[1].Id, late.Problems[1].Measures[0].Id);

        var first = await ScanOn(new DateOnly(2027, 6, 14));
        Assert.Equal(0, (await ScanOn(new DateOnly(2027, 6, 14))).Total());
        for (var day = new DateOnly(2027, 6, 15); day <= new DateOnly(2027, 7, 10); day = day.AddDays(1)) await ScanOn(day);

        var overdue = (await Events<MeasureOverdue>("MeasureOverdue")).Where(e => e.Measure.PlanId == late.Id).ToList();
        var escalated = (await Events<MeasureEscalated>("MeasureEscalated")).Where(e => e.Measure.PlanId == late.Id).ToList();
        // At once, whatever the days; then the usual weekly days after the deadline; the 8th day is one of them anyway.
        Assert.Equal([(45, new DateOnly(2027, 6, 14)), (50, new DateOnly(2027, 6, 19)), (57, new DateOnly(2027, 6, 26)), (64, new DateOnly(2027, 7, 3)), (71, new DateOnly(2027, 7, 10))],
            overdue.Where(e => e.Measure.MeasureId == m45).Select(e => (e.DaysOverdue, e.ScanDate)));
        Assert.Equal([10, 15, 22, 29, 36], overdue.Where(e => e.Measure.MeasureId == m10).Select(e => e.DaysOverdue));
        Assert.Equal([8, 15, 22, 29], overdue.Where(e => e.Measure.MeasureId == m8).Select(e => e.DaysOverdue));
        // The escalation once each: at once for the one already 30 days overdue, on the 30th day for the others.
        Assert.Equal([(m45, 45, new DateOnly(2027, 6, 14)), (m10, 30, new DateOnly(2027, 7, 4)), (m8, 30, new DateOnly(2027, 7, 6))],
            escalated.Select(e => (e.Measure.MeasureId, e.DaysOverdue, e.ScanDate)));
        Assert.All(escalated, e => Assert.Equal(County, e.CountyCode));
        Assert.Equal(overdue.Count, overdue.Select(e => e.OccurrenceKey).Distinct().Count());
        Assert.True(first.Overdue >= 3 && first.Escalated >= 1);
    }

    [Fact]
    public void The_scan_looks_up_exact_deadline_dates()
    {
        var dates = DeadlineScan.DeadlinesWithOccurrences(new DateOnly(2027, 5, 30), new DateOnly(2027, 5, 30), new DateOnly(2027, 4, 1));
        Assert.Equal([new DateOnly(2027, 6, 6), new DateOnly(2027, 6, 2), new DateOnly(2027, 5, 31), new DateOnly(2027, 5, 29), new DateOnly(2027, 5, 22),
            new DateOnly(2027, 5, 15), new DateOnly(2027, 5, 8), new DateOnly(2027, 5, 1), new DateOnly(2027, 4, 24), new DateOnly(2027, 4, 17),
            new DateOnly(2027, 4, 10), new DateOnly(2027, 4, 3), new DateOnly(2027, 4, 30)], dates);
        Assert.Equal(TimeSpan.FromHours(20), Rectify.Platform.Hosting.DailyJob.UntilNextRun(new DateTimeOffset(2027, 5, 1, 10, 0, 0, TimeSpan.FromHours(8)), new TimeOnly(6, 0)));
    }
}

internal static class ScanResults
{
    public static int Total(this RunDeadlineScanResponse r) => r.DueSoon + r.Overdue + r.Escalated;
}

public sealed class DeadlineScanOnSqlite() : DeadlineScanSpec(DbProvider.Sqlite);

public sealed class DeadlineScanOnPostgres() : DeadlineScanSpec(DbProvider.Postgres);

/// <summary>The scheduler itself: nobody calls the RPC, the clock crosses 06:00, the reminders go out.</summary>
public sealed class DeadlineSchedulerTests
{
    [Fact]
    public async Task The_daily_scan_runs_by_itself_at_the_configured_local_time()
    {
        await using var host = await StartAsync(DbProvider.Sqlite, schedule: true);
        await host.Measures(TownshipA).CreatePlanAsync(SimplePlan(TargetA1, new DateOnly(2027, 3, 10)));
        SetShanghai(host, new DateTime(2027, 3, 3, 6, 1, 0)); // crosses 06:00 on 3 March: 7 days before the deadline
        await Poll.UntilCount(async () => (await Outbox(host, "MeasureDueSoon")).Count, 3, "MeasureDueSoon in the outbox");
        var due = await Outbox(host, "MeasureDueSoon");
        Assert.All(due, json => Assert.Equal(7, JsonSerializer.Deserialize<MeasureDueSoon>(json, EventTypes.Json)!.DaysLeft));
    }
}
