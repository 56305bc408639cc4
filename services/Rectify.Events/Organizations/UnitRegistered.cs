namespace Rectify.Events.Organizations;

/// <summary>A unit joined the tree. Level travels as its number (1 province … 5 village), as in the proto's OrgLevel.</summary>
public sealed record UnitRegistered(string Code, string Name, OrgLevel Level, string? ParentCode, DateTimeOffset OccurredAt) : IIntegrationEvent;
