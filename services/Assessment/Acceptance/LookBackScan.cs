using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Logging;
using Rectify.Assessment.Campaigns;
using Rectify.Assessment.V1;
using Rectify.Events;
using Rectify.Events.Assessment;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Hosting;
using Rectify.Platform.Outbox;
using Rectify.Platform.Storage;

namespace Rectify.Assessment.Acceptance;

/// <summary>
/// Chases look-backs (回头看) like measures: for each transformed target's next look-back not yet held, LookBackDueSoon
/// 7, 3 and 1 days before it, LookBackOverdue the day after, then every 7 days until it is held. Each reminder day is
/// a cadence point with an occurrence key; a scan publishes the latest point reached if its key is not recorded, so a
/// second run publishes nothing twice, days missed while down are caught up once, and a target first seen late (an
/// acceptance recorded after the look-back's date) is told at once.
/// </summary>
public sealed class LookBackScan(Database<AssessmentModule> database, TimeProvider clock, ILogger<LookBackScan> logger)
{
    public static readonly int[] DueSoonDays = [7, 3, 1];
    public const int RepeatEveryDays = 7;

    public sealed record Result(int DueSoon, int Overdue);

    private sealed class Row
    {
        public string CampaignId { get; set; } = "";
        public string CountyCode { get; set; } = "";
        public int Year { get; set; }
        public string Settings { get; set; } = "";
        public string VillageCode { get; set; } = "";
        public string VillageName { get; set; } = "";
        public string TownshipCode { get; set; } = "";
        public string TownshipName { get; set; } = "";
        public DateOnly AcceptedOn { get; set; }
        public long Held { get; set; }
    }

    private sealed record Occurrence(string Key, string CampaignId, string VillageCode, IIntegrationEvent Event);

    /// <summary>The reminder point a look-back due on <paramref name="due"/> has reached on <paramref name="today"/>, if any.</summary>
    public static (bool Overdue, int Point, int Days)? PointOn(DateOnly due, DateOnly today)
    {
        var left = due.DayNumber - today.DayNumber;
        if (left > 0)
            return left <= DueSoonDays.Max() ? (false, DueSoonDays.Where(n => n >= left).Min(), left) : null;
        if (left == 0) return null;
        var overdue = -left;
        return (true, overdue - (overdue - 1) % RepeatEveryDays, overdue);
    }

    public async Task<Result> RunAsync(CancellationToken ct)
    {
        var today = clock.Today();
        var now = clock.GetUtcNow();
        var rows = await database.ReadAsync(async c => (await c.QueryAsync<Row>("""
            SELECT t.campaign_id AS CampaignId, c.county_code AS CountyCode, c.year AS Year, c.settings AS Settings, t.village_code AS VillageCode,
                   b.village_name AS VillageName, b.township_code AS TownshipCode, b.township_name AS TownshipName, t.accepted_on AS AcceptedOn,
                   (SELECT COUNT(*) FROM reviews r WHERE r.campaign_id = t.campaign_id AND r.village_code = t.village_code
                                                     AND r.kind = @lookBack AND r.held_on >= t.accepted_on) AS Held
            FROM targets t
            JOIN campaigns c ON c.id = t.campaign_id
            JOIN campaign_branches b ON b.campaign_id = t.campaign_id AND b.village_code = t.village_code
            WHERE t.status = @transformed AND t.accepted_on IS NOT NULL
            ORDER BY t.campaign_id, t.village_code
            """, new { lookBack = (int)ReviewKind.LookBack, transformed = (int)TargetStatus.Transformed })).ToList(), ct);

        var occurrences = new List<Occurrence>();
        foreach (var row in rows)
        {
            var months = JsonSerializer.Deserialize<Settings>(row.Settings)!.LookBackMonths;
            var held = (int)row.Held;
            // Only the next look-back is chased; the one after it is chased once this one is held.
            var next = LookBacks.Due(row.AcceptedOn, months, held).Cast<DateOnly?>().FirstOrDefault();
            if (next is not { } due || PointOn(due, today) is not { } point) continue;
            var ordinal = held + 1;
            var stem = $"{row.CampaignId}:{row.VillageCode}:{ordinal}:{due:yyyyMMdd}:{point.Point}";
            occurrences.Add(point.Overdue
                ? new Occurrence($"look-back-overdue:{stem}", row.CampaignId, row.VillageCode, new LookBackOverdue(row.CampaignId, row.CountyCode, row.Year,
                    row.VillageCode, row.VillageName, row.TownshipCode, row.TownshipName, ordinal, row.AcceptedOn, due, point.Days, today, $"look-back-overdue:{stem}", now))
                : new Occurrence($"look-back-due:{stem}", row.CampaignId, row.VillageCode, new LookBackDueSoon(row.CampaignId, row.CountyCode, row.Year,
                    row.VillageCode, row.VillageName, row.TownshipCode, row.TownshipName, ordinal, row.AcceptedOn, due, point.Days, today, $"look-back-due:{stem}", now)));
        }

        var published = new List<Occurrence>();
        foreach (var chunk in occurrences.Chunk(500)) published.AddRange(await PublishChunkAsync(chunk, today, ct));
        var result = new Result(published.Count(o => o.Event is LookBackDueSoon), published.Count(o => o.Event is LookBackOverdue));
        logger.LogInformation("Look-back scan on {Today}: {DueSoon} due soon, {Overdue} overdue", today, result.DueSoon, result.Overdue);
        return result;
    }

    private async Task<List<Occurrence>> PublishChunkAsync(IReadOnlyList<Occurrence> chunk, DateOnly day, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await database.WriteAsync(async session =>
                {
                    var seen = (await session.QueryAsync<string>(
                        $"SELECT occurrence_key FROM look_back_occurrences WHERE {session.Sql.InList("occurrence_key", "@keys")}",
                        new { keys = chunk.Select(o => o.Key).ToArray() })).ToHashSet();
                    var fresh = chunk.Where(o => !seen.Contains(o.Key)).ToList();
                    if (fresh.Count == 0) return fresh;
                    var recordedAt = clock.GetUtcNow().UtcDateTime;
                    await session.ExecuteAsync("""
                        INSERT INTO look_back_occurrences (occurrence_key, campaign_id, village_code, scan_date, recorded_at)
                        VALUES (@Key, @CampaignId, @VillageCode, @day, @recordedAt)
                        """, fresh.Select(o => new { o.Key, o.CampaignId, o.VillageCode, day, recordedAt }).ToList());
                    await session.PublishAllAsync(fresh.Select(o => o.Event).ToList());
                    return fresh;
                }, ct);
            }
            catch (Exception e) when (Sql.IsUniqueViolation(e) && attempt < 3)
            {
                logger.LogInformation("Another look-back scan recorded some of these occurrences first; reading them again");
            }
        }
    }
}
