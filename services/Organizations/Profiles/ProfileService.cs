using Dapper;
using Rectify.Common.V1;
using Rectify.Events.Organizations;
using Rectify.Kernel;
using Rectify.Organizations.Units;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;
using Rectify.Platform.Outbox;
using Rectify.Platform.Storage;
using OrgLevel = Rectify.Common.V1.OrgLevel;

namespace Rectify.Organizations.Profiles;

/// <summary>A village Party organization's profile (党组织基本情况) by year.</summary>
public sealed class ProfileService(UnitStore units, TimeProvider clock)
{
    private const string Columns = """
        village_code AS VillageCode, year AS Year, organization_type AS OrganizationType, secretary_name AS SecretaryName,
        secretary_is_director AS SecretaryIsDirector, committee_size AS CommitteeSize, committee_vacancies AS CommitteeVacancies,
        members AS Members, women_members AS WomenMembers, age_30_or_under AS Age30OrUnder, age_31_to_40 AS Age31To40,
        age_41_to_45 AS Age41To45, age_46_to_60 AS Age46To60, age_over_60 AS AgeOver60, households AS Households,
        population AS Population, collective_operating_income_yuan AS CollectiveOperatingIncomeYuan,
        updated_by AS UpdatedBy, updated_at AS UpdatedAt
        """;

    public async Task<PartyOrganizationProfile> GetAsync(Caller caller, GetProfileRequest request, CancellationToken ct)
    {
        var (village, year) = GetProfileInput.Parse(request, clock.Today());
        caller.EnsureCanRead(village);
        var row = await units.Database.ReadAsync(c => c.QuerySingleOrDefaultAsync<ProfileRow>(
            $"SELECT {Columns} FROM profiles WHERE village_code = @village AND year = @year", new { village, year }), ct);
        return row?.ToProto() ?? throw new NotFoundException("profile", $"{village}/{year}");
    }

    public async Task<PartyOrganizationProfile> SetAsync(Caller caller, SetProfileRequest request, CancellationToken ct)
    {
        var (code, row) = SetProfileInput.Parse(request, clock.Today());
        caller.EnsureCanWrite(code);
        var now = clock.GetUtcNow();
        row.UpdatedBy = caller.Subject;
        row.UpdatedAt = now.UtcDateTime;
        await units.Database.WriteAsync(async session =>
        {
            var village = await units.FindAsync(session, row.VillageCode) ?? throw new NotFoundException("unit", row.VillageCode);
            if (!village.IsActive) throw new PreconditionFailedException("UNIT_NOT_ACTIVE", village.Code, $"{village.Code} {village.Name} is closed or merged.");
            await Upsert(session, row);
            await session.PublishAsync(new ProfileUpdated(row.VillageCode, row.Year, now));
        }, ct);
        return row.ToProto();
    }

    /// <summary>The profiles of these villages (every year), one query per thousand villages: an import reads them at once.</summary>
    internal static async Task<List<ProfileRow>> FindManyAsync(DbSession session, IReadOnlyCollection<string> villages)
    {
        var found = new List<ProfileRow>();
        foreach (var chunk in villages.Distinct().Chunk(1000))
            found.AddRange(await session.QueryAsync<ProfileRow>($"SELECT {Columns} FROM profiles WHERE {session.Sql.InList("village_code", "@chunk")}", new { chunk }));
        return found;
    }

    /// <summary>Replaces the year's figures: delete and insert, the upsert every provider understands alike.</summary>
    internal static async Task Upsert(DbSession session, ProfileRow row)
    {
        await session.ExecuteAsync("DELETE FROM profiles WHERE village_code = @VillageCode AND year = @Year", row);
        await session.ExecuteAsync("""
            INSERT INTO profiles (village_code, year, organization_type, secretary_name, secretary_is_director, committee_size,
                committee_vacancies, members, women_members, age_30_or_under, age_31_to_40, age_41_to_45, age_46_to_60, age_over_60,
                households, population, collective_operating_income_yuan, updated_by, updated_at)
            VALUES (@VillageCode, @Year, @OrganizationType, @SecretaryName, @SecretaryIsDirector, @CommitteeSize,
                @CommitteeVacancies, @Members, @WomenMembers, @Age30OrUnder, @Age31To40, @Age41To45, @Age46To60, @AgeOver60,
                @Households, @Population, @CollectiveOperatingIncomeYuan, @UpdatedBy, @UpdatedAt)
            """, row);
    }
}

/// <summary>A row of the profiles table.</summary>
public sealed class ProfileRow
{
    public string VillageCode { get; set; } = "";
    public int Year { get; set; }
    public int OrganizationType { get; set; }
    public string? SecretaryName { get; set; }
    public bool SecretaryIsDirector { get; set; }
    public int CommitteeSize { get; set; }
    public int CommitteeVacancies { get; set; }
    public int Members { get; set; }
    public int WomenMembers { get; set; }
    public int Age30OrUnder { get; set; }
    public int Age31To40 { get; set; }
    public int Age41To45 { get; set; }
    public int Age46To60 { get; set; }
    public int AgeOver60 { get; set; }
    public int Households { get; set; }
    public int Population { get; set; }
    public long CollectiveOperatingIncomeYuan { get; set; }
    public string UpdatedBy { get; set; } = "";
    public DateTime UpdatedAt { get; set; }

    public PartyOrganizationProfile ToProto() => new()
    {
        VillageCode = VillageCode, Year = Year, OrganizationType = (PartyOrganizationType)OrganizationType,
        SecretaryName = SecretaryName ?? "", SecretaryIsDirector = SecretaryIsDirector, CommitteeSize = CommitteeSize,
        CommitteeVacancies = CommitteeVacancies, Members = Members, WomenMembers = WomenMembers,
        MemberAges = new MemberAges { Age30OrUnder = Age30OrUnder, Age31To40 = Age31To40, Age41To45 = Age41To45, Age46To60 = Age46To60, AgeOver60 = AgeOver60 },
        Households = Households, Population = Population, CollectiveOperatingIncomeYuan = CollectiveOperatingIncomeYuan,
        UpdatedBy = UpdatedBy, UpdatedAt = new DateTimeOffset(UpdatedAt.AsUtc()).ToProto(),
    };
}
