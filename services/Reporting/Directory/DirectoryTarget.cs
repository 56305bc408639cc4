namespace Rectify.Reporting.Directory;

/// <summary>A designated target as the reporting service knows it.</summary>
public sealed class DirectoryTarget
{
    public string VillageCode { get; set; } = "";
    public int CampaignYear { get; set; }
    public string VillageName { get; set; } = "";
    public string TownshipCode { get; set; } = "";
    public string TownshipName { get; set; } = "";
    public string CountyCode { get; set; } = "";
    public DateOnly DesignatedOn { get; set; }
}
