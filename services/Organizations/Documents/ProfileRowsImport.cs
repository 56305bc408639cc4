using Rectify.Documents.Workbooks;
using Rectify.Events.Organizations;
using Rectify.Organizations.Profiles;
using Rectify.Organizations.Units;
using Rectify.Organizations.V1;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;
using Rectify.Platform.Outbox;
using Rectify.Platform.Storage;
using static Rectify.Organizations.Documents.OrganizationTemplates;

namespace Rectify.Organizations.Documents;

/// <summary>
/// 村党组织基本情况 rows, matched by village and year: checked by SetProfile's own rules, written as SetProfile writes
/// them (the year's figures replaced, ProfileUpdated published); equal figures are unchanged and write nothing.
/// </summary>
internal sealed class ProfileRowsImport(Caller caller, IReadOnlyList<UnitRow> villages, DateTimeOffset now, DateOnly today) : IRowImport
{
    private static readonly Dictionary<string, string> Headers = new()
    {
        ["profile.village_code"] = Village, ["profile.year"] = Year, ["profile.organization_type"] = OrganizationType,
        ["profile.secretary_name"] = Secretary, ["profile.committee_size"] = CommitteeSize, ["profile.committee_vacancies"] = CommitteeVacancies,
        ["profile.members"] = Members, ["profile.women_members"] = WomenMembers, ["profile.member_ages.age_30_or_under"] = Age30OrUnder,
        ["profile.member_ages.age_31_to_40"] = Age31To40, ["profile.member_ages.age_41_to_45"] = Age41To45,
        ["profile.member_ages.age_46_to_60"] = Age46To60, ["profile.member_ages.age_over_60"] = AgeOver60,
        ["profile.member_ages"] = Age30OrUnder, ["profile.households"] = Households, ["profile.population"] = Population,
        ["profile.collective_operating_income_yuan"] = Income,
    };

    private readonly List<ProfileRow> _written = [];

    public async Task<ImportCounts> CheckAsync(DbSession session, IReadOnlyList<TemplateRow> rows, ImportProblems problems)
    {
        _written.Clear();
        var byLabel = villages.ToDictionary(VillageLabel, v => v.Code);
        var types = OrganizationTypes.ToDictionary(t => t.Value, t => t.Key);
        var candidates = new List<ProfileRow>();
        var firstRow = new Dictionary<(string, int), int>();
        foreach (var row in rows)
        {
            if (row.Text(Village) is not { } label || !byLabel.TryGetValue(label, out var village) || row.Int(Year) is not { } year) continue;
            var profile = new PartyOrganizationProfile
            {
                VillageCode = village, Year = year,
                OrganizationType = row.Text(OrganizationType) is { } type ? types[type] : PartyOrganizationType.Unspecified,
                SecretaryName = row.Text(Secretary) ?? "", SecretaryIsDirector = row.YesNo(SecretaryIsDirector) ?? false,
                CommitteeSize = row.Int(CommitteeSize) ?? 0, CommitteeVacancies = row.Int(CommitteeVacancies) ?? 0,
                Members = row.Int(Members) ?? 0, WomenMembers = row.Int(WomenMembers) ?? 0,
                MemberAges = new MemberAges
                {
                    Age30OrUnder = row.Int(Age30OrUnder) ?? 0, Age31To40 = row.Int(Age31To40) ?? 0, Age41To45 = row.Int(Age41To45) ?? 0,
                    Age46To60 = row.Int(Age46To60) ?? 0, AgeOver60 = row.Int(AgeOver60) ?? 0,
                },
                Households = row.Int(Households) ?? 0, Population = row.Int(Population) ?? 0, CollectiveOperatingIncomeYuan = row.Int(Income) ?? 0,
            };
            try
            {
                var (code, parsed) = SetProfileInput.Parse(new SetProfileRequest { Profile = profile }, today);
                // The drop-down holds the scope's villages only; SetProfile's write rule for each, should a file be edited by hand.
                if (!caller.CanSee(code) || !caller.MayWrite) { problems.Add(row, Village, $"{label}不在本单位范围内，不能填报。"); continue; }
                if (!firstRow.TryAdd((village, year), row.Number)) { problems.Add(row, Village, $"与第{firstRow[(village, year)]}行重复（同一村同一年度）。"); continue; }
                parsed.UpdatedBy = caller.Subject;
                parsed.UpdatedAt = now.UtcDateTime;
                candidates.Add(parsed);
            }
            catch (ValidationException refused)
            {
                RuleWords.AddAll(problems, row, refused, Headers);
            }
        }

        var existing = (await ProfileService.FindManyAsync(session, candidates.Select(c => c.VillageCode).ToList()))
            .ToDictionary(p => (p.VillageCode, p.Year));
        int added = 0, changed = 0, unchanged = 0;
        foreach (var row in candidates)
        {
            if (!existing.TryGetValue((row.VillageCode, row.Year), out var old)) added++;
            else if (SameFigures(old, row)) { unchanged++; continue; }
            else changed++;
            _written.Add(row);
        }
        return new ImportCounts(added, changed, unchanged);
    }

    public async Task ApplyAsync(DbSession session)
    {
        foreach (var row in _written)
        {
            await ProfileService.Upsert(session, row);
            await session.PublishAsync(new ProfileUpdated(row.VillageCode, row.Year, now));
        }
    }

    private static bool SameFigures(ProfileRow a, ProfileRow b) =>
        a.OrganizationType == b.OrganizationType && (a.SecretaryName ?? "") == (b.SecretaryName ?? "") && a.SecretaryIsDirector == b.SecretaryIsDirector
        && a.CommitteeSize == b.CommitteeSize && a.CommitteeVacancies == b.CommitteeVacancies && a.Members == b.Members && a.WomenMembers == b.WomenMembers
        && a.Age30OrUnder == b.Age30OrUnder && a.Age31To40 == b.Age31To40 && a.Age41To45 == b.Age41To45 && a.Age46To60 == b.Age46To60
        && a.AgeOver60 == b.AgeOver60 && a.Households == b.Households && a.Population == b.Population
        && a.CollectiveOperatingIncomeYuan == b.CollectiveOperatingIncomeYuan;
}
