using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Rectify.Events.Assessment;
using Rectify.Gateway;
using Rectify.Gateway.ReadModel;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Hosting;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;

namespace Rectify.Tests.Gateway;

/// <summary>
/// The gateway counts the nation's progress for the current and the previous month once its model is loaded and again
/// when a new day begins, so the first dashboard of the day reads kept answers; a change makes its path count again.
/// </summary>
public sealed class ProgressWarmupTests
{
    [Fact]
    public async Task Progress_is_counted_ahead_at_start_and_at_each_new_day()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await TestHost.StartAsync(DbProvider.Sqlite, [new GatewayModule()], clock: clock);
        var model = host.Get<ProgressModel>();
        var today = clock.Today();
        await Poll.UntilCount(() => Kept(model, today), 2, "months counted ahead at start");

        // A designation changes the nation: its answers are counted again on the next query, not before.
        await host.PublishAsync(new TargetsDesignated("360731000000", today.Year, new DateOnly(today.Year, 12, 31),
            [new DesignatedTarget("360731101201", "上坪村", "铁山垅镇", Version: 1)], clock.GetUtcNow()));
        await host.SettledAsync();
        Assert.Equal(0, Kept(model, today));

        // Past midnight in Shanghai every kept answer is of another day: both months are counted again without a query.
        // The warmup sets its midnight timer after counting: a move made before that finds no timer to fire, so move again.
        clock.Advance(DailyJob.UntilNextRun(clock.Now(), TimeOnly.MinValue) + TimeSpan.FromSeconds(1));
        var moved = Stopwatch.StartNew();
        await Poll.Until(() =>
        {
            if (Kept(model, clock.Today()) < 2 && moved.Elapsed > TimeSpan.FromSeconds(1))
            {
                clock.Advance(TimeSpan.FromDays(1));
                moved.Restart();
            }
            Assert.True(clock.Today() > today);
            Assert.Equal(2, Kept(model, clock.Today()));
            return Task.FromResult(true);
        }, "months counted ahead on a new day");
    }

    private static int Kept(ProgressModel model, DateOnly today) =>
        new[] { Month.Of(today), Month.Of(today).Previous }.Count(month => model.IsKept(OrgCode.Nation, month, today));
}
