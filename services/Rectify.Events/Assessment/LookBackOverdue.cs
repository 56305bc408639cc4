namespace Rectify.Events.Assessment;

/// <summary>
/// A transformed target's next look-back (回头看) was due on DueOn and is not held: DaysOverdue days after it on ScanDate
/// (the day after, then every 7 days; at once when first seen later). Told to the township and the county.
/// </summary>
public sealed record LookBackOverdue(
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
    int DaysOverdue,
    DateOnly ScanDate,
    string OccurrenceKey,
    DateTimeOffset OccurredAt) : IIntegrationEvent;
