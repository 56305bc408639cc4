using Rectify.Kernel;
using System.Text.Json;

namespace Rectify.Assessment.Campaigns;

/// <summary>A campaign as stored, with its branches.</summary>
public sealed class CampaignRow
{
    public string Id { get; set; } = "";
    public string CountyCode { get; set; } = "";
    public int Year { get; set; }
    public string Settings { get; set; } = "";
    public DateTime? ConfirmedAt { get; set; }
    /// <summary>An earlier year's campaign whose targets were recorded as history (RecordPastTargets), not identified here.</summary>
    public bool EnteredAsHistory { get; set; }

    public const string Columns = "id AS Id, county_code AS CountyCode, year AS Year, settings AS Settings, confirmed_at AS ConfirmedAt, entered_as_history AS EnteredAsHistory";

    public Settings Rules => JsonSerializer.Deserialize<Settings>(Settings)!;
    public bool Confirmed => ConfirmedAt is not null;
    /// <summary>The campaign as an id-based record of its county: outside the county's line it is NotFound.</summary>
    public Rectify.Platform.Identity.Owned Owned => new("campaign", Id, Rectify.Kernel.OrgCode.Parse(CountyCode));
}
