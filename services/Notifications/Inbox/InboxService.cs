using Dapper;
using Rectify.Notifications.Delivery;
using Rectify.Notifications.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Hosting;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Microsoft.Extensions.Logging;
using Rectify.Kernel;

namespace Rectify.Notifications.Inbox;

/// <summary>A unit's inbox over gRPC: read, mark read, acknowledge; and where each notification was delivered.</summary>
public sealed class InboxService(Database<NotificationsModule> database, TimeProvider clock)
{
    public const int MaxPageSize = 200;

    /// <summary>The kinds a notification can have (Messages): a filter on any other kind is refused rather than answered with nothing.</summary>
    public static readonly IReadOnlySet<string> Kinds = new HashSet<string>(StringComparer.Ordinal)
    {
        "measure-due-soon", "measure-overdue", "measure-escalated", "report-due-soon", "report-missing", "report-missing-digest",
        "report-returned", "target-designated", "acceptance-failed", "look-back-due-soon", "look-back-overdue", "channel-failing",
    };

    private sealed class NotificationRow
    {
        public string Id { get; set; } = "";
        public string UnitCode { get; set; } = "";
        public string Kind { get; set; } = "";
        public string Title { get; set; } = "";
        public string Text { get; set; } = "";
        public string OccurrenceKey { get; set; } = "";
        public DateTime CreatedAt { get; set; }
        public DateTime? ReadAt { get; set; }
        public DateTime? AcknowledgedAt { get; set; }
        public string? AcknowledgedBy { get; set; }

        public Notification ToProto() => new()
        {
            Id = Id, UnitCode = UnitCode, Kind = Kind, Title = Title, Text = Text, OccurrenceKey = OccurrenceKey,
            CreatedAt = new DateTimeOffset(CreatedAt.AsUtc()).ToProto(),
            ReadAt = ReadAt is { } r ? new DateTimeOffset(r.AsUtc()).ToProto() : null,
            AcknowledgedAt = AcknowledgedAt is { } a ? new DateTimeOffset(a.AsUtc()).ToProto() : null,
            AcknowledgedBy = AcknowledgedBy ?? "",
        };
    }

    private const string Columns = """
        id AS Id, unit_code AS UnitCode, kind AS Kind, title AS Title, text AS Text, occurrence_key AS OccurrenceKey, created_at AS CreatedAt,
        read_at AS ReadAt, acknowledged_at AS AcknowledgedAt, acknowledged_by AS AcknowledgedBy
        """;

