using System.Text.Json;
using Dapper;
using Grpc.Core;
using Rectify.Assessment.V1;
using Rectify.Common.V1;
using Rectify.Events.Assessment;
using Rectify.Kernel;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Hosting;
using Rectify.Platform.Identity;
using Rectify.Platform.Outbox;
using Rectify.Platform.Storage;

namespace Rectify.Assessment.Campaigns;

/// <summary>
/// An earlier year's designation entered as history: a county that starts using Rectify records the targets it
/// designated before (seed 001: 2022, by 县委组发〔2022〕40号) with the date and basis of its decision, without running
/// that year's 两评—调研—排序 again. The year's campaign record is created, marked entered as history, and holds only
/// the recorded targets; TargetsDesignated lets the measures service take their plans.
/// </summary>
public sealed class PastDesignationService(Database<AssessmentModule> database, OrganizationService.OrganizationServiceClient organizations, TimeProvider clock)
{
    public async Task<PastDesignation> RecordAsync(Caller caller, RecordPastTargetsRequest request, CancellationToken ct)
    {
        var (county, year, endsOn, endsOnGiven, decidedOn, basis, villages) = RecordPastTargetsInput.Parse(request, clock.Today());
        caller.EnsureCountyDecision(county, "Recording an earlier year's targets");

        var branches = await BranchesAsync(villages, ct);
        var now = clock.GetUtcNow();
        var campaignId = await database.WriteAsync(
            session => WriteAsync(session, caller, county, year, endsOn, endsOnGiven, decidedOn, basis, branches, now), ct);
        var result = new PastDesignation { CampaignId = campaignId, DecidedOn = decidedOn.ToProto(), Basis = basis, RecordedBy = caller.Subject, RecordedAt = now.ToProto() };
        result.Targets.AddRange(branches);
        return result;
    }

    /// <summary>
    /// The write of one recorded decision (its campaign created if need be, its branches and targets, TargetsDesignated),
    /// inside the caller's session: RecordPastTargets and the 往年整顿对象及结果 import write through it.
    /// </summary>
    internal static async Task<string> WriteAsync(DbSession session, Caller caller, OrgCode county, int year, DateOnly endsOn, bool endsOnGiven,
        DateOnly decidedOn, string basis, IReadOnlyList<Branch> branches, DateTimeOffset now)
    {
        var campaign = await session.QuerySingleOrDefaultAsync<CampaignRow>(
            $"SELECT {CampaignRow.Columns} FROM campaigns WHERE county_code = @county AND year = @year", new { county, year });
        if (campaign is { EnteredAsHistory: false })
            throw new PreconditionFailedException("CAMPAIGN_RUN_HERE", campaign.Id,
                $"The {year} campaign of {county} was run in this system; its targets come from its own review and confirmation.");
        var campaignEndsOn = campaign?.Rules.EndsOn ?? endsOn;
        if (campaign is null)
        {
            var settings = Settings.From(new CampaignSettings { EndsOn = endsOn.ToProto() }, year, new Violations());
            campaign = new CampaignRow { Id = Guid.NewGuid().ToString(), CountyCode = county.Value, Year = year, EnteredAsHistory = true };
            // Confirmed from the start: a past campaign takes no assessments or proposals, only its recorded targets.
            await session.ExecuteAsync("""
                INSERT INTO campaigns (id, county_code, year, settings, confirmed_at, created_by, created_at, entered_as_history)
                VALUES (@id, @county, @year, @settings, @at, @by, @at, @history)
                """, new { id = campaign.Id, county = campaign.CountyCode, year = campaign.Year, settings = JsonSerializer.Serialize(settings), at = now.UtcDateTime, by = caller.Subject, history = true });
        }
        else if (endsOnGiven && campaignEndsOn != endsOn)
            throw ValidationException.For("ends_on", $"the {year} campaign is already recorded as ending on {campaignEndsOn:yyyy-MM-dd}");
        var known = (await session.QueryAsync<string>("SELECT village_code FROM targets WHERE campaign_id = @Id", new { campaign.Id })).ToHashSet();
        if (branches.FirstOrDefault(b => known.Contains(b.VillageCode)) is { } twice)
            throw new AlreadyExistsException("target", $"{twice.VillageCode} in the {year} campaign");
        await session.ExecuteAsync("""
            INSERT INTO campaign_branches (campaign_id, village_code, village_name, township_code, township_name)
            VALUES (@id, @VillageCode, @VillageName, @TownshipCode, @TownshipName)
            """, branches.Select(b => new { id = campaign.Id, b.VillageCode, b.VillageName, b.TownshipCode, b.TownshipName }).ToList());
        await session.ExecuteAsync("""
            INSERT INTO targets (campaign_id, village_code, status, accepted_on, decided_on, basis, recorded_by, recorded_at)
            VALUES (@id, @VillageCode, @status, NULL, @decidedOn, @basis, @by, @at)
            """, branches.Select(b => new { id = campaign.Id, b.VillageCode, status = (int)TargetStatus.Designated, decidedOn, basis, by = caller.Subject, at = now.UtcDateTime }).ToList());
        await session.PublishAsync(new TargetsDesignated(campaign.CountyCode, campaign.Year, campaignEndsOn,
            branches.Select(b => new DesignatedTarget(b.VillageCode, b.VillageName, b.TownshipName, Version: 1)).ToList(), now, EnteredAsHistory: true, DecidedOn: decidedOn));
        return campaign.Id;
    }

