using Microsoft.Extensions.Logging;
using Rectify.Platform.Storage;

namespace Rectify.Platform.Hosting;

/// <summary>
/// One replica at a time: a named row of job_leases that one holder keeps until it expires. Taking it is one
/// conditional UPDATE (free, expired, or already ours) or, the first time, an INSERT that only one replica wins on the
/// key, so it is atomic on SQLite, PostgreSQL and SQL Server alike. A holder that dies frees it by expiry; one that
/// stops releases it. Expiry is on the injected clock, so replicas' clocks must agree to well within the duration (NTP).
/// </summary>
public sealed class Lease(Database database, string name, TimeSpan duration, TimeProvider clock)
{
    private DateTimeOffset? _heldUntil;

    public string Name => name;

    /// <summary>Unique per replica and instance: two hosts in one process (tests) are two holders.</summary>
    public string Holder { get; } = HolderName();

    /// <summary>Whether this replica holds the lease now, by its own record of when it took it.</summary>
    public bool Held => _heldUntil is { } until && clock.GetUtcNow() < until;

    private static string HolderName()
    {
        var holder = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
        return holder.Length <= 100 ? holder : holder[^100..];
    }

    // Settable members: Dapper reads SQLite's text instants into them through the type handlers.
    private sealed class Row
    {
        public string Holder { get; set; } = "";
        public DateTime ExpiresAt { get; set; }
    }

    /// <summary>Takes or renews the lease; true while this replica holds it. A holder renews once half its time is gone.</summary>
    public async Task<bool> TryAcquireAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_heldUntil is { } held && now < held - duration / 2) return true;
        var until = now + duration;
        var args = new { name, holder = Holder, now = now.UtcDateTime, until = until.UtcDateTime };
        // A replica on standby reads first, so a held lease costs it a read, not a write.
        var current = await database.ReadAsync(s => s.QuerySingleOrDefaultAsync<Row>(
            "SELECT holder AS Holder, expires_at AS ExpiresAt FROM job_leases WHERE name = @name", args), ct);
        if (current is not null && current.Holder != Holder && DateTime.SpecifyKind(current.ExpiresAt, DateTimeKind.Utc) > now.UtcDateTime)
        {
            _heldUntil = null;
            return false;
        }
        bool taken;
        if (current is null)
        {
            try
            {
                taken = await database.WriteAsync(s => s.ExecuteAsync(
                    "INSERT INTO job_leases (name, holder, expires_at) VALUES (@name, @holder, @until)", args), ct) == 1;
            }
            catch (Exception e) when (Sql.IsUniqueViolation(e))
            {
                taken = false; // another replica inserted it first
            }
        }
        else
        {
            // The WHERE is evaluated again on the row once a concurrent taker has committed, so only one of them wins.
            taken = await database.WriteAsync(s => s.ExecuteAsync("""
                UPDATE job_leases SET holder = @holder, expires_at = @until
                WHERE name = @name AND (holder = @holder OR expires_at <= @now)
                """, args), ct) == 1;
        }
        _heldUntil = taken ? until : null;
        return taken;
    }

    /// <summary>At a stop: releases the lease if held. A failure only delays the takeover until expiry: logged, not thrown.</summary>
    public async Task ReleaseOnStopAsync(ILogger logger, CancellationToken ct)
    {
        try { await ReleaseAsync(ct); }
        catch (Exception e) when (e is not OperationCanceledException) { logger.LogWarning(e, "Releasing the lease {Lease} failed; another replica takes over when it expires", name); }
    }

    /// <summary>Lets another replica take over at once (a stop, a rolling update), if this one holds it.</summary>
    public async Task ReleaseAsync(CancellationToken ct)
    {
        if (_heldUntil is null) return;
        _heldUntil = null;
        var now = clock.GetUtcNow().UtcDateTime;
        await database.WriteAsync(s => s.ExecuteAsync(
            "UPDATE job_leases SET expires_at = @now WHERE name = @name AND holder = @holder", new { name, holder = Holder, now }), ct);
    }
}
