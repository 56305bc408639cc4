using Dapper;
using Rectify.Assessment.V1;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;

namespace Rectify.Assessment.Campaigns;

/// <summary>The request of SnapshotTargets, checked: the unit whose subtree is sent.</summary>
public sealed record SnapshotTargetsInput(OrgCode Scope)
{
    public static SnapshotTargetsInput Parse(SnapshotTargetsRequest request)
    {
        var v = new Violations();
        var scope = v.Code("scope_code", request.ScopeCode);
        v.ThrowIfAny();
        return new(scope!.Value);
    }
}

/// <summary>
/// Every designated target under a unit as its events left it, for the gateway's rebuild: the designation's names, time
/// and campaign end (what TargetsDesignated carried) and the status with its version. A target entered as history was
/// published when it was recorded and is dated by its decision (decided_on); one confirmed here, when its campaign was confirmed.
/// </summary>
public sealed class TargetSnapshot(Database<AssessmentModule> database)
{
    private sealed class Row
    {
        public string VillageCode { get; set; } = "";
        public string VillageName { get; set; } = "";
        public string TownshipName { get; set; } = "";
        public int Year { get; set; }
        public int Status { get; set; }
        public long Version { get; set; }
        public DateTime? RecordedAt { get; set; }
        public DateOnly? DecidedOn { get; set; }
        public DateTime? ConfirmedAt { get; set; }
        public string Settings { get; set; } = "";
    }

    public async Task StreamAsync(Caller caller, SnapshotTargetsRequest request, Func<TargetState, Task> write, CancellationToken ct)
    {
        var scope = SnapshotTargetsInput.Parse(request).Scope;
        caller.EnsureAdmin(scope, "A snapshot of the targets");
        var (low, high) = scope.SubtreeRange;
        var rows = await database.ReadAsync(c => c.QueryAsync<Row>("""
            SELECT t.village_code AS VillageCode, b.village_name AS VillageName, b.township_name AS TownshipName, c.year AS Year, t.status AS Status,
                   t.version AS Version, t.recorded_at AS RecordedAt, t.decided_on AS DecidedOn, c.confirmed_at AS ConfirmedAt, c.settings AS Settings
            FROM targets t
            JOIN campaigns c ON c.id = t.campaign_id
            JOIN campaign_branches b ON b.campaign_id = t.campaign_id AND b.village_code = t.village_code
            WHERE t.village_code >= @low AND t.village_code <= @high
            ORDER BY t.village_code, c.year
            """, new { low, high }), ct);
        foreach (var row in rows)
        {
            var designatedAt = row.RecordedAt ?? row.ConfirmedAt ?? throw new InvalidOperationException($"The target {row.VillageCode} of {row.Year} has no designation time.");
            var state = new TargetState
            {
                VillageCode = row.VillageCode, VillageName = row.VillageName, TownshipName = row.TownshipName, CampaignYear = row.Year, Status = (TargetStatus)row.Status,
                Version = row.Version, DesignatedAt = new DateTimeOffset(designatedAt.AsUtc()).ToProto(),
                CampaignEndsOn = new CampaignRow { Settings = row.Settings }.Rules.EndsOn.ToProto(),
            };
            if (row.DecidedOn is { } decidedOn) state.DecidedOn = decidedOn.ToProto();
            await write(state);
        }
    }
}
