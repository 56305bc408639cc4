namespace Rectify.Kernel;

/// <summary>
/// What a caller may do within its org unit's subtree. Least privilege: each role has only what its work needs.
/// </summary>
public enum Role
{
    /// <summary>Reads only (a dashboard, an inspector).</summary>
    Viewer,
    /// <summary>Reads and does the day-to-day writes: plans, progress, closing, reports, profiles (the unit's 党建办 clerk).</summary>
    Officer,
    /// <summary>An officer who also takes the decisions that need a reviewer: confirming targets, 验收, accepting or returning reports, 补报 exceptions.</summary>
    Reviewer,
    /// <summary>Manages accounts, machine clients and reference data in its subtree, and reads its security events; no ledger writes.</summary>
    Admin,
    /// <summary>Another Rectify service acting on the system's behalf.</summary>
    Service,
}
