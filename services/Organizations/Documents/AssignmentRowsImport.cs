using Rectify.Documents.Workbooks;
using Rectify.Kernel;
using Rectify.Organizations.Assignments;
using Rectify.Organizations.Units;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using static Rectify.Organizations.Documents.OrganizationTemplates;

namespace Rectify.Organizations.Documents;

/// <summary>
/// 四个一联系帮扶 rows, matched by village, year, kind and name: checked by AddAssignment's own rules (only a unit above
/// the village assigns), added as AddAssignment adds them. 四不撤: an import only adds — nothing already assigned is
/// withdrawn or altered, so a matched row with other details is a problem, not a change.
/// </summary>
internal sealed class AssignmentRowsImport(Caller caller, IReadOnlyList<UnitRow> villages, DateOnly today) : IRowImport
{
    private static readonly Dictionary<string, string> Headers = new()
    {
        ["village_code"] = Village, ["year"] = Year, ["kind"] = Kind, ["assignee"] = Assignee, ["position"] = Position,
        ["phone"] = Phone, ["assigned_on"] = AssignedOn,
    };

    private readonly List<AssignmentRow> _added = [];

    public async Task<ImportCounts> CheckAsync(DbSession session, IReadOnlyList<TemplateRow> rows, ImportProblems problems)
    {
        _added.Clear();
        var byLabel = villages.ToDictionary(VillageLabel, v => v.Code);
        var kinds = AssignmentKinds.ToDictionary(k => k.Value, k => k.Key);
        var candidates = new List<(TemplateRow Row, AssignmentRow Assignment)>();
        var firstRow = new Dictionary<(string, int, int, string), int>();
        foreach (var row in rows)
        {
            if (row.Text(Village) is not { } label || !byLabel.TryGetValue(label, out var village) || row.Int(Year) is not { } year
                || row.Text(Kind) is not { } kindName || row.Text(Assignee) is null) continue;
            try
            {
                var add = AddAssignmentInput.Parse(new AddAssignmentRequest
                {
                    VillageCode = village, Year = year, Kind = kinds[kindName], Assignee = row.Text(Assignee),
                    Position = row.Text(Position) ?? "", Phone = row.Text(Phone) ?? "", AssignedOn = row.Date(AssignedOn)?.ToProto(),
                }, today);
                if (!caller.MayWrite || caller.Role != Role.Service && !caller.Org.IsStrictAncestorOf(add.Village))
                {
                    problems.Add(row, Village, $"只有{label}的上级单位才能为其派驻帮扶力量。");
                    continue;
                }
                var key = (village, year, (int)add.Kind, add.Assignee);
                if (!firstRow.TryAdd(key, row.Number)) { problems.Add(row, Assignee, $"与第{firstRow[key]}行重复（同一村、年度、类型和姓名）。"); continue; }
                candidates.Add((row, new AssignmentRow
                {
                    Id = Guid.NewGuid().ToString(), VillageCode = village, Year = year, Kind = (int)add.Kind, Assignee = add.Assignee,
                    Position = add.Position, Phone = add.Phone, AssignedOn = add.AssignedOn,
                }));
            }
            catch (ValidationException refused)
            {
                RuleWords.AddAll(problems, row, refused, Headers);
            }
        }

        var existing = new Dictionary<(string, int, int, string), AssignmentRow>();
        foreach (var year in candidates.Select(c => c.Assignment.Year).Distinct())
            foreach (var a in await AssignmentService.CurrentAsync(session, candidates.Select(c => c.Assignment.VillageCode).ToList(), year))
                existing.TryAdd((a.VillageCode, a.Year, a.Kind, a.Assignee), a);
        var unchanged = 0;
        foreach (var (row, a) in candidates)
        {
            if (!existing.TryGetValue((a.VillageCode, a.Year, a.Kind, a.Assignee), out var old)) { _added.Add(a); continue; }
            // A date left empty means "as recorded": the file need not repeat the day someone was sent.
            var sameDay = row.Date(AssignedOn) is null || old.AssignedOn == a.AssignedOn;
            if ((old.Position ?? "") == (a.Position ?? "") && (old.Phone ?? "") == (a.Phone ?? "") && sameDay) unchanged++;
            else problems.Add(row, Assignee, $"{a.Assignee}已派驻（职务、电话或派驻日期与本行不同）：导入不修改已派驻的记录，请在系统中更正。");
        }
        return new ImportCounts(_added.Count, 0, unchanged);
    }

    public Task ApplyAsync(DbSession session) => _added.Count > 0 ? AssignmentService.Insert(session, _added, caller) : Task.CompletedTask;
}
