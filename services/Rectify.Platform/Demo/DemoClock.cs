using Rectify.Kernel;
namespace Rectify.Platform.Demo;

/// <summary>
/// The clock the demo's history is written with: the demo builds a service with it (the service's own code, not an
/// RPC) and sets it to each past moment of the campaign in turn, so records and their events carry the dates a county
/// would have seen. Never registered in DI: the services themselves keep the real clock.
/// </summary>
public sealed class DemoClock : TimeProvider
{
    private DateTimeOffset _now = DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow() => _now;

    /// <summary>Moves to a local time in Shanghai.</summary>
    public DemoClock At(DateOnly day, int hour = 10, int minute = 0)
    {
        _now = new DateTimeOffset(day.ToDateTime(new TimeOnly(hour, minute)), TimeSpan.FromHours(8));
        return this;
    }

    /// <summary>The demo's campaign year: this year from April on, last year before (a campaign runs through its year).</summary>
    public static int CampaignYear(DateOnly today) => today.Month >= 4 ? today.Year : today.Year - 1;

    /// <summary>A seeded stream of choices, the same at every first start.</summary>
    public static Random Seeded(string code, int salt = 0) => new(OrgCode.Parse(code).NumberInCounty * 31 + salt);
}
