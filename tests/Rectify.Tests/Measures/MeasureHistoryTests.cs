using Dapper;
using Rectify.Measures;
using Rectify.Measures.V1;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;
using static Rectify.Tests.Measures.MeasuresFixture;

namespace Rectify.Tests.Measures;

/// <summary>The measure's history dates each entry by when it happened: the created entry by the day it was created.</summary>
public abstract class MeasureHistorySpec(DbProvider provider) : IAsyncLifetime
{
    private TestHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await StartAsync(provider);

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task The_created_entry_is_dated_the_day_the_measure_was_created_in_Shanghai_with_its_deadline_as_the_new_deadline()
    {
        // 00:30 on 2 March in Shanghai is still 1 March in UTC: the entry belongs to 2 March.
        SetShanghai(_host, new DateTime(2027, 3, 2, 0, 30, 0));
        var plan = await _host.Measures(TownshipA).CreatePlanAsync(SimplePlan(TargetA1, new DateOnly(2027, 4, 30)));
        var id = plan.Problems[0].Measures[0].Id;
        var county = _host.Measures(County);

        async Task<MeasureChange> Created() => (await county.GetMeasureAsync(new GetMeasureRequest { MeasureId = id })).History.First();
        var created = await Created();
        Assert.Equal(MeasureChangeKind.Created, created.Kind);
        Assert.Equal((2027, 3, 2), (created.On.Year, created.On.Month, created.On.Day));
        Assert.Equal((2027, 4, 30), (created.NewDeadline.Year, created.NewDeadline.Month, created.NewDeadline.Day));
        Assert.Equal(new DateTimeOffset(2027, 3, 1, 16, 30, 0, TimeSpan.Zero), created.RecordedAt.ToDateTimeOffset());

        // An entry written before this rule kept the deadline as its date and no new deadline: it reads the same.
        var database = _host.Get<Database<MeasuresModule>>();
        await database.WriteAsync(session => session.ExecuteAsync(
            "UPDATE measure_changes SET on_date = @deadline, new_deadline = NULL WHERE measure_id = @id AND kind = @created",
            new { deadline = new DateOnly(2027, 4, 30), id, created = (int)MeasureChangeKind.Created }));
        Assert.Equal(created, await Created());
    }
}

public sealed class MeasureHistoryOnSqlite() : MeasureHistorySpec(DbProvider.Sqlite);

public sealed class MeasureHistoryOnPostgres() : MeasureHistorySpec(DbProvider.Postgres);
