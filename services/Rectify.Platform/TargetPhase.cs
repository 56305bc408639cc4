using Rectify.Events.Measures;

namespace Rectify.Platform;

/// <summary>
/// The one rule for a target's phase, shared by the measures service (ledger counts) and the gateway (progress):
/// from the plan's phases, the plan's start and the campaign's end. A phase runs from the day after the previous
/// phase's end (the plan's start for the first) to its own end date, both included. After the last phase and up to
/// the campaign's end (31 December by default) the target awaits acceptance; only after the campaign's end is its
/// rectification period over (整顿期满). Without a plan it is 未制定方案 whatever the date.
/// </summary>
public sealed record TargetPhase(TargetStage Stage, string Name, int PhaseNumber)
{
    public const string NoPlanName = "未制定方案";
    public const string NotStartedName = "未开始";
    public const string AwaitingAcceptanceName = "待验收";
    public const string CampaignOverName = "整顿期满";

    public static readonly TargetPhase NoPlan = new(TargetStage.NoPlan, NoPlanName, 0);

    /// <summary>
    /// The target's phase on a date. phases: the plan's, in order (null or empty: no plan); planStartsOn: null when
    /// unknown (a plan announced before events carried it), then the first phase runs from the designation.
    /// </summary>
    public static TargetPhase At(IReadOnlyList<PlanPhase>? phases, DateOnly? planStartsOn, DateOnly campaignEndsOn, DateOnly date)
    {
        if (phases is null || phases.Count == 0) return NoPlan;
        if (date > campaignEndsOn) return new(TargetStage.CampaignOver, CampaignOverName, 0);
        if (planStartsOn is { } start && date < start) return new(TargetStage.NotStarted, NotStartedName, 0);
        for (var i = 0; i < phases.Count; i++)
            if (date <= phases[i].EndsOn) return new(TargetStage.InPhase, phases[i].Name, i + 1);
        return new(TargetStage.AwaitingAcceptance, AwaitingAcceptanceName, 0);
    }

    /// <summary>The campaign's end when a record does not carry it: 31 December of the campaign year (the default).</summary>
    public static DateOnly DefaultCampaignEnd(int campaignYear) => new(campaignYear, 12, 31);
}
