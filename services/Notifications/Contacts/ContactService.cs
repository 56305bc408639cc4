using System.Globalization;
using Dapper;
using Rectify.Notifications.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;

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
    public DateTimeOffset SendableAt(DateTimeOffset now)
    {
        if (QuietFrom is null || QuietUntil is null) return now;
        var from = TimeOnly.ParseExact(QuietFrom, "HH:mm", CultureInfo.InvariantCulture);
        var until = TimeOnly.ParseExact(QuietUntil, "HH:mm", CultureInfo.InvariantCulture);
        var local = TimeZoneInfo.ConvertTime(now, ShanghaiTime.Zone);
        var time = TimeOnly.FromDateTime(local.DateTime);
        var quiet = from <= until ? time >= from && time < until : time >= from || time < until;
        if (!quiet) return now;
        var day = DateOnly.FromDateTime(local.DateTime);
        if (time >= until && from > until) day = day.AddDays(1); // late evening: the quiet hours end tomorrow morning
        return ShanghaiTime.StartOf(day).Add(until.ToTimeSpan());
    }

    public Contact ToProto() => new()
    {
        Id = Id, UnitCode = UnitCode, Name = Name, Kind = Channel, Url = Url, HasSecret = !string.IsNullOrEmpty(Secret),
        QuietFrom = QuietFrom ?? "", QuietUntil = QuietUntil ?? "", Active = Active, Failing = Failing, LastError = LastError ?? "",
    };
}

/// <summary>Contacts per org unit: a township office's webhook, a county office's WeCom or DingTalk group robot.</summary>
public sealed class ContactService(Database<NotificationsModule> database, TimeProvider clock)
{
    public async Task<Contact> AddAsync(Caller caller, AddContactRequest request, CancellationToken ct)
    {
        var v = new Violations();
        var unit = v.Code("unit_code", request.UnitCode);
        var name = v.Text("name", request.Name, 100);
        v.Check(Enum.IsDefined(request.Kind) && request.Kind != ChannelKind.Unspecified, "kind", "must be webhook, wecom or dingtalk");
        var url = v.Text("url", request.Url, 1000);
        if (url is not null)
            v.Check(Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps), "url", "must be an http or https address");
        var secret = v.Text("secret", request.Secret, 200, required: request.Kind is ChannelKind.Webhook or ChannelKind.Dingtalk);
        var quietFrom = QuietTime(v, "quiet_from", request.QuietFrom);
        var quietUntil = QuietTime(v, "quiet_until", request.QuietUntil);
        v.Check((quietFrom is null) == (quietUntil is null), "quiet_until", "quiet hours need both a start and an end");
        v.ThrowIfAny();
        caller.EnsureCanWrite(unit!.Value);
        var row = new ContactRow
        {
            Id = Guid.NewGuid().ToString(), UnitCode = unit.Value.Value, Name = name!, Kind = (int)request.Kind, Url = url!, Secret = secret,
            QuietFrom = quietFrom, QuietUntil = quietUntil, Active = true,
        };
        await database.WriteAsync(session => session.ExecuteAsync("""
            INSERT INTO contacts (id, unit_code, name, kind, url, secret, quiet_from, quiet_until, active, failing, consecutive_failures, last_error, created_by, created_at)
            VALUES (@Id, @UnitCode, @Name, @Kind, @Url, @Secret, @QuietFrom, @QuietUntil, @Active, @Failing, 0, NULL, @by, @at)
            """, new { row.Id, row.UnitCode, row.Name, row.Kind, row.Url, row.Secret, row.QuietFrom, row.QuietUntil, row.Active, row.Failing, by = caller.Subject, at = clock.GetUtcNow().UtcDateTime }), ct);
        return row.ToProto();
    }

    private static string? QuietTime(Violations v, string field, string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        return v.Check(TimeOnly.TryParseExact(text.Trim(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _), field, "must be a time HH:mm") ? text.Trim() : null;
    }

    public async Task<ListContactsResponse> ListAsync(Caller caller, ListContactsRequest request, CancellationToken ct)
    {
        var unit = OrgCode.TryParse(request.UnitCode, out var code, out var error) ? code : throw ValidationException.For("unit_code", error);
        caller.EnsureCanRead(unit);
        var rows = await database.ReadAsync(c => c.QueryAsync<ContactRow>($"SELECT {ContactRow.Columns} FROM contacts WHERE unit_code = @code ORDER BY name, id", new { code = unit.Value }), ct);
        var response = new ListContactsResponse();
        response.Contacts.AddRange(rows.Select(r => r.ToProto()));
        return response;
    }

    public async Task<Contact> RemoveAsync(Caller caller, RemoveContactRequest request, CancellationToken ct)
    {
        if (!Guid.TryParse(request.ContactId, out _)) throw ValidationException.For("contact_id", "must be a contact id");
        return await database.WriteAsync(async session =>
        {
            var row = await session.QuerySingleOrDefaultAsync<ContactRow>($"SELECT {ContactRow.Columns} FROM contacts WHERE id = @id", new { id = request.ContactId })
                ?? throw new NotFoundException("contact", request.ContactId);
            caller.EnsureCanWrite(new Owned("contact", request.ContactId, OrgCode.Parse(row.UnitCode)));
            await session.ExecuteAsync("UPDATE contacts SET active = @no WHERE id = @id", new { no = false, id = row.Id });
            row.Active = false;
            return row.ToProto();
        }, ct);
    }
}
