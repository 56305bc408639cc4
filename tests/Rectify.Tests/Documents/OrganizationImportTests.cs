using ClosedXML.Excel;
using Google.Protobuf;
using Grpc.Core;
using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Organizations.V1;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;
using static Rectify.Tests.Documents.OrganizationDocuments;

namespace Rectify.Tests.Documents;

/// <summary>
/// The three organizations templates round trip on each storage engine: downloaded through real gRPC, filled with
/// ClosedXML, dry run (a clean report, nothing written), imported (counts), read back equal through the RPCs, and
/// imported again (nothing added or changed).
/// </summary>
public abstract class OrganizationImportSpec(DbProvider provider) : IAsyncLifetime
{
    private const string Nation = "000000000000", Province = "360000000000", City = "360700000000", County = "360731000000";
    private const string TownshipA = "360731101000", TownshipB = "360731102000";
    private const string VillageA1 = "360731101201", VillageA2 = "360731101202", VillageB1 = "360731102201";

    private TestHost _host = null!;
    private OrganizationService.OrganizationServiceClient _county = null!;
    private readonly int _year = DateTime.UtcNow.Year;

    public async ValueTask InitializeAsync()
    {
        _host = await TestHost.StartAsync(provider);
        _county = _host.Organizations(County, Role.Officer, "county-clerk");
        var system = _host.Organizations(Nation, Role.Service, "system");
        using var call = system.ImportUnits();
        var line = 0;
        foreach (var (code, name, parent) in new[]
        {
            (Province, "江西省", ""), (City, "赣州市", Province), (County, "于都县", City), (TownshipA, "铁山垅镇", County),
            (TownshipB, "盘古山镇", County), (VillageA1, "上坪村", TownshipA), (VillageA2, "黄屋村", TownshipA), (VillageB1, "石门村", TownshipB),
        })
            await call.RequestStream.WriteAsync(new ImportUnitRow { Line = ++line, Code = code, Name = name, ParentCode = parent });
        await call.RequestStream.CompleteAsync();
        Assert.Empty((await call).Errors);
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private async Task<string> Snapshot() => await OrganizationsSnapshot.TakeAsync(_host);

    [Fact]
    public async Task Units_round_trip_registers_renames_and_then_changes_nothing()
    {
        var (name, template) = await TemplateAsync(_county, TemplateKind.Units, County);
        Assert.Equal("于都县-单位名单-模板.xlsx", name);
        var file = Fill(template, "单位名单",
            ["360731103000", "贡江镇", County],
            ["360731103201", "长征村", ""],
            [VillageA1, "上坪村", TownshipA],
            [VillageA2, "黄屋新村", ""]);

        var before = await Snapshot();
        var dry = await ImportAsync(_county, TemplateKind.Units, County, file, dryRun: true);
        Assert.True(dry.DryRun);
        Assert.False(dry.Applied);
        Assert.Empty(dry.Problems);
        Assert.Equal((4, 2, 1, 1), (dry.Rows, dry.Added, dry.Changed, dry.Unchanged));
        Assert.Equal(before, await Snapshot());

        var done = await ImportAsync(_county, TemplateKind.Units, County, file);
        Assert.True(done.Applied);
        Assert.Equal((2, 1, 1), (done.Added, done.Changed, done.Unchanged));
        Assert.Equal("共4行：新增2，修改1，未变1。", done.Summary);
        Assert.Equal(["长征村"], (await _county.ListChildrenAsync(new ListChildrenRequest { Code = "360731103000" })).Units.Select(u => u.Name));
        Assert.Equal(["上坪村", "黄屋新村"], (await _county.ListChildrenAsync(new ListChildrenRequest { Code = TownshipA })).Units.Select(u => u.Name));
        var history = await _county.GetUnitHistoryAsync(new GetUnitHistoryRequest { Code = VillageA2 });
        Assert.Contains(history.Changes, c => c.Kind == UnitChangeKind.Renamed && c.OldName == "黄屋村" && c.NewName == "黄屋新村");

        var again = await ImportAsync(_county, TemplateKind.Units, County, file);
        Assert.Equal((0, 0, 4), (again.Added, again.Changed, again.Unchanged));
    }

    [Fact]
    public async Task Village_profiles_round_trip_and_the_same_file_again_is_unchanged()
    {
        var township = _host.Organizations(TownshipA, Role.Officer, "township-clerk");
        var (_, template) = await TemplateAsync(township, TemplateKind.VillageProfiles, TownshipA);
        using (var book = new XLWorkbook(new MemoryStream(template)))
            Assert.Equal("上坪村（360731101201）", book.Worksheet("选项").Cell(2, 1).GetString());
        var file = Fill(template, "村党组织基本情况",
            [Village("上坪村", VillageA1), _year, "党支部", "刘某某", "是", 5, 1, 41, 6, 3, 5, 4, 14, 15, 420, 1650, 52000],
            [Village("黄屋村", VillageA2), _year, "党总支", null, "否", 7, 0, 88, 12, null, null, null, null, null, 600, 2400, 0]);

        var before = await Snapshot();
        var dry = await ImportAsync(township, TemplateKind.VillageProfiles, TownshipA, file, dryRun: true);
        Assert.Empty(dry.Problems);
        Assert.Equal(2, dry.Added);
        Assert.Equal(before, await Snapshot());
        await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await township.GetProfileAsync(new GetProfileRequest { VillageCode = VillageA1, Year = _year }));

        var done = await ImportAsync(township, TemplateKind.VillageProfiles, TownshipA, file);
        Assert.Equal((2, 0, 0), (done.Added, done.Changed, done.Unchanged));
        var first = await township.GetProfileAsync(new GetProfileRequest { VillageCode = VillageA1, Year = _year });
        Assert.Equal((PartyOrganizationType.Branch, "刘某某", true, 5, 1, 41, 6), (first.OrganizationType, first.SecretaryName, first.SecretaryIsDirector, first.CommitteeSize, first.CommitteeVacancies, first.Members, first.WomenMembers));
        Assert.Equal((3, 5, 4, 14, 15), (first.MemberAges.Age30OrUnder, first.MemberAges.Age31To40, first.MemberAges.Age41To45, first.MemberAges.Age46To60, first.MemberAges.AgeOver60));
        Assert.Equal((420, 1650, 52000L), (first.Households, first.Population, first.CollectiveOperatingIncomeYuan));
        var second = await township.GetProfileAsync(new GetProfileRequest { VillageCode = VillageA2, Year = _year });
        Assert.Equal((PartyOrganizationType.GeneralBranch, "", 88), (second.OrganizationType, second.SecretaryName, second.Members));

        var again = await ImportAsync(township, TemplateKind.VillageProfiles, TownshipA, file);
        Assert.Equal((0, 0, 2), (again.Added, again.Changed, again.Unchanged));
        var changed = Fill(file, "村党组织基本情况", [Village("上坪村", VillageA1), _year, "党支部", "刘某某", "是", 5, 0, 42, 6, 3, 5, 4, 14, 15, 420, 1650, 52000]);
        var third = await ImportAsync(township, TemplateKind.VillageProfiles, TownshipA, changed);
        Assert.Equal((0, 1, 1), (third.Added, third.Changed, third.Unchanged));
        Assert.Equal(42, (await township.GetProfileAsync(new GetProfileRequest { VillageCode = VillageA1, Year = _year })).Members);
    }

