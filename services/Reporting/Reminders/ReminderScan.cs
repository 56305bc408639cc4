using Dapper;
using Microsoft.Extensions.Logging;
using Rectify.Events;
using Rectify.Events.Reporting;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Hosting;
using Rectify.Platform.Outbox;
using Rectify.Platform.Storage;
using Rectify.Reporting.Directory;
using Rectify.Reporting.Reports;

namespace Rectify.Reporting.Reminders;

/// <summary>
/// 催报: the days before a month's reports are due, each township that has not
/// submitted gets ReportDueSoon; the day after, ReportMissing (one per township
/// and month — the notifications service makes the county's single digest of
/// them). Occurrence keys make every reminder go out once; missed days are
/// scanned on the next run.
/// </summary>
public sealed class ReminderScan(Database<ReportingModule> database, ReportingCalendar calendar, TimeProvider clock, ILogger<ReminderScan> logger)
{
    private const int MaxCatchUpDays = 31;

    public async Task<(int DueSoon, int Missing)> RunAsync(CancellationToken ct)
    {
        var today = clock.Today();
        var last = await database.ReadAsync(c => c.ExecuteScalarAsync<DateOnly?>("SELECT MAX(scan_date) FROM reminder_scans"), ct);
        var first = last is { } l && l < today ? l.AddDays(1) : today;
        if (first < today.AddDays(-MaxCatchUpDays)) first = today.AddDays(-MaxCatchUpDays);
        var (dueSoon, missing) = (0, 0);
        for (var day = first; day <= today; day = day.AddDays(1))
        {
            var (d, m) = await ScanDayAsync(day, today, ct);
            dueSoon += d;
            missing += m;
            try
            {
                await database.WriteAsync(async session =>
                {
                    if (await session.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM reminder_scans WHERE scan_date = @day", new { day }) == 0)
                        await session.ExecuteAsync("INSERT INTO reminder_scans (scan_date, finished_at) VALUES (@day, @now)", new { day, now = clock.GetUtcNow().UtcDateTime });
                }, ct);
            }
            catch (Exception e) when (Sql.IsUniqueViolation(e)) { /* another instance recorded the day */ }
        }
        logger.LogInformation("Reminder scan through {Today}: {DueSoon} due soon, {Missing} missing", today, dueSoon, missing);
        return (dueSoon, missing);
    }

    private async Task<(int DueSoon, int Missing)> ScanDayAsync(DateOnly day, DateOnly today, CancellationToken ct)
    {
        // The reports due this month are the previous month's.
        var month = Month.Of(day).Previous;
        var due = calendar.DueOn(month);
        var daysLeft = due.DayNumber - day.DayNumber;
        var remind = calendar.RemindDaysBefore.Contains(daysLeft) && due >= today;
        var chase = day == due.AddDays(1);
        if (!remind && !chase) return (0, 0);

        var now = clock.GetUtcNow();
        var events = new List<(string Key, IIntegrationEvent Event)>();
        await database.ReadAsync(async c =>
        {
            var active = await TargetDirectory.ActiveAsync(c, OrgCode.Nation, month);
            var submitted = (await c.QueryAsync<string>("SELECT DISTINCT unit_code FROM reports WHERE period = @period AND submitted_on IS NOT NULL",
                new { period = month.ToString() })).ToHashSet();
            foreach (var township in active.GroupBy(a => a.TownshipCode).Where(g => !submitted.Contains(g.Key)))
            {
                var target = township.First();
                if (remind)
                {
                    var key = $"report-due:{township.Key}:{month}:{daysLeft}";
                    events.Add((key, new ReportDueSoon(township.Key, target.TownshipName, target.CountyCode, month.ToString(), due, daysLeft, key, now)));
                }
                if (chase)
                {
                    var key = $"report-missing:{township.Key}:{month}";
                    events.Add((key, new ReportMissing(township.Key, target.TownshipName, target.CountyCode, month.ToString(), due, calendar.LockedAfter(month), key, now)));
                }
            }
            return true;
        }, ct);
        if (events.Count == 0) return (0, 0);
        var fresh = await database.WriteAsync(async session =>
        {
            var seen = (await session.QueryAsync<string>($"SELECT occurrence_key FROM reminder_occurrences WHERE {session.Sql.InList("occurrence_key", "@keys")}",
                new { keys = events.Select(e => e.Key).ToArray() })).ToHashSet();
            var fresh = events.Where(e => !seen.Contains(e.Key)).ToList();
            if (fresh.Count == 0) return fresh;
            await session.ExecuteAsync("INSERT INTO reminder_occurrences (occurrence_key, recorded_at) VALUES (@Key, @at)",
                fresh.Select(e => new { e.Key, at = now.UtcDateTime }).ToList());
            await session.PublishAllAsync(fresh.Select(e => e.Event).ToList());
            return fresh;
        }, ct);
        return (fresh.Count(e => e.Event is ReportDueSoon), fresh.Count(e => e.Event is ReportMissing));
    }
}
