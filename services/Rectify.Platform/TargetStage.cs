namespace Rectify.Platform;

/// <summary>Where a target stands in its campaign on a date.</summary>
public enum TargetStage
{
    /// <summary>No plan yet (未制定方案).</summary>
    NoPlan = 0,
    /// <summary>Designated, its plan not started yet (未开始).</summary>
    NotStarted = 1,
    /// <summary>In one of its plan's phases (集中整顿, 自查评估, 巩固提高 …).</summary>
    InPhase = 2,
    /// <summary>Past its plan's last phase while the campaign still runs: awaiting acceptance (待验收).</summary>
    AwaitingAcceptance = 3,
    /// <summary>The campaign is over (整顿期满).</summary>
    CampaignOver = 4,
}
