using Microsoft.Extensions.Logging;
using Rectify.Kernel;
using Rectify.Notifications.Delivery;
using Rectify.Platform;
using Rectify.Platform.Hosting;
using Rectify.Platform.Storage;

namespace Rectify.Notifications.Inbox;

/// <summary>
/// The county's single daily digest of townships that missed their report (DHIS2's collective summary): one
/// notification per county, period and day, never one per township.
/// </summary>
public sealed class DigestJob(Database<NotificationsModule> database, DeliverySignal signal, NotificationsOptions options, TimeProvider clock, ILogger<DigestJob> logger)
    : DailyJob(database, clock, logger)
{
    private readonly TimeProvider _clock = clock;

    protected override bool Enabled => options.ScheduleDigest;
    protected override TimeOnly RunAt => options.DigestAt;
    protected override Task RunAsync(CancellationToken ct) => DigestAsync(ct);

    private sealed class Item
    {
        public string CountyCode { get; set; } = "";
        public string Period { get; set; } = "";
        public string TownshipCode { get; set; } = "";
        public string TownshipName { get; set; } = "";
    }

    public async Task<int> DigestAsync(CancellationToken ct)
    {
        var today = _clock.Today();
        var digests = await database.WriteAsync(async session =>
        {
            var items = (await session.QueryAsync<Item>("""
                SELECT county_code AS CountyCode, period AS Period, township_code AS TownshipCode, township_name AS TownshipName
                FROM digest_items WHERE digested = @no ORDER BY county_code, period, township_code
                """, new { no = false })).ToList();
            var filed = 0;
            foreach (var group in items.GroupBy(i => (i.CountyCode, i.Period)))
                filed += await NotificationWriter.FileAsync(session, [Messages.Digest(group.Key.CountyCode, group.Key.Period, today, group.Select(i => i.TownshipName).ToList())], _clock.GetUtcNow());
            await session.ExecuteAsync("UPDATE digest_items SET digested = @yes WHERE digested = @no", new { yes = true, no = false });
            return filed;
        }, ct);
        if (digests > 0) signal.Notify();
        return digests;
    }
}
