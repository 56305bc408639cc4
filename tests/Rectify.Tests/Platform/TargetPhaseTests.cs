using Rectify.Events.Measures;
using Rectify.Platform;

namespace Rectify.Tests.Platform;

/// <summary>The one phase rule the measures service and the gateway share, at each of its boundaries.</summary>
public sealed class TargetPhaseTests
{
    // Seed 001's phases: 集中整顿 to the end of September, 自查评估 to mid-October, 巩固提高 to the end of October.
    private static readonly PlanPhase[] Phases =
    [
        new("集中整顿", new DateOnly(2027, 9, 30)), new("自查评估", new DateOnly(2027, 10, 15)), new("巩固提高", new DateOnly(2027, 10, 31)),
    ];
    private static readonly DateOnly Start = new(2027, 4, 1), CampaignEnd = new(2027, 12, 31);

    private static string At(int month, int day) => TargetPhase.At(Phases, Start, CampaignEnd, new DateOnly(2027, month, day)).Name;

    [Fact]
    public void A_target_phase_runs_to_its_end_date_included_and_the_next_begins_the_day_after()
    {
        Assert.Equal("集中整顿", At(4, 1));
        Assert.Equal("集中整顿", At(9, 30));
        Assert.Equal("自查评估", At(10, 1));
        Assert.Equal("自查评估", At(10, 15));
        Assert.Equal("巩固提高", At(10, 16));
        Assert.Equal("巩固提高", At(10, 31));
        Assert.Equal(3, TargetPhase.At(Phases, Start, CampaignEnd, new DateOnly(2027, 10, 31)).PhaseNumber);
    }

    [Fact]
    public void Before_the_plan_starts_a_target_has_not_started()
    {
        Assert.Equal(TargetPhase.NotStartedName, At(3, 31));
        Assert.Equal(TargetStage.NotStarted, TargetPhase.At(Phases, Start, CampaignEnd, new DateOnly(2027, 3, 31)).Stage);
        // A plan announced before events carried its start: the first phase from the designation on.
        Assert.Equal("集中整顿", TargetPhase.At(Phases, null, CampaignEnd, new DateOnly(2027, 3, 31)).Name);
    }

    [Fact]
    public void After_the_last_phase_a_target_awaits_acceptance_until_the_campaign_ends_and_only_then_is_its_period_over()
    {
        Assert.Equal(TargetPhase.AwaitingAcceptanceName, At(11, 1));
        Assert.Equal(TargetPhase.AwaitingAcceptanceName, At(12, 31));
        var after = TargetPhase.At(Phases, Start, CampaignEnd, new DateOnly(2028, 1, 1));
        Assert.Equal((TargetStage.CampaignOver, "整顿期满"), (after.Stage, after.Name));
        // A campaign ending in the next year keeps the period running into it.
        Assert.Equal(TargetPhase.AwaitingAcceptanceName, TargetPhase.At(Phases, Start, new DateOnly(2028, 3, 31), new DateOnly(2028, 1, 1)).Name);
    }

    [Fact]
    public void A_target_without_a_plan_has_no_plan_whatever_the_date()
    {
        foreach (var date in new[] { new DateOnly(2027, 3, 1), new DateOnly(2027, 11, 1), new DateOnly(2028, 1, 1) })
        {
            Assert.Equal((TargetStage.NoPlan, "未制定方案"), (TargetPhase.At(null, null, CampaignEnd, date).Stage, TargetPhase.At([], Start, CampaignEnd, date).Name));
        }
    }
}