    [Fact]
    public async Task Assignments_round_trip_and_the_same_file_again_adds_nothing()
    {
        var (_, template) = await TemplateAsync(_county, TemplateKind.Assignments, County, _year);
        var file = Fill(template, "四个一联系帮扶",
            [Village("上坪村", VillageA1), _year, "第一书记", "张某某", "县委组织部干部", "0797-1234567", new DateTime(_year, 3, 1)],
            [Village("石门村", VillageB1), _year, "结对帮扶单位", "县财政局", null, null, null]);

        var before = await Snapshot();
        var dry = await ImportAsync(_county, TemplateKind.Assignments, County, file, dryRun: true);
        Assert.Empty(dry.Problems);
        Assert.Equal(2, dry.Added);
        Assert.Equal(before, await Snapshot());

        var done = await ImportAsync(_county, TemplateKind.Assignments, County, file);
        Assert.Equal((2, 0, 0), (done.Added, done.Changed, done.Unchanged));
        var listed = (await _county.ListAssignmentsAsync(new ListAssignmentsRequest { VillageCode = VillageA1, Year = _year })).Assignments.Single();
        Assert.Equal((AssignmentKind.FirstSecretary, "张某某", "县委组织部干部", "0797-1234567", new DateOnly(_year, 3, 1), true),
            (listed.Kind, listed.Assignee, listed.Position, listed.Phone, new DateOnly(listed.AssignedOn.Year, listed.AssignedOn.Month, listed.AssignedOn.Day), listed.Locked));
        Assert.Equal("县财政局", (await _county.ListAssignmentsAsync(new ListAssignmentsRequest { VillageCode = VillageB1, Year = _year })).Assignments.Single().Assignee);

        var again = await ImportAsync(_county, TemplateKind.Assignments, County, file);
        Assert.Equal((0, 0, 2), (again.Added, again.Changed, again.Unchanged));
    }
}

