using System.Globalization;
using Dapper;
using Rectify.Notifications.Delivery;
using Rectify.Notifications.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;

namespace Rectify.Notifications.Contacts;

/// <summary>Contacts per org unit: a township office's webhook, a county office's WeCom or DingTalk group robot.</summary>
public sealed class ContactService(Database<NotificationsModule> database, ChannelSender sender, TimeProvider clock)
{
    public async Task<Contact> AddAsync(Caller caller, AddContactRequest request, CancellationToken ct)
    {
        var v = new Violations();
        var unit = v.Code("unit_code", request.UnitCode);
        var name = v.Text("name", request.Name, 100);
        v.Check(Enum.IsDefined(request.Kind) && request.Kind != ChannelKind.Unspecified, "kind", "must be webhook, wecom or dingtalk");
        var url = Url(v, request.Url);
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

    private static string? Url(Violations v, string? text)
    {
        var url = v.Text("url", text, 1000);
        if (url is not null)
            v.Check(Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps), "url", "must be an http or https address");
        return url;
    }

    private static string? QuietTime(Violations v, string field, string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        return v.Check(QuietHours.TryParseTime(text.Trim(), out _), field, "must be a time HH:mm") ? text.Trim() : null;
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

    private async Task<ContactRow> LoadForWriteAsync(DbSession session, Caller caller, string contactId)
    {
        var row = await session.QuerySingleOrDefaultAsync<ContactRow>($"SELECT {ContactRow.Columns} FROM contacts WHERE id = @id", new { id = contactId })
            ?? throw new NotFoundException("contact", contactId);
        caller.EnsureCanWrite(new Owned("contact", contactId, OrgCode.Parse(row.UnitCode)));
        return row;
    }

    /// <summary>
    /// Changes what is given of a contact's name, address, secret, quiet hours and active flag; the rest stays. A failing
    /// mark stays until a test succeeds (TestContact). Deliveries waiting for the contact follow its new quiet hours.
    /// </summary>
    public async Task<Contact> UpdateAsync(Caller caller, UpdateContactRequest request, CancellationToken ct)
    {
        var v = new Violations();
        if (!v.Check(Guid.TryParse(request.ContactId, out _), "contact_id", "must be a contact id")) v.ThrowIfAny();
        var name = request.HasName ? v.Text("name", request.Name, 100) : null;
        var url = request.HasUrl ? Url(v, request.Url) : null;
        var secret = request.HasSecret ? v.Text("secret", request.Secret, 200, required: false) : null;
        var quietFrom = request.HasQuietFrom ? QuietTime(v, "quiet_from", request.QuietFrom) : null;
        var quietUntil = request.HasQuietUntil ? QuietTime(v, "quiet_until", request.QuietUntil) : null;
        v.Check(request.HasQuietFrom == request.HasQuietUntil, "quiet_until", "quiet hours change together: give both, or both empty to clear them");
        v.ThrowIfAny();
        var now = clock.GetUtcNow();
        return await database.WriteAsync(async session =>
        {
            var row = await LoadForWriteAsync(session, caller, request.ContactId);
            if (request.HasName) row.Name = name!;
            if (request.HasUrl) row.Url = url!;
            if (request.HasSecret) row.Secret = secret;
            var quietChanged = request.HasQuietFrom && (row.QuietFrom != quietFrom || row.QuietUntil != quietUntil);
            if (request.HasQuietFrom) (row.QuietFrom, row.QuietUntil) = (quietFrom, quietUntil);
            if (request.HasActive) row.Active = request.Active;
            // What depends on the stored kind is checked against it: webhooks and DingTalk robots sign with their secret.
            var after = new Violations();
            after.Check(!string.IsNullOrEmpty(row.Secret) || row.Channel is ChannelKind.Wecom, "secret", "is required for a webhook or a DingTalk robot");
            after.Check((row.QuietFrom is null) == (row.QuietUntil is null), "quiet_until", "quiet hours need both a start and an end");
            after.ThrowIfAny();
            await session.ExecuteAsync("""
                UPDATE contacts SET name = @Name, url = @Url, secret = @Secret, quiet_from = @QuietFrom, quiet_until = @QuietUntil, active = @Active,
                       updated_by = @by, updated_at = @at
                WHERE id = @Id
                """, new { row.Name, row.Url, row.Secret, row.QuietFrom, row.QuietUntil, row.Active, by = caller.Subject, at = now.UtcDateTime, row.Id });
            if (quietChanged) await RescheduleAsync(session, row, now);
            return row.ToProto();
        }, ct);
    }

    private sealed class WaitingRow
    {
        public string Id { get; set; } = "";
        public int Status { get; set; }
        public DateTime NextAttemptAt { get; set; }
    }

    /// <summary>Waiting deliveries go at their time or at the end of the new quiet hours; those held only by the old ones go now.</summary>
    private static async Task RescheduleAsync(DbSession session, ContactRow contact, DateTimeOffset now)
    {
        var waiting = await session.QueryAsync<WaitingRow>($"""
            SELECT id AS Id, status AS Status, next_attempt_at AS NextAttemptAt FROM deliveries
            WHERE contact_id = @id AND {session.Sql.InList("status", "@waiting")}
            """, new { id = contact.Id, waiting = new[] { (int)DeliveryStatus.Pending, (int)DeliveryStatus.Held } });
        foreach (var d in waiting)
        {
            var next = new DateTimeOffset(DateTime.SpecifyKind(d.NextAttemptAt, DateTimeKind.Utc));
            var from = d.Status == (int)DeliveryStatus.Held || next < now ? now : next;
            var at = contact.SendableAt(from);
            await session.ExecuteAsync("UPDATE deliveries SET status = @status, next_attempt_at = @at WHERE id = @id",
                new { status = (int)(at > from ? DeliveryStatus.Held : DeliveryStatus.Pending), at = at.UtcDateTime, id = d.Id });
        }
    }

    /// <summary>
    /// Sends a test message to the contact now, outside quiet hours and whether or not it is marked failing. A success
    /// clears the failing mark and the failure count, so deliveries go to it again; a failure records its error.
    /// Nothing is filed in the inbox.
    /// </summary>
    public async Task<TestContactResponse> TestAsync(Caller caller, TestContactRequest request, CancellationToken ct)
    {
        if (!Guid.TryParse(request.ContactId, out _)) throw ValidationException.For("contact_id", "must be a contact id");
        var row = await database.WriteAsync(session => LoadForWriteAsync(session, caller, request.ContactId), ct);
        var now = clock.GetUtcNow();
        var message = new Outgoing([new OutgoingRow
        {
            DeliveryId = $"test-{Guid.NewGuid()}", Kind = "contact-test", UnitCode = row.UnitCode, Title = "通知渠道测试",
            Text = $"【通知渠道测试】这是一条测试消息：通知渠道「{row.Name}」可以正常接收整顿工作通知。",
            OccurrenceKey = $"contact-test:{row.Id}:{now.UtcTicks}", CreatedAt = now.UtcDateTime, ContactId = row.Id, ContactKind = row.Kind,
            Url = row.Url, Secret = row.Secret,
        }]);
        var answer = await sender.SendAsync(message, now, ct);
        var contact = await database.WriteAsync(async session =>
        {
            if (answer.Delivered)
                await session.ExecuteAsync("UPDATE contacts SET failing = @no, consecutive_failures = 0, last_error = NULL, updated_by = @by, updated_at = @at WHERE id = @id",
                    new { no = false, by = caller.Subject, at = now.UtcDateTime, id = row.Id });
            else
                await session.ExecuteAsync("UPDATE contacts SET last_error = @error WHERE id = @id", new { error = answer.Error, id = row.Id });
            return (await session.QuerySingleOrDefaultAsync<ContactRow>($"SELECT {ContactRow.Columns} FROM contacts WHERE id = @id", new { id = row.Id }))!.ToProto();
        }, ct);
        return new TestContactResponse { Delivered = answer.Delivered, StatusCode = answer.Status, Error = answer.Error ?? "", Contact = contact };
    }
}
