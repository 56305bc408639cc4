using Dapper;
using Grpc.Core;
using Rectify.Common.V1;
using Rectify.Measures.V1;
using Rectify.Platform.Storage;
using Rectify.Reporting;
using Rectify.Reporting.Reports;
using Rectify.Reporting.V1;
using Rectify.Tests.Support;
using static Rectify.Tests.Measures.MeasuresFixture;

namespace Rectify.Tests.Reporting;

/// <summary>
/// The integer inputs the specs carry at their edges, through gRPC on SQLite and PostgreSQL: a measure's progress (0 and
/// 100 taken, −1 and 101 refused) and a report's indicators (0 taken, negative refused, and no value so large that the
/// township's or the county's totals would wrap around).
/// </summary>
public abstract class NumericEdgesSpec(DbProvider provider) : IAsyncLifetime
{
    private TestHost _host = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await TestHost.StartAsync(provider,
            [new Rectify.Organizations.OrganizationsModule(), new Rectify.Measures.MeasuresModule(), new ReportingModule()],
            new Dictionary<string, string?> { ["Rectify:Measures:ScheduleScans"] = "false", ["Rectify:Reporting:ScheduleScans"] = "false" });
        SetShanghai(_host, new DateTime(2027, 3, 1, 10, 0, 0));
        await DesignateAsync(_host, (TargetA1, "上坪村", "铁山垅镇"), (TargetA2, "黄屋村", "铁山垅镇"));
        var database = _host.Get<Database<ReportingModule>>();
        await Poll.Until(async () => await database.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM directory_targets")) == 2
            ? true : throw new InvalidOperationException("the targets have not reached reporting"));
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Progress_of_0_and_100_is_recorded_and_outside_0_to_100_is_refused_on_its_field()
    {
        var plan = await _host.Measures(TownshipA).CreatePlanAsync(SimplePlan(TargetA1));
        var measure = plan.Problems[0].Measures[0].Id;
        var village = _host.Measures(TargetA1);
        foreach (var bad in new[] { -1, 101, int.MinValue, int.MaxValue })
            Assert.Equal(["percent"], (await Rpc.Refused(StatusCode.InvalidArgument, () => village.RecordProgressAsync(new RecordProgressRequest { MeasureId = measure, Percent = bad }))).Fields());
        foreach (var percent in new[] { 0, 100 })
        {
            await village.RecordProgressAsync(new RecordProgressRequest { MeasureId = measure, Percent = percent });
            Assert.Equal(percent, (await village.GetMeasureAsync(new GetMeasureRequest { MeasureId = measure })).Measure.Percent);
        }
    }

    private static PushReportRequest Push(string id, params Indicators[] indicators)
    {
        var request = new PushReportRequest { ClientRequestId = id, TownshipCode = TownshipA, Period = new Period { Year = 2027, Month = 3 }, Submit = false };
        var villages = new[] { TargetA1, TargetA2 };
        for (var i = 0; i < indicators.Length; i++)
            request.Villages.Add(new VillageEntry { VillageCode = villages[i], WorkDone = "召开支委会", NextMonthPlan = "完成产业路硬化", Indicators = indicators[i] });
        return request;
    }

    [Fact]
    public async Task Indicators_of_0_and_the_largest_allowed_add_up_exactly_and_larger_or_negative_ones_are_refused()
    {
        SetShanghai(_host, new DateTime(2027, 3, 20, 9, 0, 0));
        var township = _host.Reporting(TownshipA);
        Indicators All(int count, long yuan) => new()
        {
            MeetingsHeld = count, Trainings = count, MembersDeveloped = count, ServicesForPeople = count, DisputesMediated = count, CollectiveIncomeToDateYuan = yuan,
        };
        var zero = await township.PushReportAsync(Push("zero", All(0, 0), All(0, 0)));
        Assert.Equal(new Indicators(), zero.Totals);

        var largest = await township.PushReportAsync(Push("largest", All(PushReportInput.MaxCount, PushReportInput.MaxYuan), All(PushReportInput.MaxCount, PushReportInput.MaxYuan)));
        Assert.Equal(All(2 * PushReportInput.MaxCount, 2 * PushReportInput.MaxYuan), largest.Totals);

        // int.MaxValue twice wrapped round to −2 in the township's totals.
        var refused = await Rpc.Refused(StatusCode.InvalidArgument, () => township.PushReportAsync(Push("huge", All(1, 1), All(int.MaxValue, long.MaxValue))));
        Assert.Equal(["villages[1].indicators.collective_income_to_date_yuan", "villages[1].indicators.disputes_mediated", "villages[1].indicators.meetings_held",
            "villages[1].indicators.members_developed", "villages[1].indicators.services_for_people", "villages[1].indicators.trainings"], refused.Fields().Order());
        Assert.Equal(["villages[0].indicators.meetings_held"], (await Rpc.Refused(StatusCode.InvalidArgument, () => township.PushReportAsync(
            Push("negative", new Indicators { MeetingsHeld = -1 })))).Fields());
        var report = await township.GetReportAsync(new GetReportRequest { UnitCode = TownshipA, Period = new Period { Year = 2027, Month = 3 } });
        Assert.Equal(largest.Totals, report.Totals);
    }
}

public sealed class NumericEdgesOnSqlite() : NumericEdgesSpec(DbProvider.Sqlite);

public sealed class NumericEdgesOnPostgres() : NumericEdgesSpec(DbProvider.Postgres);
