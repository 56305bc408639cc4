using System.Text.Json;

namespace Rectify.Assessment.Campaigns;

/// <summary>A row of assessments: one revision of a branch's evaluations and findings.</summary>
public sealed class AssessmentRow
{
    public string CampaignId { get; set; } = "";
    public string VillageCode { get; set; } = "";
    public int Revision { get; set; }
    public int Satisfied { get; set; }
    public int BasicallySatisfied { get; set; }
    public int Dissatisfied { get; set; }
    public int Ballots { get; set; }
    /// <summary>The four committee scores in hundredths of a point (see <see cref="Hundredths"/>).</summary>
    public int TeamOperation { get; set; }
    public int OrganizationalSystems { get; set; }
    public int CadreTeam { get; set; }
    public int VanguardRole { get; set; }
    /// <summary>JSON array of {Code, Note}.</summary>
    public string Findings { get; set; } = "[]";
    public string? CorrectionReason { get; set; }
    public string RecordedBy { get; set; } = "";
    public DateTime RecordedAt { get; set; }

    public sealed record FindingRecord(string Code, string Note);

    public IReadOnlyList<FindingRecord> FindingList => JsonSerializer.Deserialize<List<FindingRecord>>(Findings)!;
    public double SatisfactionRate => Ballots == 0 ? 0 : (double)(Satisfied + BasicallySatisfied) / Ballots;
    /// <summary>The mean of the four, divided once from their exact sum.</summary>
    public double CommitteeScore => (TeamOperation + OrganizationalSystems + CadreTeam + VanguardRole) / 400.0;
}
