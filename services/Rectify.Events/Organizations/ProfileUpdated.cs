namespace Rectify.Events.Organizations;

/// <summary>A village's Party organization profile for a year was set.</summary>
public sealed record ProfileUpdated(string VillageCode, int Year, DateTimeOffset OccurredAt) : IIntegrationEvent;
