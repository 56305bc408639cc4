using Rectify.Common.V1;
using Rectify.Events.Organizations;
using Rectify.Kernel;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;
using Rectify.Platform.Outbox;
using Rectify.Platform.Storage;
using OrgLevel = Rectify.Common.V1.OrgLevel;

namespace Rectify.Organizations.Units;

/// <summary>The rules of the unit tree: registration, renaming, closing, merging and reading.</summary>
public sealed class UnitService(UnitStore store, TimeProvider clock)
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;
    public const int MaxNameLength = 100;

    public async Task<Unit> GetAsync(Caller caller, GetUnitRequest request, CancellationToken ct)
    {
        var code = UnitKey.Parse(request).Code;
        caller.EnsureCanRead(code);
        return ToProto(Existing(await store.FindAsync(code.Value, ct), code));
    }

    public async Task<ListUnitsResponse> ChildrenAsync(Caller caller, ListChildrenRequest request, CancellationToken ct)
    {
        var children = ListChildrenInput.Parse(request);
        caller.EnsureCanRead(children.Code);
        await EnsureExistsAsync(children.Code, ct);
        var response = new ListUnitsResponse { Page = new PageResponse() };
        response.Units.AddRange((await store.ChildrenAsync(children.Code, children.IncludeClosed, ct)).Select(ToProto));
        return response;
    }

    public async Task<ListUnitsResponse> SubtreeAsync(Caller caller, ListSubtreeRequest request, CancellationToken ct)
    {
        var subtree = ListSubtreeInput.Parse(request);
        caller.EnsureCanRead(subtree.Code);
        await EnsureExistsAsync(subtree.Code, ct);
        var rows = await store.SubtreeAsync(subtree.Code, subtree.Page.After, subtree.IncludeClosed, subtree.Level, subtree.Page.Size, ct);
        return PageOf(rows, subtree.Page.Size);
    }

    public async Task StreamSubtreeAsync(Caller caller, StreamSubtreeRequest request, Func<Unit, Task> write, CancellationToken ct)
    {
        var subtree = StreamSubtreeInput.Parse(request);
        caller.EnsureCanRead(subtree.Code);
        await EnsureExistsAsync(subtree.Code, ct);
        string? after = null;
        while (true)
        {
            var rows = await store.SubtreeAsync(subtree.Code, after, subtree.IncludeClosed, subtree.Level, MaxPageSize, ct);
            foreach (var row in rows) await write(ToProto(row));
            if (rows.Count < MaxPageSize) return;
            after = rows[^1].Code;
        }
    }

    public async Task<ListUnitsResponse> SearchAsync(Caller caller, SearchUnitsRequest request, CancellationToken ct)
    {
        var search = SearchUnitsInput.Parse(request, caller.Org);
        caller.EnsureCanRead(search.Within);
        var rows = await store.SearchAsync(search.Within, search.Query, search.Page.After, search.IncludeClosed, search.Level, search.Page.Size, ct);
        return PageOf(rows, search.Page.Size);
    }

    public async Task<Unit> RegisterAsync(Caller caller, RegisterUnitRequest request, CancellationToken ct)
    {
        var register = RegisterUnitInput.Parse(request);
        caller.EnsureCanManage(register.Code);

        var unit = new UnitRow { Code = register.Code.Value, Name = register.Name, Level = (int)register.Code.Level, ParentCode = register.Code.Parent?.Value, Status = (int)UnitStatus.Active };
        var now = clock.GetUtcNow();
        await store.Database.WriteAsync(async session =>
        {
            if (await store.FindAsync(session, unit.Code) is not null) throw new AlreadyExistsException("unit", unit.Code);
            if (unit.ParentCode is { } parentCode)
            {
                var parent = await store.FindAsync(session, parentCode);
                if (parent is null) throw new PreconditionFailedException("PARENT_NOT_REGISTERED", parentCode, $"The parent {parentCode} of {unit.Code} is not registered.");
                if (!parent.IsActive) throw new PreconditionFailedException("PARENT_NOT_ACTIVE", parentCode, $"The parent {parentCode} of {unit.Code} is closed or merged.");
            }
            await Register(session, [unit], caller, now);
        }, ct);
        return ToProto(unit);
    }

    /// <summary>Writes new units with their history rows and events; callers have validated them.</summary>
    internal static async Task Register(DbSession session, IReadOnlyCollection<UnitRow> units, Caller caller, DateTimeOffset now)
    {
        await UnitStore.InsertAsync(session, units, now.UtcDateTime);
        await UnitStore.RecordAsync(session, units.Select(u => new UnitChangeRow
        {
            Code = u.Code, Kind = (int)UnitChangeKind.Registered, NewName = u.Name, RecordedBy = caller.Subject, RecordedAt = now.UtcDateTime,
        }).ToList());
        await session.PublishAllAsync(units.Select(u => new UnitRegistered(u.Code, u.Name, ((OrgLevel)u.Level).ToEvent(), u.ParentCode, now)).ToList());
    }

    public async Task<Unit> RenameAsync(Caller caller, RenameUnitRequest request, CancellationToken ct)
    {
        var (code, name, effectiveOn, reason) = RenameUnitInput.Parse(request, clock.Today());
        caller.EnsureCanManage(code);

        var now = clock.GetUtcNow();
        return await store.Database.WriteAsync(async session =>
        {
            var unit = await Active(session, code);
            if (unit.Name == name) throw ValidationException.For("new_name", "is already the unit's name");
            await Rename(session, unit, name, effectiveOn, reason, caller, now);
            return ToProto(unit);
        }, ct);
    }

    /// <summary>Renames a unit with its history row and event; callers have validated the name and their right.</summary>
    internal static async Task Rename(DbSession session, UnitRow unit, string name, DateOnly effectiveOn, string? reason, Caller caller, DateTimeOffset now)
    {
        await UnitStore.RenameAsync(session, unit.Code, name);
        await UnitStore.RecordAsync(session, [new UnitChangeRow
        {
            Code = unit.Code, Kind = (int)UnitChangeKind.Renamed, OldName = unit.Name, NewName = name, EffectiveOn = effectiveOn,
            Reason = reason, RecordedBy = caller.Subject, RecordedAt = now.UtcDateTime,
        }]);
        await session.PublishAsync(new UnitRenamed(unit.Code, unit.Name, name, effectiveOn, now));
        unit.Name = name;
    }

    public async Task<Unit> CloseAsync(Caller caller, CloseUnitRequest request, CancellationToken ct)
    {
        var (code, closedOn, reason) = CloseUnitInput.Parse(request);
        caller.EnsureCanManage(code);

        var now = clock.GetUtcNow();
        return await store.Database.WriteAsync(async session =>
        {
            var unit = await Active(session, code);
            await EnsureNoOpenChildren(session, unit.Code);
            await UnitStore.EndAsync(session, unit.Code, UnitStatus.Closed, closedOn, null);
            await UnitStore.RecordAsync(session, [new UnitChangeRow
            {
                Code = unit.Code, Kind = (int)UnitChangeKind.Closed, OldName = unit.Name, EffectiveOn = closedOn,
                Reason = reason, RecordedBy = caller.Subject, RecordedAt = now.UtcDateTime,
            }]);
            await session.PublishAsync(new UnitClosed(unit.Code, closedOn, reason, now));
            unit.Status = (int)UnitStatus.Closed;
            unit.ClosedOn = closedOn;
            return ToProto(unit);
        }, ct);
    }

    public async Task<Unit> MergeAsync(Caller caller, MergeUnitRequest request, CancellationToken ct)
    {
        var (code, into, effectiveOn, reason) = MergeUnitInput.Parse(request);
        caller.EnsureCanManage(code);
        caller.EnsureCanManage(into);

        var now = clock.GetUtcNow();
        return await store.Database.WriteAsync(async session =>
        {
            var source = await Active(session, code);
            var target = await Active(session, into);
            if (source.Level != target.Level)
                throw new PreconditionFailedException("LEVEL_MISMATCH", target.Code, $"{source.Code} and {target.Code} are not of the same level.");
            // Descendants' codes carry their parent's prefix, so they cannot move: they are closed or merged first.
            await EnsureNoOpenChildren(session, source.Code);
            await UnitStore.EndAsync(session, source.Code, UnitStatus.Merged, effectiveOn, target.Code);
            await UnitStore.RecordAsync(session, [
                new UnitChangeRow { Code = source.Code, Kind = (int)UnitChangeKind.MergedAway, OldName = source.Name, RelatedCode = target.Code, EffectiveOn = effectiveOn, Reason = reason, RecordedBy = caller.Subject, RecordedAt = now.UtcDateTime },
                new UnitChangeRow { Code = target.Code, Kind = (int)UnitChangeKind.Absorbed, OldName = source.Name, RelatedCode = source.Code, EffectiveOn = effectiveOn, Reason = reason, RecordedBy = caller.Subject, RecordedAt = now.UtcDateTime },
            ]);
            await session.PublishAsync(new UnitMerged(source.Code, target.Code, effectiveOn, now));
            source.Status = (int)UnitStatus.Merged;
            source.ClosedOn = effectiveOn;
            source.MergedInto = target.Code;
            return ToProto(source);
        }, ct);
    }

    public async Task<GetUnitHistoryResponse> HistoryAsync(Caller caller, GetUnitHistoryRequest request, CancellationToken ct)
    {
        var code = UnitKey.Parse(request).Code;
        caller.EnsureCanRead(code);
        Existing(await store.FindAsync(code.Value, ct), code);
        var response = new GetUnitHistoryResponse();
        response.Changes.AddRange((await store.HistoryAsync(code.Value, ct)).Select(c => new UnitChange
        {
            Kind = (UnitChangeKind)c.Kind,
            OldName = c.OldName ?? "",
            NewName = c.NewName ?? "",
            RelatedCode = c.RelatedCode ?? "",
            EffectiveOn = c.EffectiveOn?.ToProto(),
            Reason = c.Reason ?? "",
            RecordedBy = c.RecordedBy,
            RecordedAt = new DateTimeOffset(c.RecordedAt.AsUtc()).ToProto(),
        }));
        return response;
    }

    /// <summary>A unit to read below must exist; the nation, the root above the provinces, always does.</summary>
    private async Task EnsureExistsAsync(OrgCode code, CancellationToken ct)
    {
        if (!code.IsNation) Existing(await store.FindAsync(code.Value, ct), code);
    }

    private static UnitRow Existing(UnitRow? row, OrgCode code) => row ?? throw new NotFoundException("unit", code.Value);

    private async Task<UnitRow> Active(DbSession session, OrgCode code)
    {
        var unit = await store.FindAsync(session, code.Value) ?? throw new NotFoundException("unit", code.Value);
        if (!unit.IsActive) throw new PreconditionFailedException("UNIT_NOT_ACTIVE", unit.Code, $"{unit.Code} {unit.Name} is closed or merged.");
        return unit;
    }

    private static async Task EnsureNoOpenChildren(DbSession session, string code)
    {
        if (await UnitStore.HasActiveChildrenAsync(session, code))
            throw new PreconditionFailedException("HAS_OPEN_CHILDREN", code, $"{code} still has open units below it; close or merge them first.");
    }

    private static ListUnitsResponse PageOf(List<UnitRow> rows, int size)
    {
        var response = new ListUnitsResponse { Page = new PageResponse { NextPageToken = rows.Count == size ? rows[^1].Code : "" } };
        response.Units.AddRange(rows.Select(ToProto));
        return response;
    }

    internal static Unit ToProto(UnitRow row) => new()
    {
        Code = row.Code,
        Name = row.Name,
        Level = (OrgLevel)row.Level,
        ParentCode = row.ParentCode ?? "",
        Status = (UnitStatus)row.Status,
        ClosedOn = row.ClosedOn?.ToProto(),
        MergedInto = row.MergedInto ?? "",
    };
}
