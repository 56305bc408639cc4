using System.Threading.Channels;
using Dapper;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rectify.Identity.V1;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using SecurityEvent = Rectify.Platform.Identity.SecurityEvent;

namespace Rectify.Identity.Security;

/// <summary>
/// Keeps the security events of this process in the identity database, written in the background so that recording
/// one never slows or fails the call that caused it; an admin lists those of its subtree.
/// </summary>
public sealed class SecurityEventStore(Database<IdentityModule> database, ILogger<SecurityEventStore> logger) : BackgroundService, ISecurityEventStore
{
    public const int MaxPageSize = 200;
    private readonly Channel<(SecurityEvent Event, DateTimeOffset At)> _pending = Channel.CreateBounded<(SecurityEvent, DateTimeOffset)>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });

    public void Enqueue(SecurityEvent securityEvent, DateTimeOffset at) => _pending.Writer.TryWrite((securityEvent, at));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        const string insert = """
            INSERT INTO security_events (id, at, kind, subject, org_code, detail, remote)
            VALUES (@Id, @At, @Kind, @Subject, @Org, @Detail, @Remote)
            """;
        try
        {
            while (await _pending.Reader.WaitToReadAsync(stoppingToken))
            {
                var batch = new List<object>();
                while (batch.Count < 500 && _pending.Reader.TryRead(out var item))
                    batch.Add(new
                    {
                        Id = Guid.NewGuid().ToString(), At = item.At.UtcDateTime, item.Event.Kind, Subject = Cut(item.Event.Subject, 100),
                        item.Event.Org, Detail = Cut(item.Event.Detail, 1000), Remote = item.Event.Remote is { } r ? Cut(r, 64) : null,
                    });
                try { await database.WriteAsync(session => session.ExecuteAsync(insert, batch), stoppingToken); }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // Each event was logged already; the stored copy is what is lost.
                    logger.LogError(e, "Could not store {Count} security events", batch.Count);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    private static string Cut(string text, int length) => text.Length <= length ? text : text[..length];

    private sealed class Row
    {
        public DateTime At { get; set; }
        public string Kind { get; set; } = "";
        public string Subject { get; set; } = "";
        public string? OrgCode { get; set; }
        public string Detail { get; set; } = "";
        public string? Remote { get; set; }
    }

    /// <summary>Events concerning the subtree (and the caller's own sign-ins and denials), newest first.</summary>
    public async Task<ListSecurityEventsResponse> ListAsync(Caller caller, ListSecurityEventsRequest request, CancellationToken ct)
    {
        var (org, paging) = ListSecurityEventsInput.Parse(request, caller.Org);
        caller.EnsureAdmin(org, "Security events");
        var (low, high) = org.SubtreeRange;
        var rows = (await database.ReadAsync(c => c.QueryAsync<Row>($"""
            SELECT at AS At, kind AS Kind, subject AS Subject, org_code AS OrgCode, detail AS Detail, remote AS Remote
            FROM security_events
            WHERE org_code BETWEEN @low AND @high
            ORDER BY at DESC, id
            {database.Sql.Page("@size", "@offset")}
            """, new { low, high, size = paging.Size, offset = paging.Offset }), ct)).ToList();
        var response = new ListSecurityEventsResponse { NextPageToken = paging.NextToken(rows.Count) };
        response.Events.AddRange(rows.Select(r => new V1.SecurityEvent
        {
            At = new DateTimeOffset(r.At.AsUtc()).ToProto(), Kind = r.Kind, Subject = r.Subject, OrgCode = r.OrgCode ?? "", Detail = r.Detail, Remote = r.Remote ?? "",
        }));
        return response;
    }
}
