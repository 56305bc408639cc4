using System.Text.Json;
using Rectify.Events.Assessment;
using Rectify.Events.Measures;
using Rectify.Measures.V1;
using Rectify.Notifications.Inbox;
using Rectify.Platform;
using Rectify.Platform.Messaging;
using Rectify.Platform.Outbox;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;
using static Rectify.Tests.Measures.MeasuresFixture;

namespace Rectify.Tests.Measures;

/// <summary>An earlier year entered as history is a record of what happened: its open measures are not chased, its designation is not news.</summary>
public abstract class HistoryTargetsSpec(DbProvider provider)
{
    [Fact]
    public async Task The_open_measures_of_an_earlier_year_entered_as_history_are_not_chased_while_this_years_are()
    {
        await using var host = await StartAsync(provider); // 2027-03-01; this year's targets designated
        var history = new TargetsDesignated(County, 2025, new DateOnly(2025, 12, 31), [new DesignatedTarget(TargetB1, "石门村", "盘古山镇")], host.Clock.GetUtcNow(), EnteredAsHistory: true);
        await host.PublishAsync(history);
        await Poll.Until(async () => await host.Get<Database<Rectify.Measures.MeasuresModule>>().ReadAsync(c =>
            c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM targets WHERE campaign_year = 2025")) is 1 ? true : throw new InvalidOperationException("not yet"));

        // The 2025 plan as the township wrote it then (every deadline long past), and this year's with a deadline today.
        var past = SimplePlan(TargetB1, new DateOnly(2025, 6, 30));
        past.CampaignYear = 2025;
        past.StartsOn = D(2025, 3, 1);
        past.Phases.Clear();
        past.Phases.Add(new Phase { Name = "集中整顿", EndsOn = D(2025, 12, 31) });
        await host.Measures(TownshipB).CreatePlanAsync(past);
        await host.Measures(TownshipA).CreatePlanAsync(SimplePlan(TargetA1, PlanStart));

        SetShanghai(host, new DateTime(2027, 4, 5, 7, 0, 0)); // 35 days after this year's deadline, years after the 2025 ones
        await host.Measures(County).RunDeadlineScanAsync(new RunDeadlineScanRequest());
        var overdue = (await Outbox(host, nameof(MeasureOverdue))).Select(json => JsonSerializer.Deserialize<MeasureOverdue>(json, EventTypes.Json)!).ToList();
        var escalated = (await Outbox(host, nameof(MeasureEscalated))).Select(json => JsonSerializer.Deserialize<MeasureEscalated>(json, EventTypes.Json)!).ToList();
        Assert.Equal(3, overdue.Count(e => e.Measure.VillageCode == TargetA1));
        Assert.Equal(3, escalated.Count(e => e.Measure.VillageCode == TargetA1));
        Assert.DoesNotContain(overdue, e => e.Measure.VillageCode == TargetB1);
        Assert.DoesNotContain(escalated, e => e.Measure.VillageCode == TargetB1);
    }

    [Fact]
    public void A_designation_entered_as_history_tells_no_township_while_this_years_does()
    {
        var targets = new[] { new DesignatedTarget(TargetA1, "上坪村", "铁山垅镇") };
        Assert.Single(Messages.Designated(new TargetsDesignated(County, 2027, CampaignEnd, targets, DateTimeOffset.UtcNow)));
        Assert.Empty(Messages.Designated(new TargetsDesignated(County, 2022, new DateOnly(2022, 12, 31), targets, DateTimeOffset.UtcNow, EnteredAsHistory: true)));
    }
}

public sealed class HistoryTargetsOnSqlite() : HistoryTargetsSpec(DbProvider.Sqlite);

public sealed class HistoryTargetsOnPostgres() : HistoryTargetsSpec(DbProvider.Postgres);
