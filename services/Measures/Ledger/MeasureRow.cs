using Rectify.Events.Measures;
using Rectify.Kernel;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Storage;
using MeasureStatus = Rectify.Measures.V1.MeasureStatus;

namespace Rectify.Measures.Ledger;

/// <summary>A row of the measures table: one line of the ledger.</summary>
public sealed class MeasureRow
{
    public string Id { get; set; } = "";
    public string PlanId { get; set; } = "";
    public string ProblemId { get; set; } = "";
    public int Position { get; set; }
    public string VillageCode { get; set; } = "";
    public string VillageName { get; set; } = "";
    public int CampaignYear { get; set; }
    public string CategoryCode { get; set; } = "";
    public string Description { get; set; } = "";
    /// <summary>Stored as "|张三|李四|" so a person can be matched exactly with LIKE '%|张三|%'.</summary>
    public string ResponsiblePersons { get; set; } = "";
    public DateOnly Deadline { get; set; }
    public bool Ongoing { get; set; }
    public int Status { get; set; }
    public int Percent { get; set; }
    public int ReopenCount { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    /// <summary>1 at creation, +1 with every change; its events carry it.</summary>
    public long Version { get; set; }

    // "percent" and its alias quoted wherever SQL names them: PERCENT is a reserved word in T-SQL (TOP n PERCENT).
    public const string Columns = """
        id AS Id, plan_id AS PlanId, problem_id AS ProblemId, position AS Position, village_code AS VillageCode,
        village_name AS VillageName, campaign_year AS CampaignYear, category_code AS CategoryCode, description AS Description,
        responsible_persons AS ResponsiblePersons, deadline AS Deadline, ongoing AS Ongoing, status AS Status, "percent" AS "Percent",
        reopen_count AS ReopenCount, created_at AS CreatedAt, updated_at AS UpdatedAt, version AS Version
        """;

    public MeasureStatus State => (MeasureStatus)Status;

    public IReadOnlyList<string> Persons => ResponsiblePersonList.Split(ResponsiblePersons);

    public MeasureSnapshot Snapshot() => new(Id, PlanId, VillageCode, VillageName, CampaignYear, CategoryCode, Description,
        Persons, Deadline, Ongoing, State.ToEvent(), Version);

    public Measure ToProto(DateOnly today)
    {
        var measure = new Measure
        {
            Id = Id, PlanId = PlanId, ProblemId = ProblemId, VillageCode = VillageCode, VillageName = VillageName,
            CategoryCode = CategoryCode, Description = Description, Deadline = Deadline.ToProto(), Ongoing = Ongoing,
            Status = State, Percent = Percent, ReopenCount = ReopenCount,
            Overdue = MeasureRules.IsOverdue(State, Deadline, today),
            DaysOverdue = MeasureRules.DaysOverdue(State, Deadline, today),
            UpdatedAt = new DateTimeOffset(UpdatedAt.AsUtc()).ToProto(),
        };
        measure.ResponsiblePersons.AddRange(Persons);
        return measure;
    }
}
