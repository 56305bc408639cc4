using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Organizations.Profiles;

/// <summary>A village's figures for a year, checked: counts never negative, parts never above their wholes.</summary>
public sealed record SetProfileInput(OrgCode Village, ProfileRow Profile)
{
    /// <summary>
    /// Collects every violation of the request at once (InvalidArgument with field details), or returns it valid; the
    /// row still lacks who updated it and when.
    /// </summary>
    public static SetProfileInput Parse(SetProfileRequest request, DateOnly today)
    {
        var p = request.Profile;
        var v = new Violations();
        if (p is null) throw ValidationException.For("profile", "is required");
        var code = v.Code("profile.village_code", p.VillageCode);
        if (code is { } c) v.Check(c.Level == OrgLevel.Village, "profile.village_code", "must be a village's code");
        GetProfileInput.CheckYear(v, p.Year, today, "profile.year");
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
        var village = code!.Value;
        return new(village, new ProfileRow
        {
            VillageCode = village.Value, Year = p.Year, OrganizationType = (int)p.OrganizationType, SecretaryName = secretary,
            SecretaryIsDirector = p.SecretaryIsDirector, CommitteeSize = p.CommitteeSize, CommitteeVacancies = p.CommitteeVacancies,
            Members = p.Members, WomenMembers = p.WomenMembers, Age30OrUnder = ages.Age30OrUnder, Age31To40 = ages.Age31To40,
            Age41To45 = ages.Age41To45, Age46To60 = ages.Age46To60, AgeOver60 = ages.AgeOver60, Households = p.Households,
            Population = p.Population, CollectiveOperatingIncomeYuan = p.CollectiveOperatingIncomeYuan,
        });
    }
}
