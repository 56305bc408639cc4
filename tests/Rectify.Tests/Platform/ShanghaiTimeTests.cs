using Microsoft.Extensions.Time.Testing;
using Rectify.Kernel;
using Rectify.Platform;

namespace Rectify.Tests.Platform;

public class ShanghaiTimeTests
{
    [Fact]
    public void The_date_turns_at_midnight_in_Shanghai_not_in_UTC()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 31, 15, 59, 59, TimeSpan.Zero));
        Assert.Equal(new DateOnly(2026, 3, 31), clock.Today());
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(new DateOnly(2026, 4, 1), clock.Today());
    }

    [Fact]
    public void A_local_date_starts_at_16_00_UTC_the_day_before()
    {
        Assert.Equal(new DateTimeOffset(2026, 12, 31, 16, 0, 0, TimeSpan.Zero), ShanghaiTime.StartOf(new DateOnly(2027, 1, 1)).ToUniversalTime());
    }
}
