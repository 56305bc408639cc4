using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;

namespace Rectify.Tests.Platform;

/// <summary>The domain's value types go into and come out of every engine as the text the tables hold.</summary>
public sealed class TypeHandlerTests
{
    private sealed record Row(OrgCode Code, Month Period, OrgCode? Parent, Month? Until);

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task Org_codes_and_months_are_parameters_and_columns_as_their_text(DbProvider provider)
    {
        await using var storage = TestStorage.Create(provider);
        var database = new Database("handlers", provider, storage.ConnectionString("handlers"));
        await Migrator.MigrateAsync(database, typeof(OrgCode).Assembly, TestContext.Current.CancellationToken); // creates the database
        var code = OrgCode.Parse("360731105201");
        var period = new Month(2026, 11);
        await database.WriteAsync(async s =>
        {
            await s.ExecuteAsync("CREATE TABLE t (code VARCHAR(12) NOT NULL, period VARCHAR(7) NOT NULL, parent VARCHAR(12) NULL, until_month VARCHAR(7) NULL)");
            await s.ExecuteAsync("INSERT INTO t VALUES (@code, @period, @parent, @until)", new { code, period, parent = (OrgCode?)code.Parent, until = (Month?)null });
        });

        var stored = await database.ReadAsync(s => s.QuerySingleAsync<(string, string)>("SELECT code, period FROM t"));
        Assert.Equal(("360731105201", "2026-11"), stored);
        var row = await database.ReadAsync(s => s.QuerySingleAsync<Row>(
            "SELECT code AS Code, period AS Period, parent AS Parent, until_month AS Until FROM t WHERE code = @code AND period = @period", new { code, period }));
        Assert.Equal(new Row(code, period, code.Parent, null), row);
    }

    [Fact]
    public void A_month_reads_back_only_from_its_own_form()
    {
        Assert.Equal(new Month(2026, 3), Month.Parse("2026-03"));
        Assert.Throws<FormatException>(() => Month.Parse("2026-13"));
        Assert.Throws<FormatException>(() => Month.Parse("2026-3"));
    }
}
