using Dapper;
using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Organizations.Units;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;

namespace Rectify.Organizations.Assignments;

/// <summary>
/// Who is assigned to help a village in a campaign year (四个一). Under 四不撤
/// the leaders, the first secretary, the paired department and the work team
/// stay until the year's end, whatever happens to the target meanwhile.
/// </summary>
public sealed class AssignmentService(UnitStore units, TimeProvider clock)
{
    private static readonly HashSet<AssignmentKind> Locked =
    [
        AssignmentKind.CountyLeader, AssignmentKind.TownshipLeader, AssignmentKind.FirstSecretary,
        AssignmentKind.PairedDepartment, AssignmentKind.WorkTeam,
    ];

    private const string Columns = """
        id AS Id, village_code AS VillageCode, year AS Year, kind AS Kind, assignee AS Assignee, position AS Position,
        phone AS Phone, assigned_on AS AssignedOn, removed_on AS RemovedOn, removal_reason AS RemovalReason
        """;

    /// <summary>True while the year is not over in Shanghai.</summary>
    public static bool IsLocked(AssignmentKind kind, int year, DateOnly today) => Locked.Contains(kind) && today <= new DateOnly(year, 12, 31);

    public async Task<ListAssignmentsResponse> ListAsync(Caller caller, ListAssignmentsRequest request, CancellationToken ct)
    {
        var list = ListAssignmentsInput.Parse(request);
        caller.EnsureCanRead(list.Village);
        var rows = await units.Database.ReadAsync(async c => (await c.QueryAsync<AssignmentRow>($"""
            SELECT {Columns} FROM assignments
            WHERE village_code = @code AND year = @year AND (@includeRemoved = 1 OR removed_on IS NULL)
            ORDER BY kind, assigned_on, id
            """, new { code = list.Village, year = list.Year, includeRemoved = list.IncludeRemoved ? 1 : 0 })).ToList(), ct);
        var today = clock.Today();
        var response = new ListAssignmentsResponse();
        response.Assignments.AddRange(rows.Select(r => r.ToProto(today)));
        return response;
    }

    public async Task<Assignment> AddAsync(Caller caller, AddAssignmentRequest request, CancellationToken ct)
    {
        var today = clock.Today();
        var add = AddAssignmentInput.Parse(request, today);
        caller.EnsureCanManage(add.Village, "assign people to it");

        var row = new AssignmentRow
        {
            Id = Guid.NewGuid().ToString(), VillageCode = add.Village.Value, Year = add.Year, Kind = (int)add.Kind,
            Assignee = add.Assignee, Position = add.Position, Phone = add.Phone, AssignedOn = add.AssignedOn,
        };
        await units.Database.WriteAsync(async session =>
        {
            var village = await units.FindAsync(session, row.VillageCode) ?? throw new NotFoundException("unit", row.VillageCode);
            if (!village.IsActive) throw new PreconditionFailedException("UNIT_NOT_ACTIVE", village.Code, $"{village.Code} {village.Name} is closed or merged.");
            await Insert(session, [row], caller);
        }, ct);
        return row.ToProto(today);
    }

    /// <summary>Writes new assignments; callers have validated them and their right to assign.</summary>
    internal static Task Insert(DbSession session, IReadOnlyCollection<AssignmentRow> rows, Caller caller) =>
        session.ExecuteAsync("""
            INSERT INTO assignments (id, village_code, year, kind, assignee, position, phone, assigned_on, assigned_by)
            VALUES (@Id, @VillageCode, @Year, @Kind, @Assignee, @Position, @Phone, @AssignedOn, @AssignedBy)
            """, rows.Select(row => new { row.Id, row.VillageCode, row.Year, row.Kind, row.Assignee, row.Position, row.Phone, row.AssignedOn, AssignedBy = caller.Subject }).ToList());

    /// <summary>The assignments of these villages in a year, current ones only (one query for an import).</summary>
    internal static async Task<List<AssignmentRow>> CurrentAsync(DbSession session, IReadOnlyCollection<string> villages, int year)
    {
        var found = new List<AssignmentRow>();
        foreach (var chunk in villages.Distinct().Chunk(1000))
            found.AddRange(await session.QueryAsync<AssignmentRow>(
                $"SELECT {Columns} FROM assignments WHERE year = @year AND removed_on IS NULL AND {session.Sql.InList("village_code", "@chunk")}", new { year, chunk }));
        return found;
    }

    public async Task<Assignment> RemoveAsync(Caller caller, RemoveAssignmentRequest request, CancellationToken ct)
    {
        var (id, reason) = RemoveAssignmentInput.Parse(request);
        var today = clock.Today();
        return await units.Database.WriteAsync(async session =>
        {
            var row = await session.QuerySingleOrDefaultAsync<AssignmentRow>($"SELECT {Columns} FROM assignments WHERE id = @id", new { id })
                ?? throw new NotFoundException("assignment", id);
            caller.EnsureCanManage(new Owned("assignment", id, OrgCode.Parse(row.VillageCode)), "withdraw its assignments");
            if (row.RemovedOn is not null)
                throw new PreconditionFailedException("ALREADY_REMOVED", row.Id, $"The assignment was removed on {row.RemovedOn:yyyy-MM-dd}.");
            if (IsLocked((AssignmentKind)row.Kind, row.Year, today))
                throw new PreconditionFailedException("FOUR_NOT_WITHDRAWN", row.Id,
                    $"四不撤: a {(AssignmentKind)row.Kind} assignment for {row.Year} stays until {row.Year}-12-31.");
            await session.ExecuteAsync(
                "UPDATE assignments SET removed_on = @today, removed_by = @by, removal_reason = @reason WHERE id = @id",
                new { today, by = caller.Subject, reason, id = row.Id });
            row.RemovedOn = today;
            row.RemovalReason = reason;
            return row.ToProto(today);
        }, ct);
    }
}

/// <summary>A row of the assignments table.</summary>
public sealed class AssignmentRow
{
    public string Id { get; set; } = "";
    public string VillageCode { get; set; } = "";
    public int Year { get; set; }
    public int Kind { get; set; }
    public string Assignee { get; set; } = "";
    public string? Position { get; set; }
    public string? Phone { get; set; }
    public DateOnly AssignedOn { get; set; }
    public DateOnly? RemovedOn { get; set; }
    public string? RemovalReason { get; set; }

    public Assignment ToProto(DateOnly today) => new()
    {
        Id = Id, VillageCode = VillageCode, Year = Year, Kind = (AssignmentKind)Kind, Assignee = Assignee,
        Position = Position ?? "", Phone = Phone ?? "", AssignedOn = AssignedOn.ToProto(), RemovedOn = RemovedOn?.ToProto(),
        RemovalReason = RemovalReason ?? "",
        Locked = RemovedOn is null && AssignmentService.IsLocked((AssignmentKind)Kind, Year, today),
    };
}
