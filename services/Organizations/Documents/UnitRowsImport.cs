using Rectify.Documents.Uploads;
using Rectify.Documents.Workbooks;
using Rectify.Kernel;
using Rectify.Organizations.Units;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using static Rectify.Organizations.Documents.OrganizationTemplates;

namespace Rectify.Organizations.Documents;

/// <summary>
/// 单位名单 rows, matched by code: a new code is registered (as RegisterUnit and ImportUnits do), a known one with
/// another name is renamed (as RenameUnit does), an equal one is unchanged. Parents come before children.
/// </summary>
internal sealed class UnitRowsImport(Caller caller, OrgCode scope, DateTimeOffset now, DateOnly today) : IRowImport
{
    private static readonly Dictionary<string, string> Headers = new() { ["code"] = Code, ["name"] = Name, ["parent_code"] = ParentCode };

    private readonly List<UnitRow> _added = [];
    private readonly List<(UnitRow Unit, string Name)> _renamed = [];

    public async Task<ImportCounts> CheckAsync(DbSession session, IReadOnlyList<TemplateRow> rows, ImportProblems problems)
    {
        _added.Clear();
        _renamed.Clear();
        var candidates = new List<(TemplateRow Row, UnitRow Unit)>();
        var firstRow = new Dictionary<string, int>();
        foreach (var row in rows)
        {
            if (row.Text(Code) is not { } text || row.Text(Name) is not { } name) continue;
            try
            {
                // The rules of RegisterUnit: a unit's code, a valid name, the parent the code names.
                var input = RegisterUnitInput.Parse(new RegisterUnitRequest { Code = text, Name = name, ParentCode = row.Text(ParentCode) ?? "" });
                if (!scope.IsStrictAncestorOf(input.Code))
                    problems.Add(row, Code, $"{input.Code}不在{scope}以下：只能登记或修改本单位以下的单位。");
                else if (!firstRow.TryAdd(input.Code.Value, row.Number))
                    problems.Add(row, Code, $"与第{firstRow[input.Code.Value]}行的单位代码重复。");
                else
                    candidates.Add((row, new UnitRow
                    {
                        Code = input.Code.Value, Name = input.Name, Level = (int)input.Code.Level, ParentCode = input.Code.Parent?.Value, Status = (int)UnitStatus.Active,
                    }));
            }
            catch (ValidationException refused)
            {
                RuleWords.AddAll(problems, row, refused, Headers);
            }
        }

        var known = await UnitStore.FindManyAsync(session, candidates.SelectMany(c => new[] { c.Unit.Code, c.Unit.ParentCode ?? c.Unit.Code }));
        var unchanged = 0;
        foreach (var (row, unit) in candidates.OrderBy(c => c.Unit.Level).ThenBy(c => c.Row.Number))
        {
            if (known.TryGetValue(unit.Code, out var existing))
            {
                if (!existing.IsActive) problems.Add(row, Code, $"{existing.Code} {existing.Name}已撤销或合并，不能修改。");
                else if (existing.Name == unit.Name) unchanged++;
                else _renamed.Add((existing, unit.Name));
                continue;
            }
            if (unit.ParentCode is { } parentCode && !(known.TryGetValue(parentCode, out var parent) && parent.IsActive))
            {
                problems.Add(row, ParentCode, parent is null
                    ? $"上级单位{parentCode}既未登记，也不在本文件中：请先登记上级单位。"
                    : $"上级单位{parentCode} {parent.Name}已撤销或合并。");
                continue;
            }
            _added.Add(unit);
            known[unit.Code] = unit;
        }
        return new ImportCounts(_added.Count, _renamed.Count, unchanged);
    }

    public async Task ApplyAsync(DbSession session)
    {
        if (_added.Count > 0) await UnitService.Register(session, _added, caller, now);
        foreach (var (unit, name) in _renamed) await UnitService.Rename(session, unit, name, today, "单位名单导入", caller, now);
    }
}

/// <summary>
/// A 单位名单 as CSV (code, name, parent code; UTF-8 or GBK as Excel on Chinese Windows saves it; an optional header
/// line), read by <see cref="UnitCsv"/> into the template's rows, each keeping its line number.
/// </summary>
internal static class UnitsCsv
{
    public static IReadOnlyList<TemplateRow> Read(Stream content, TemplateSheet sheet, ImportProblems problems)
    {
        using var buffer = new MemoryStream();
        content.CopyTo(buffer);
        string text;
        try
        {
            text = UnitCsv.Decode(buffer.ToArray());
        }
        catch (InvalidDataException)
        {
            throw FileCheck.Refuse("文件既不是UTF-8也不是GBK编码的文本，无法读取，未导入任何内容：请在Excel中另存为「CSV UTF-8」或Excel工作簿(.xlsx)后再导入。");
        }
        var rows = new List<TemplateRow>();
        var lines = UnitCsv.ReadAsync(new StringReader(text)).ToBlockingEnumerable();
        foreach (var line in lines)
        {
            if (rows.Count == WorkbookTemplate.MaxRows)
            {
                problems.Add(sheet.Name, line.Line, "", "", $"数据超过{WorkbookTemplate.MaxRows}行：请按乡镇分成几个文件分别导入。");
                break;
            }
            string? Value(string value, string header)
            {
                if (value.Length > 0 || !sheet.Columns[sheet.IndexOf(header)].Required) return value.Length > 0 ? value : null;
                problems.Add(sheet.Name, line.Line, header, "", "必填，不能为空。");
                return null;
            }
            rows.Add(new TemplateRow(sheet, line.Line, [Value(line.Code, Code), Value(line.Name, Name), Value(line.ParentCode, ParentCode)]));
        }
        return rows;
    }
}
