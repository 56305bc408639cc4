using Rectify.Kernel;
namespace Rectify.Platform.Identity;

/// <summary>A record found by its id, with the unit that owns it: what an id-based check needs.</summary>
public readonly record struct Owned(string Resource, string Id, OrgCode Owner);