/// <summary>Row counts of the organizations tables and every unit's name: a refused import must leave them as they were.</summary>
public static class OrganizationsSnapshot
{
    public static async Task<string> TakeAsync(TestHost host)
    {
        var database = host.Get<Database<Rectify.Organizations.OrganizationsModule>>();
        return await database.ReadAsync(async c =>
        {
            var parts = new List<string>();
            foreach (var table in new[] { "units", "unit_changes", "profiles", "assignments", "outbox_messages" })
                parts.Add($"{table}={await c.ExecuteScalarAsync<int>($"SELECT COUNT(*) FROM {table}")}");
            return string.Join(" ", parts);
        });
    }
}

public sealed class OrganizationImportOnSqlite() : OrganizationImportSpec(DbProvider.Sqlite);

public sealed class OrganizationImportOnPostgres() : OrganizationImportSpec(DbProvider.Postgres);

/// <summary>Templates down and workbooks up through OrganizationService over real gRPC, and filling them as a clerk would.</summary>
public static class OrganizationDocuments
{
    public static async Task<(string FileName, byte[] Bytes)> TemplateAsync(OrganizationService.OrganizationServiceClient client, TemplateKind kind, string scope, int year = 0)
    {
        using var call = client.GetTemplate(new GetTemplateRequest { Kind = kind, ScopeCode = scope, CampaignYear = year });
        using var bytes = new MemoryStream();
        var name = "";
        await foreach (var chunk in call.ResponseStream.ReadAllAsync(TestContext.Current.CancellationToken))
        {
            if (chunk.FileName.Length > 0) name = chunk.FileName;
            chunk.Data.WriteTo(bytes);
        }
        return (name, bytes.ToArray());
    }

    public static async Task<ImportReport> ImportAsync(OrganizationService.OrganizationServiceClient client, TemplateKind kind, string scope, byte[] file,
        bool dryRun = false, string fileName = "导入.xlsx", int year = 0)
    {
        using var call = client.ImportWorkbook();
        try
        {
            var first = true;
            foreach (var piece in file.Chunk(64 * 1024))
            {
                var chunk = new ImportChunk { Data = ByteString.CopyFrom(piece) };
                if (first) { chunk.Kind = kind; chunk.ScopeCode = scope; chunk.DryRun = dryRun; chunk.FileName = fileName; chunk.CampaignYear = year; first = false; }
                await call.RequestStream.WriteAsync(chunk, TestContext.Current.CancellationToken);
            }
            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // The server refused before reading everything (a file over the limit); its status is the answer, read below.
        }
        return await call.ResponseAsync;
    }

    /// <summary>Fills the template's first data sheet (the one after 填写说明 and the hidden 选项) from row 2, as typed values.</summary>
    public static byte[] Fill(byte[] template, string sheet, params object?[][] rows) => Edit(template, book =>
    {
        var data = book.Worksheet(sheet);
        for (var r = 0; r < rows.Length; r++)
            for (var c = 0; c < rows[r].Length; c++)
            {
                var cell = data.Cell(r + 2, c + 1);
                switch (rows[r][c])
                {
                    case null: break;
                    case int n: cell.Value = n; break;
                    case DateTime d: cell.Value = d; break;
                    case object o: cell.SetValue(o.ToString()); break;
                }
            }
    });

    public static byte[] Edit(byte[] workbook, Action<XLWorkbook> edit)
    {
        using var input = new MemoryStream(workbook);
        using var book = new XLWorkbook(input);
        edit(book);
        using var output = new MemoryStream();
        book.SaveAs(output);
        return output.ToArray();
    }

    /// <summary>What the drop-down shows for a village.</summary>
    public static string Village(string name, string code) => $"{name}（{code}）";
}
