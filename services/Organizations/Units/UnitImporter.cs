using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;

namespace Rectify.Organizations.Units;

/// <summary>
/// Bulk registration of units (CSV of code, name, parent code). Every bad row
/// is reported with its line and reason; the good rows are registered together
/// in one transaction, so an import is never half-written. Rows may come in any
/// order: parents are registered before their children.
/// </summary>
public sealed class UnitImporter(UnitStore store, TimeProvider clock)
{
    public const int MaxRows = 200_000;

    private sealed record Candidate(int Line, OrgCode Code, UnitRow Unit);

    public async Task<ImportUnitsResult> ImportAsync(Caller caller, IAsyncEnumerable<ImportUnitRow> rows, CancellationToken ct)
    {
        caller.EnsureCanWrite(caller.Org);
        var result = new ImportUnitsResult();
        var candidates = new List<Candidate>();
        var firstLine = new Dictionary<string, int>();
        await foreach (var row in rows.WithCancellation(ct))
        {
            if (++result.Received > MaxRows) throw ValidationException.For("rows", $"at most {MaxRows} rows may be imported at once");
            var line = row.Line > 0 ? row.Line : result.Received;
            if (Check(row, line, caller, firstLine, result) is { } candidate) candidates.Add(candidate);
        }

        var now = clock.GetUtcNow();
        await store.Database.WriteAsync(async session =>
        {
            var known = await UnitStore.FindManyAsync(session, candidates.SelectMany(c => new[] { c.Unit.Code, c.Unit.ParentCode ?? c.Unit.Code }));
            var accepted = new List<UnitRow>();
            foreach (var candidate in candidates.OrderBy(c => c.Unit.Level).ThenBy(c => c.Line))
            {
                var unit = candidate.Unit;
                if (known.TryGetValue(unit.Code, out var existing))
                {
                    if (existing.Name == unit.Name && existing.IsActive) result.Unchanged++;
                    else Reject(result, candidate.Line, unit.Code, "code", $"is already registered as {existing.Name} ({(UnitStatus)existing.Status})");
                    continue;
                }
                if (unit.ParentCode is { } parentCode && !(known.TryGetValue(parentCode, out var parent) && parent.IsActive))
                {
                    Reject(result, candidate.Line, unit.Code, "parent_code",
                        parent is null ? $"{parentCode} is neither registered nor imported in this file" : $"{parentCode} is closed or merged");
                    continue;
                }
                accepted.Add(unit);
                known[unit.Code] = unit;
            }
            await UnitService.Register(session, accepted, caller, now);
            result.Imported = accepted.Count;
        }, ct);

        var sorted = result.Errors.OrderBy(e => e.Line).ToList();
        result.Errors.Clear();
        result.Errors.AddRange(sorted);
        return result;
    }

    /// <summary>The checks one row passes on its own; returns null and records the error when it fails one.</summary>
    private static Candidate? Check(ImportUnitRow row, int line, Caller caller, Dictionary<string, int> firstLine, ImportUnitsResult result)
    {
        if (!OrgCode.TryParse(row.Code, out var code, out var error))
            return Reject(result, line, row.Code, "code", error);
        if (code.Level == OrgLevel.Unspecified)
            return Reject(result, line, row.Code, "code", "is the nation's code, not a unit's");
        var name = row.Name?.Trim() ?? "";
        if (name.Length is 0 or > UnitService.MaxNameLength)
            return Reject(result, line, row.Code, "name", $"must be 1 to {UnitService.MaxNameLength} characters");
        if (Violations.TextProblem(name, multiline: false) is { } problem) return Reject(result, line, row.Code, "name", problem);
        var derived = code.Parent?.Value ?? "";
        if (!string.IsNullOrEmpty(row.ParentCode) && row.ParentCode != derived)
            return Reject(result, line, row.Code, "parent_code", derived.Length == 0 ? "must be empty for a province" : $"must be {derived}, the parent the code names");
        if (!caller.Org.IsStrictAncestorOf(code) && caller.Role != Role.Service)
            return Reject(result, line, row.Code, "code", $"is outside the units {caller.Org} may register");
        if (!firstLine.TryAdd(code.Value, line))
            return Reject(result, line, row.Code, "code", $"repeats line {firstLine[code.Value]}");
        return new Candidate(line, code, new UnitRow
        {
            Code = code.Value, Name = name, Level = (int)code.Level, ParentCode = code.Parent?.Value, Status = (int)UnitStatus.Active,
        });
    }

    private static Candidate? Reject(ImportUnitsResult result, int line, string code, string field, string reason)
    {
        result.Errors.Add(new ImportRowError { Line = line, Code = code ?? "", Field = field, Reason = reason });
        return null;
    }
}
