using Rectify.Assessment.Acceptance;
using Rectify.Assessment.Campaigns;
using Rectify.Assessment.Identification;
using Rectify.Assessment.V1;
using Rectify.Platform.Errors;

namespace Rectify.Tests.Assessment;

/// <summary>The pure rules: quota rounding and the acceptance verdict at their edges.</summary>
public sealed class RankingRulesTests
{
    private static Settings Defaults() => Settings.From(null, 2027, new Violations());

    [Theory]
    [InlineData(10, 0.1, 1)]
    [InlineData(11, 0.1, 2)]
    [InlineData(20, 0.1, 2)]
    [InlineData(30, 0.1, 3)]
    [InlineData(1, 0.1, 1)]
    [InlineData(7, 1.0, 7)]
    [InlineData(9, 0.15, 2)]
    public void The_quota_is_a_share_of_the_townships_branches_rounded_up(int branches, double quota, int proposed) =>
        Assert.Equal(proposed, Ranker.QuotaOf(branches, quota));

    [Theory]
    [InlineData(69.99, 0, 100, false)]
    [InlineData(70, 0, 100, true)]
    [InlineData(95, 500, 1000, true)]   // exactly half dissatisfied: not more than half
    [InlineData(95, 501, 1000, false)]  // 50.1%: fails outright, whatever the score
    public void Acceptance_passes_at_70_and_fails_outright_above_half_dissatisfied(double score, int dissatisfied, int ballots, bool passed)
    {
        var votes = new Votes { Satisfied = ballots - dissatisfied, Dissatisfied = dissatisfied, Ballots = ballots };
        Assert.Equal(passed, AcceptanceService.Judge([Hundredths.From(score)!.Value], votes, Defaults()).Passed);
    }

    [Fact]
    public void Settings_refuse_weights_that_do_not_sum_to_one_and_quotas_outside_zero_to_one()
    {
        var v = new Violations();
        Settings.From(new CampaignSettings { SatisfactionWeight = 0.6, CommitteeWeight = 0.5, Quota = 0 }, 2027, v);
        var e = Assert.Throws<ValidationException>(v.ThrowIfAny);
        Assert.Equal(["settings.committee_weight", "settings.quota"], e.Violations.Select(x => x.Field).Order());
        var ok = new Violations();
        var settings = Settings.From(new CampaignSettings { SatisfactionWeight = 0.4 }, 2027, ok);
        Assert.False(ok.Any);
        Assert.Equal((0.4, 0.6, 0.1, 70.0, new DateOnly(2027, 12, 31)), (settings.SatisfactionWeight, settings.CommitteeWeight, settings.Quota, settings.PassScore, settings.EndsOn));
    }
}
