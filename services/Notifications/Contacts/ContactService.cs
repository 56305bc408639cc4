using System.Globalization;
using Dapper;
using Rectify.Kernel;
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
        var add = AddContactInput.Parse(request);
        caller.EnsureCanWrite(add.Unit);
        var row = new ContactRow
        {
            Id = Guid.NewGuid().ToString(), UnitCode = add.Unit.Value, Name = add.Name, Kind = (int)add.Kind, Url = add.Url, Secret = add.Secret,
            QuietFrom = add.QuietFrom, QuietUntil = add.QuietUntil, Active = true,
        };
        await database.WriteAsync(session => session.ExecuteAsync("""
            INSERT INTO contacts (id, unit_code, name, kind, url, secret, quiet_from, quiet_until, active, failing, consecutive_failures, last_error, created_by, created_at)
            VALUES (@Id, @UnitCode, @Name, @Kind, @Url, @Secret, @QuietFrom, @QuietUntil, @Active, @Failing, 0, NULL, @by, @at)
            """, new { row.Id, row.UnitCode, row.Name, row.Kind, row.Url, row.Secret, row.QuietFrom, row.QuietUntil, row.Active, row.Failing, by = caller.Subject, at = clock.GetUtcNow().UtcDateTime }), ct);
        return row.ToProto();
    }

    public async Task<ListContactsResponse> ListAsync(Caller caller, ListContactsRequest request, CancellationToken ct)
    {
        var list = ListContactsInput.Parse(request);
        caller.EnsureCanRead(list.Unit);
        var rows = await database.ReadAsync(c => c.QueryAsync<ContactRow>($"SELECT {ContactRow.Columns} FROM contacts WHERE unit_code = @code ORDER BY name, id", new { code = list.Unit }), ct);
        var response = new ListContactsResponse();
        response.Contacts.AddRange(rows.Select(r => r.ToProto()));
        return response;
    }

    public async Task<Contact> RemoveAsync(Caller caller, RemoveContactRequest request, CancellationToken ct)
    {
        var remove = RemoveContactInput.Parse(request);
        return await database.WriteAsync(async session =>
        {
            var row = await session.QuerySingleOrDefaultAsync<ContactRow>($"SELECT {ContactRow.Columns} FROM contacts WHERE id = @id", new { id = remove.ContactId })
                ?? throw new NotFoundException("contact", remove.ContactId);
            caller.EnsureCanWrite(new Owned("contact", remove.ContactId, OrgCode.Parse(row.UnitCode)));
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
        var change = UpdateContactInput.Parse(request);
        var now = clock.GetUtcNow();
        return await database.WriteAsync(async session =>
        {
            var row = await LoadForWriteAsync(session, caller, change.ContactId);
            if (change.Name is { } name) row.Name = name;
            if (change.Url is { } url) row.Url = url;
            if (change.ChangesSecret) row.Secret = change.Secret;
            var quietChanged = change.ChangesQuietHours && (row.QuietFrom != change.QuietFrom || row.QuietUntil != change.QuietUntil);
            if (change.ChangesQuietHours) (row.QuietFrom, row.QuietUntil) = (change.QuietFrom, change.QuietUntil);
            if (change.Active is { } active) row.Active = active;
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
        var test = TestContactInput.Parse(request);
        var row = await database.WriteAsync(session => LoadForWriteAsync(session, caller, test.ContactId), ct);
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
