using Dapper;
using Rectify.Common.V1;
using Rectify.Events.Organizations;
using Rectify.Organizations.Units;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;
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
        var violations = new Violations();
        var code = violations.Code("village_code", request.VillageCode);
        CheckYear(violations, request.Year);
        violations.ThrowIfAny();
        caller.EnsureCanRead(code!.Value);
        var row = await units.Database.ReadAsync(c => c.QuerySingleOrDefaultAsync<ProfileRow>(
            $"SELECT {Columns} FROM profiles WHERE village_code = @code AND year = @year", new { code = code.Value.Value, year = request.Year }), ct);
        return row?.ToProto() ?? throw new NotFoundException("profile", $"{code.Value.Value}/{request.Year}");
    }

    public async Task<PartyOrganizationProfile> SetAsync(Caller caller, SetProfileRequest request, CancellationToken ct)
    {
        var row = Validate(request.Profile);
        caller.EnsureCanWrite(OrgCode.Parse(row.VillageCode));
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

    private ProfileRow Validate(PartyOrganizationProfile? p)
    {
        var v = new Violations();
        if (p is null) throw ValidationException.For("profile", "is required");
        var code = v.Code("profile.village_code", p.VillageCode);
        if (code is { } c) v.Check(c.Level == OrgLevel.Village, "profile.village_code", "must be a village's code");
        CheckYear(v, p.Year, "profile.year");
        v.Check(Enum.IsDefined(p.OrganizationType) && p.OrganizationType != PartyOrganizationType.Unspecified, "profile.organization_type", "must be committee, general branch or branch");
        var secretary = v.Text("profile.secretary_name", p.SecretaryName, 50, required: false);
        void NonNegative(long value, string field) => v.Check(value >= 0, field, "must not be negative");
        NonNegative(p.CommitteeSize, "profile.committee_size");
        NonNegative(p.CommitteeVacancies, "profile.committee_vacancies");
        v.Check(p.CommitteeVacancies <= p.CommitteeSize, "profile.committee_vacancies", "must not exceed committee_size");
        NonNegative(p.Members, "profile.members");
        NonNegative(p.WomenMembers, "profile.women_members");
        v.Check(p.WomenMembers <= p.Members, "profile.women_members", "must not exceed members");
        var ages = p.MemberAges ?? new MemberAges();
        NonNegative(ages.Age30OrUnder, "profile.member_ages.age_30_or_under");
        NonNegative(ages.Age31To40, "profile.member_ages.age_31_to_40");
        NonNegative(ages.Age41To45, "profile.member_ages.age_41_to_45");
        NonNegative(ages.Age46To60, "profile.member_ages.age_46_to_60");
        NonNegative(ages.AgeOver60, "profile.member_ages.age_over_60");
        var sum = (long)ages.Age30OrUnder + ages.Age31To40 + ages.Age41To45 + ages.Age46To60 + ages.AgeOver60;
        // Brackets count the members the document reports in each; documents often give only some (seed 001 gives three), never more than the members.
        v.Check(sum <= p.Members, "profile.member_ages", $"add up to {sum}, more than the members ({p.Members})");
        NonNegative(p.Households, "profile.households");
        NonNegative(p.Population, "profile.population");
        v.Check(p.Population >= p.Households, "profile.population", "must be at least the number of households");
        // Operating income (经营性收入) is what the collective earns, never below zero; a loss-making year records 0.
        NonNegative(p.CollectiveOperatingIncomeYuan, "profile.collective_operating_income_yuan");
        v.ThrowIfAny();
        return new ProfileRow
        {
            VillageCode = code!.Value.Value, Year = p.Year, OrganizationType = (int)p.OrganizationType, SecretaryName = secretary,
            SecretaryIsDirector = p.SecretaryIsDirector, CommitteeSize = p.CommitteeSize, CommitteeVacancies = p.CommitteeVacancies,
            Members = p.Members, WomenMembers = p.WomenMembers, Age30OrUnder = ages.Age30OrUnder, Age31To40 = ages.Age31To40,
            Age41To45 = ages.Age41To45, Age46To60 = ages.Age46To60, AgeOver60 = ages.AgeOver60, Households = p.Households,
            Population = p.Population, CollectiveOperatingIncomeYuan = p.CollectiveOperatingIncomeYuan,
        };
    }

    private void CheckYear(Violations v, int year, string field = "year")
    {
        var latest = clock.Today().Year + 1;
        v.Check(year >= 2000 && year <= latest, field, $"must be between 2000 and {latest}");
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
