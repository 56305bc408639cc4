using System.Text.Json;
using Dapper;
using Grpc.Core;
using Rectify.Assessment.V1;
using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Hosting;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;

namespace Rectify.Assessment.Campaigns;

/// <summary>Opening a county's campaign: its settings, and its branches as the organizations service knows them.</summary>
public sealed class CampaignService(Database<AssessmentModule> database, OrganizationService.OrganizationServiceClient organizations, TimeProvider clock)
{
    public async Task<Campaign> CreateAsync(Caller caller, CreateCampaignRequest request, CancellationToken ct)
    {
        var (county, year, settings) = CreateCampaignInput.Parse(request, clock.Today());
        caller.EnsureCanWrite(county);

        var branches = await BranchesOfAsync(county, ct);
        if (branches.Count == 0)
            throw new PreconditionFailedException("NO_BRANCHES", county.Value, $"{county} has no open villages in the organizations service.");
        var id = Guid.NewGuid().ToString();
        await database.WriteAsync(async session =>
        {
            if (await session.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM campaigns WHERE county_code = @county AND year = @year",
                    new { county, year }) > 0)
                throw new AlreadyExistsException("campaign", $"{county}/{year}");
            await session.ExecuteAsync("""
                INSERT INTO campaigns (id, county_code, year, settings, confirmed_at, created_by, created_at)
                VALUES (@id, @county, @year, @settings, NULL, @by, @at)
                """, new { id, county, year, settings = JsonSerializer.Serialize(settings), by = caller.Subject, at = clock.GetUtcNow().UtcDateTime });
            await session.ExecuteAsync("""
                INSERT INTO campaign_branches (campaign_id, village_code, village_name, township_code, township_name)
                VALUES (@id, @VillageCode, @VillageName, @TownshipCode, @TownshipName)
                """, branches.Select(b => new { id, b.VillageCode, b.VillageName, b.TownshipCode, b.TownshipName }).ToList());
        }, ct);
        return await GetAsync(caller, new GetCampaignRequest { CampaignId = id }, ct);
    }

    public async Task<Campaign> GetAsync(Caller caller, GetCampaignRequest request, CancellationToken ct)
    {
        var (row, branches) = await database.ReadAsync(async c =>
        {
            var campaign = await CampaignStore.LoadAsync(c, request.CampaignId);
            return (campaign, await CampaignStore.BranchesAsync(c, campaign.Id));
        }, ct);
        // The county and those above it see the campaign; so do the townships and villages it concerns, each only its own branches.
        caller.EnsureInLine(row.Owned);
        var campaign = ToProto(row);
        campaign.Branches.AddRange(branches.Where(b => caller.CanSee(OrgCode.Parse(b.VillageCode))));
        return campaign;
    }

    public async Task<ListCampaignsResponse> ListAsync(Caller caller, ListCampaignsRequest request, CancellationToken ct)
    {
        var county = ListCampaignsInput.Parse(request).County;
        caller.EnsureInLine(county);
        var rows = await database.ReadAsync(c => c.QueryAsync<CampaignRow>(
            $"SELECT {CampaignRow.Columns} FROM campaigns WHERE county_code = @county ORDER BY year DESC",
            new { county }), ct);
        var response = new ListCampaignsResponse();
        response.Campaigns.AddRange(rows.Select(ToProto));
        return response;
    }

    internal static Campaign ToProto(CampaignRow row) => new()
    {
        Id = row.Id, CountyCode = row.CountyCode, Year = row.Year, Settings = row.Rules.ToProto(), Confirmed = row.Confirmed, EnteredAsHistory = row.EnteredAsHistory,
        ConfirmedAt = row.ConfirmedAt is { } at ? new DateTimeOffset(at.AsUtc()).ToProto() : null,
    };

    /// <summary>The county's open villages and their townships, read from the organizations service over gRPC.</summary>
    private async Task<List<Branch>> BranchesOfAsync(OrgCode county, CancellationToken ct)
    {
        // A county's whole subtree: longer than the default deadline.
        using var call = organizations.StreamSubtree(new StreamSubtreeRequest { Code = county.Value }, deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: ct);
        var townships = new Dictionary<string, string>();
        var branches = new List<Branch>();
        await foreach (var unit in call.ResponseStream.ReadAllAsync(ct))
        {
            if (unit.Level == OrgLevel.Township) townships[unit.Code] = unit.Name;
            else if (unit.Level == OrgLevel.Village)
                branches.Add(new Branch { VillageCode = unit.Code, VillageName = unit.Name, TownshipCode = unit.ParentCode, TownshipName = townships.GetValueOrDefault(unit.ParentCode, "") });
        }
        return branches;
    }
}
