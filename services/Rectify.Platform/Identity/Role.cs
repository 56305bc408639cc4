namespace Rectify.Platform.Identity;

/// <summary>What a caller may do within its org unit's subtree.</summary>
public enum Role
{
    /// <summary>Reads only (a dashboard, an inspector).</summary>
    Viewer,
    /// <summary>Reads and writes: the org department or Party-building office of the unit.</summary>
    Officer,
    /// <summary>Another Rectify service acting on the system's behalf.</summary>
    Service,
}
