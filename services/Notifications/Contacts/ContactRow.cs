using Rectify.Notifications.V1;
using Rectify.Platform;

namespace Rectify.Notifications.Contacts;

/// <summary>A row of contacts: where a unit's notifications go.</summary>
public sealed class ContactRow
{
    public string Id { get; set; } = "";
    public string UnitCode { get; set; } = "";
    public string Name { get; set; } = "";
    public int Kind { get; set; }
    public string Url { get; set; } = "";
    public string? Secret { get; set; }
    public string? QuietFrom { get; set; }
    public string? QuietUntil { get; set; }
    public bool Active { get; set; }
    public bool Failing { get; set; }
    public int ConsecutiveFailures { get; set; }
    public string? LastError { get; set; }

    public const string Columns = """
        id AS Id, unit_code AS UnitCode, name AS Name, kind AS Kind, url AS Url, secret AS Secret, quiet_from AS QuietFrom,
        quiet_until AS QuietUntil, active AS Active, failing AS Failing, consecutive_failures AS ConsecutiveFailures, last_error AS LastError
        """;

    public ChannelKind Channel => (ChannelKind)Kind;

    /// <summary>When a notification created at <paramref name="now"/> may go out: now, or the end of the contact's quiet hours (Asia/Shanghai).</summary>
    public DateTimeOffset SendableAt(DateTimeOffset now) => QuietHours.Parse(QuietFrom, QuietUntil)?.SendableAt(now) ?? now;

    public Contact ToProto() => new()
    {
        Id = Id, UnitCode = UnitCode, Name = Name, Kind = Channel, Url = Url, HasSecret = !string.IsNullOrEmpty(Secret),
        QuietFrom = QuietFrom ?? "", QuietUntil = QuietUntil ?? "", Active = Active, Failing = Failing, LastError = LastError ?? "",
    };
}
