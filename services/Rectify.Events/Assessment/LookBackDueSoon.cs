namespace Rectify.Events.Assessment;

/// <summary>
/// A transformed target's next look-back (回头看, the Ordinal-th after its acceptance on AcceptedOn) falls due on DueOn,
/// DaysLeft (7, 3 or 1) days after ScanDate. Told to the township and the county.
/// </summary>
public sealed record LookBackDueSoon(
    string CampaignId,
    string CountyCode,
    int CampaignYear,
    string VillageCode,
    string VillageName,
    string TownshipCode,
    string TownshipName,
    int Ordinal,
    DateOnly AcceptedOn,
    DateOnly DueOn,
    int DaysLeft,
    DateOnly ScanDate,
    string OccurrenceKey,
    DateTimeOffset OccurredAt) : IIntegrationEvent;