    /// <summary>A unit's name for a template's title and file name; its code when the organizations service does not know it.</summary>
    internal async Task<string> NameOfAsync(OrgCode unit, CancellationToken ct)
    {
        try { return (await organizations.GetUnitAsync(new GetUnitRequest { Code = unit.Value }, cancellationToken: ct)).Name; }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound) { return unit.Value; }
    }

    /// <summary>
    /// A county's villages with their townships, closed ones too (history outlives units), in one streamed call: the
    /// 往年整顿对象及结果 import looks every row's village up before its dry run or its write.
    /// </summary>
    internal async Task<Dictionary<string, Branch>> CountyBranchesAsync(OrgCode county, CancellationToken ct)
    {
        using var call = organizations.StreamSubtree(new StreamSubtreeRequest { Code = county.Value, IncludeClosed = true },
            deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: ct);
        var townships = new Dictionary<string, string>();
        var villages = new List<Unit>();
        await foreach (var unit in call.ResponseStream.ReadAllAsync(ct))
        {
            if (unit.Level == OrgLevel.Township) townships[unit.Code] = unit.Name;
            else if (unit.Level == OrgLevel.Village) villages.Add(unit);
        }
        return villages.ToDictionary(u => u.Code, u => new Branch
            { VillageCode = u.Code, VillageName = u.Name, TownshipCode = u.ParentCode, TownshipName = townships.GetValueOrDefault(u.ParentCode, "") });
    }

    /// <summary>Each village and its township as the organizations service knows them now (closed ones too: history outlives units).</summary>
    private async Task<List<Branch>> BranchesAsync(IReadOnlyList<OrgCode> villages, CancellationToken ct)
    {
        var names = new Dictionary<string, string>();
        var v = new Violations();
        async Task<string?> NameAsync(OrgCode code)
        {
            if (names.TryGetValue(code.Value, out var known)) return known;
            try
            {
                var unit = await organizations.GetUnitAsync(new GetUnitRequest { Code = code.Value }, cancellationToken: ct);
                return names[code.Value] = unit.Name;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound) { return null; }
        }
        var branches = new List<Branch>();
        for (var i = 0; i < villages.Count; i++)
        {
            var village = await NameAsync(villages[i]);
            if (!v.Check(village is not null, $"village_codes[{i}]", "is not a unit the organizations service knows")) continue;
            var township = villages[i].Parent!.Value;
            branches.Add(new Branch { VillageCode = villages[i].Value, VillageName = village!, TownshipCode = township.Value, TownshipName = await NameAsync(township) ?? "" });
        }
        v.ThrowIfAny();
        return branches;
    }
}
