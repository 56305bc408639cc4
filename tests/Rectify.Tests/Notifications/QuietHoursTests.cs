using Rectify.Notifications.Contacts;

namespace Rectify.Tests.Notifications;

/// <summary>Quiet hours on the Shanghai clock (UTC+8): what is held, and until when.</summary>
public class QuietHoursTests
{
    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);
    private static DateTimeOffset At(int day, int hour, int minute) => new(2026, 11, day, hour, minute, 0, Shanghai);

    private static readonly QuietHours Night = QuietHours.Parse("22:00", "07:00")!.Value;

    [Fact]
    public void Quiet_hours_over_midnight_hold_a_late_evening_message_until_the_next_morning()
    {
        Assert.Equal(At(26, 7, 0), Night.SendableAt(At(25, 23, 30)));
        Assert.Equal(At(26, 7, 0), Night.SendableAt(At(25, 22, 0)));
    }

    [Fact]
    public void Quiet_hours_over_midnight_hold_an_early_morning_message_until_the_same_morning()
    {
        Assert.Equal(At(26, 7, 0), Night.SendableAt(At(26, 6, 59)));
    }

    [Fact]
    public void Outside_quiet_hours_and_at_their_end_a_message_goes_at_once()
    {
        Assert.Equal(At(26, 7, 0), Night.SendableAt(At(26, 7, 0)));
        Assert.Equal(At(26, 12, 0), Night.SendableAt(At(26, 12, 0)));
        Assert.Equal(At(26, 21, 59), Night.SendableAt(At(26, 21, 59)));
    }

    [Fact]
    public void Quiet_hours_within_one_day_end_the_same_day()
    {
        var lunch = QuietHours.Parse("12:00", "14:00")!.Value;
        Assert.True(lunch.Contains(new TimeOnly(12, 0)));
        Assert.False(lunch.Contains(new TimeOnly(14, 0)));
        Assert.Equal(At(26, 14, 0), lunch.SendableAt(At(26, 13, 0)));
        Assert.Equal(At(26, 15, 0), lunch.SendableAt(At(26, 15, 0)));
    }

    [Fact]
    public void No_quiet_hours_unless_both_ends_are_set_and_equal_ends_hold_nothing()
    {
        Assert.Null(QuietHours.Parse("22:00", null));
        Assert.Null(QuietHours.Parse(null, "07:00"));
        var none = QuietHours.Parse("08:00", "08:00")!.Value;
        Assert.Equal(At(26, 8, 0), none.SendableAt(At(26, 8, 0)));
    }

    [Fact]
    public void A_time_of_day_is_HH_mm()
    {
        Assert.True(QuietHours.TryParseTime("07:30", out var time));
        Assert.Equal(new TimeOnly(7, 30), time);
        Assert.False(QuietHours.TryParseTime("7:30", out _));
        Assert.False(QuietHours.TryParseTime("25:00", out _));
        Assert.False(QuietHours.TryParseTime(null, out _));
    }
}