    public async Task<ListNotificationsResponse> ListAsync(Caller caller, ListNotificationsRequest request, CancellationToken ct)
    {
        var list = ListNotificationsInput.Parse(request);
        caller.EnsureCanRead(list.Unit);
        var filter = (list.UnreadOnly ? " AND read_at IS NULL" : "") + (list.Kind is null ? "" : " AND kind = @kind");
        var (rows, unread) = await database.ReadAsync(async c => (
            (await c.QueryAsync<NotificationRow>($"SELECT {Columns} FROM notifications WHERE unit_code = @code{filter} ORDER BY created_at DESC, id {database.Sql.Page("@size", "@offset")}",
                new { code = list.Unit, kind = list.Kind, size = list.Page.Size, offset = list.Page.Offset })).ToList(),
            await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM notifications WHERE unit_code = @code AND read_at IS NULL", new { code = list.Unit })), ct);
        var response = new ListNotificationsResponse { Unread = unread, Page = new Common.V1.PageResponse { NextPageToken = list.Page.NextToken(rows.Count) } };
        response.Notifications.AddRange(rows.Select(r => r.ToProto()));
        return response;
    }

    public Task<Notification> MarkReadAsync(Caller caller, MarkRequest request, CancellationToken ct) =>
        MarkAsync(caller, request, "read_at = COALESCE(read_at, @now)", ct);

    public Task<Notification> AcknowledgeAsync(Caller caller, MarkRequest request, CancellationToken ct) =>
        MarkAsync(caller, request, "read_at = COALESCE(read_at, @now), acknowledged_at = COALESCE(acknowledged_at, @now), acknowledged_by = COALESCE(acknowledged_by, @by)", ct);

    private async Task<Notification> MarkAsync(Caller caller, MarkRequest request, string set, CancellationToken ct)
    {
        var mark = MarkInput.Parse(request);
        return await database.WriteAsync(async session =>
        {
            var row = await session.QuerySingleOrDefaultAsync<NotificationRow>($"SELECT {Columns} FROM notifications WHERE id = @id", new { id = mark.NotificationId })
                ?? throw new NotFoundException("notification", mark.NotificationId);
            // Marking is for the unit whose inbox it is, or a unit above it.
            caller.EnsureCanWrite(new Owned("notification", mark.NotificationId, OrgCode.Parse(row.UnitCode)));
            await session.ExecuteAsync($"UPDATE notifications SET {set} WHERE id = @id", new { now = clock.GetUtcNow().UtcDateTime, by = caller.Subject, id = row.Id });
            return (await session.QuerySingleOrDefaultAsync<NotificationRow>($"SELECT {Columns} FROM notifications WHERE id = @id", new { id = row.Id }))!.ToProto();
        }, ct);
    }

    private sealed class DeliveryRow
    {
        public string Id { get; set; } = "";
        public string NotificationId { get; set; } = "";
        public string ContactId { get; set; } = "";
        public int Status { get; set; }
        public int Attempts { get; set; }
        public DateTime NextAttemptAt { get; set; }
        public DateTime? SentAt { get; set; }
        public string? BatchId { get; set; }
    }

    private sealed class AttemptRow
    {
        public string DeliveryId { get; set; } = "";
        public DateTime At { get; set; }
        public int StatusCode { get; set; }
        public string? Error { get; set; }
    }

    public async Task<ListDeliveriesResponse> ListDeliveriesAsync(Caller caller, ListDeliveriesRequest request, CancellationToken ct)
    {
        var list = ListDeliveriesInput.Parse(request);
        caller.EnsureCanRead(list.Unit);
        var byNotification = list.NotificationId is null ? "" : " AND d.notification_id = @notification";
        var (deliveries, attempts) = await database.ReadAsync(async c =>
        {
            var deliveries = (await c.QueryAsync<DeliveryRow>($"""
                SELECT d.id AS Id, d.notification_id AS NotificationId, d.contact_id AS ContactId, d.status AS Status, d.attempts AS Attempts,
                       d.next_attempt_at AS NextAttemptAt, d.sent_at AS SentAt, d.batch_id AS BatchId
                FROM deliveries d JOIN notifications n ON n.id = d.notification_id
                WHERE n.unit_code = @code{byNotification} ORDER BY n.created_at DESC, d.id
                """, new { code = list.Unit, notification = list.NotificationId })).ToList();
            var attempts = (await c.QueryAsync<AttemptRow>($"""
                SELECT a.delivery_id AS DeliveryId, a.at AS At, a.status_code AS StatusCode, a.error AS Error
                FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id JOIN notifications n ON n.id = d.notification_id
                WHERE n.unit_code = @code{byNotification} ORDER BY a.id
                """, new { code = list.Unit, notification = list.NotificationId })).ToLookup(a => a.DeliveryId);
            return (deliveries, attempts);
        }, ct);
        var response = new ListDeliveriesResponse();
        foreach (var d in deliveries)
        {
            var proto = new V1.Delivery
            {
                Id = d.Id, NotificationId = d.NotificationId, ContactId = d.ContactId, Status = (DeliveryStatus)d.Status, Attempts = d.Attempts,
                NextAttemptAt = new DateTimeOffset(d.NextAttemptAt.AsUtc()).ToProto(), SentAt = d.SentAt is { } s ? new DateTimeOffset(s.AsUtc()).ToProto() : null,
                BatchId = d.BatchId ?? "",
            };
            proto.History.AddRange(attempts[d.Id].Select(a => new DeliveryAttempt { At = new DateTimeOffset(a.At.AsUtc()).ToProto(), StatusCode = a.StatusCode, Error = a.Error ?? "" }));
            response.Deliveries.Add(proto);
        }
        return response;
    }
}
