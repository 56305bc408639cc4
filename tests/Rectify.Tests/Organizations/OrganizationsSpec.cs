using Dapper;
using Grpc.Core;
using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Organizations;
using Rectify.Organizations.V1;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;

namespace Rectify.Tests.Organizations;

/// <summary>
/// The organizations service through real gRPC over HTTP/2, on each storage
/// engine: the same specification runs on SQLite and on PostgreSQL.
/// </summary>
public abstract class OrganizationsSpec(DbProvider provider) : IAsyncLifetime
{
    protected const string Nation = "000000000000";
    protected const string Province = "360000000000";
    protected const string City = "360700000000";
    protected const string County = "360731000000";
    protected const string OtherCounty = "360732000000";
    protected const string TownshipA = "360731101000";
    protected const string TownshipB = "360731102000";
    protected const string VillageA1 = "360731101201";
    protected const string VillageA2 = "360731101202";
    protected const string VillageB1 = "360731102201";

    protected TestHost Host = null!;
    protected OrganizationService.OrganizationServiceClient Admin = null!;
    protected OrganizationService.OrganizationServiceClient CountyOfficer = null!;

    public async ValueTask InitializeAsync()
    {
        Host = await TestHost.StartAsync(provider);
        Admin = Host.Organizations(Nation, Role.Service, "admin");
        CountyOfficer = Host.Organizations(County, Role.Officer, "county-officer");
        var result = await Import(Admin,
            (Province, "江西省", ""), (City, "赣州市", Province), (County, "于都县", City), (OtherCounty, "兴国县", City),
            (TownshipA, "铁山垅镇", County), (TownshipB, "盘古山镇", County),
            (VillageA1, "上坪村", TownshipA), (VillageA2, "黄屋村", TownshipA), (VillageB1, "石门村", TownshipB));
        Assert.Empty(result.Errors);
    }

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();

    protected static async Task<ImportUnitsResult> Import(OrganizationService.OrganizationServiceClient client, params (string Code, string Name, string Parent)[] rows)
    {
        using var call = client.ImportUnits();
        var line = 1;
        foreach (var (code, name, parent) in rows)
            await call.RequestStream.WriteAsync(new ImportUnitRow { Line = ++line, Code = code, Name = name, ParentCode = parent });
        await call.RequestStream.CompleteAsync();
        return await call;
    }

    /// <summary>Row counts of every table: a refused request must leave them as they were.</summary>
    protected async Task<string> Snapshot()
    {
        var database = Host.Get<Database<OrganizationsModule>>();
        return await database.ReadAsync(async c =>
        {
            var parts = new List<string>();
            foreach (var table in new[] { "units", "unit_changes", "profiles", "assignments", "outbox_messages" })
                parts.Add($"{table}={await c.ExecuteScalarAsync<int>($"SELECT COUNT(*) FROM {table}")}");
            parts.Add("names=" + string.Join(",", await c.QueryAsync<string>("SELECT name || ':' || CAST(status AS VARCHAR(2)) FROM units ORDER BY code")));
            return string.Join(" ", parts);
        });
    }

    protected async Task<List<string>> OutboxTypes() =>
        await Host.Get<Database<OrganizationsModule>>().ReadAsync(async c =>
            (await c.QueryAsync<string>("SELECT message_type FROM outbox_messages ORDER BY id")).ToList());

    [Fact]
    public async Task Registered_units_form_a_tree_read_by_children_subtree_and_search()
    {
        var unit = await CountyOfficer.GetUnitAsync(new GetUnitRequest { Code = VillageA1 });
        Assert.Equal(("上坪村", OrgLevel.Village, TownshipA, UnitStatus.Active), (unit.Name, unit.Level, unit.ParentCode, unit.Status));

        Assert.Equal([Province], (await Admin.ListChildrenAsync(new ListChildrenRequest { Code = Nation })).Units.Select(u => u.Code));
        await Rpc.Refused(StatusCode.PermissionDenied, () => CountyOfficer.ListChildrenAsync(new ListChildrenRequest { Code = Nation }));
        await Rpc.Refused(StatusCode.NotFound, () => CountyOfficer.ListChildrenAsync(new ListChildrenRequest { Code = "360731109000" }));
        var children = await CountyOfficer.ListChildrenAsync(new ListChildrenRequest { Code = County });
        Assert.Equal([TownshipA, TownshipB], children.Units.Select(u => u.Code));

        var subtree = await CountyOfficer.ListSubtreeAsync(new ListSubtreeRequest { Code = County });
        Assert.Equal([TownshipA, VillageA1, VillageA2, TownshipB, VillageB1], subtree.Units.Select(u => u.Code));

        var villages = await CountyOfficer.ListSubtreeAsync(new ListSubtreeRequest { Code = County, Level = OrgLevel.Village });
        Assert.Equal([VillageA1, VillageA2, VillageB1], villages.Units.Select(u => u.Code));

        var found = await CountyOfficer.SearchUnitsAsync(new SearchUnitsRequest { Query = "屋" });
        Assert.Equal([VillageA2], found.Units.Select(u => u.Code));
        // A county's search never reaches a sibling county.
        await Admin.RegisterUnitAsync(new RegisterUnitRequest { Code = "360732101000", Name = "黄屋乡" });
        Assert.Single((await CountyOfficer.SearchUnitsAsync(new SearchUnitsRequest { Query = "屋" })).Units);
        Assert.Equal(2, (await Admin.SearchUnitsAsync(new SearchUnitsRequest { Query = "屋", WithinCode = City })).Units.Count);
    }

    [Fact]
    public async Task A_subtree_comes_in_keyed_pages_or_as_one_stream()
    {
        var codes = new List<string>();
        var token = "";
        do
        {
            var page = await CountyOfficer.ListSubtreeAsync(new ListSubtreeRequest { Code = County, Page = new PageRequest { PageSize = 2, PageToken = token } });
            Assert.True(page.Units.Count <= 2);
            codes.AddRange(page.Units.Select(u => u.Code));
            token = page.Page.NextPageToken;
        } while (token != "");
        Assert.Equal([TownshipA, VillageA1, VillageA2, TownshipB, VillageB1], codes);

        using var stream = Admin.StreamSubtree(new StreamSubtreeRequest { Code = Province });
        var streamed = await stream.ResponseStream.ReadAllAsync().Select(u => u.Code).ToListAsync();
        Assert.Equal([City, County, TownshipA, VillageA1, VillageA2, TownshipB, VillageB1, OtherCounty], streamed);
    }

    [Fact]
    public async Task Renaming_keeps_the_old_name_in_the_history_and_publishes_an_event()
    {
        var renamed = await CountyOfficer.RenameUnitAsync(new RenameUnitRequest { Code = VillageA1, NewName = "上坪新村", Reason = "村名变更" });
        Assert.Equal("上坪新村", renamed.Name);

        var history = await CountyOfficer.GetUnitHistoryAsync(new GetUnitHistoryRequest { Code = VillageA1 });
        Assert.Equal([UnitChangeKind.Registered, UnitChangeKind.Renamed], history.Changes.Select(c => c.Kind));
        var change = history.Changes[1];
        Assert.Equal(("上坪村", "上坪新村", "county-officer", "村名变更"), (change.OldName, change.NewName, change.RecordedBy, change.Reason));
        Assert.Equal(Host.Clock.GetUtcNow().Date, change.RecordedAt.ToDateTime().Date);
        Assert.Equal("Rectify.Events.Organizations.UnitRenamed", (await OutboxTypes()).Last());
    }

    [Fact]
    public async Task A_unit_with_open_children_cannot_be_closed_and_nothing_changes()
    {
        var before = await Snapshot();
        var refused = await Rpc.Refused(StatusCode.FailedPrecondition, () => CountyOfficer.CloseUnitAsync(
            new CloseUnitRequest { Code = TownshipA, ClosedOn = new Date { Year = 2026, Month = 6, Day = 30 }, Reason = "撤并" }));
        Assert.Equal("HAS_OPEN_CHILDREN", refused.PreconditionType());
        Assert.Equal(before, await Snapshot());

        foreach (var village in new[] { VillageA1, VillageA2 })
            await CountyOfficer.CloseUnitAsync(new CloseUnitRequest { Code = village, ClosedOn = new Date { Year = 2026, Month = 6, Day = 30 }, Reason = "撤并" });
        var closed = await CountyOfficer.CloseUnitAsync(new CloseUnitRequest { Code = TownshipA, ClosedOn = new Date { Year = 2026, Month = 6, Day = 30 }, Reason = "撤并" });
        Assert.Equal((UnitStatus.Closed, 30), (closed.Status, closed.ClosedOn.Day));

        Assert.Equal([TownshipB], (await CountyOfficer.ListChildrenAsync(new ListChildrenRequest { Code = County })).Units.Select(u => u.Code));
        Assert.Equal([TownshipA, TownshipB], (await CountyOfficer.ListChildrenAsync(new ListChildrenRequest { Code = County, IncludeClosed = true })).Units.Select(u => u.Code));
        // Closed is closed: no rename, no second close.
        await Rpc.Refused(StatusCode.FailedPrecondition, () => CountyOfficer.RenameUnitAsync(new RenameUnitRequest { Code = TownshipA, NewName = "新名" }));
        // And nothing may be registered under it.
        var orphan = await Rpc.Refused(StatusCode.FailedPrecondition, () => CountyOfficer.RegisterUnitAsync(new RegisterUnitRequest { Code = "360731101203", Name = "新村" }));
        Assert.Equal("PARENT_NOT_ACTIVE", orphan.PreconditionType());
    }

    [Fact]
    public async Task Merging_a_village_into_another_keeps_the_history_of_both()
    {
        var merged = await CountyOfficer.MergeUnitAsync(new MergeUnitRequest
        {
            Code = VillageA2, IntoCode = VillageA1, EffectiveOn = new Date { Year = 2026, Month = 7, Day = 1 }, Reason = "合村并组",
        });
        Assert.Equal((UnitStatus.Merged, VillageA1), (merged.Status, merged.MergedInto));

        var gone = await CountyOfficer.GetUnitHistoryAsync(new GetUnitHistoryRequest { Code = VillageA2 });
        Assert.Equal([UnitChangeKind.Registered, UnitChangeKind.MergedAway], gone.Changes.Select(c => c.Kind));
        Assert.Equal(VillageA1, gone.Changes[1].RelatedCode);
        var absorber = await CountyOfficer.GetUnitHistoryAsync(new GetUnitHistoryRequest { Code = VillageA1 });
        Assert.Equal(UnitChangeKind.Absorbed, absorber.Changes.Last().Kind);
        Assert.Equal((VillageA2, "黄屋村"), (absorber.Changes.Last().RelatedCode, absorber.Changes.Last().OldName));
        // The merged unit is still there to be read.
        Assert.Equal("黄屋村", (await CountyOfficer.GetUnitAsync(new GetUnitRequest { Code = VillageA2 })).Name);
        Assert.Equal("Rectify.Events.Organizations.UnitMerged", (await OutboxTypes()).Last());
    }

    [Fact]
    public async Task Merging_across_levels_or_a_unit_with_open_children_is_refused()
    {
        var before = await Snapshot();
        var levels = await Rpc.Refused(StatusCode.FailedPrecondition, () => CountyOfficer.MergeUnitAsync(new MergeUnitRequest
        {
            Code = VillageB1, IntoCode = TownshipA, EffectiveOn = new Date { Year = 2026, Month = 7, Day = 1 },
        }));
        Assert.Equal("LEVEL_MISMATCH", levels.PreconditionType());
        var children = await Rpc.Refused(StatusCode.FailedPrecondition, () => CountyOfficer.MergeUnitAsync(new MergeUnitRequest
        {
            Code = TownshipB, IntoCode = TownshipA, EffectiveOn = new Date { Year = 2026, Month = 7, Day = 1 },
        }));
        Assert.Equal("HAS_OPEN_CHILDREN", children.PreconditionType());
        var self = await Rpc.Refused(StatusCode.InvalidArgument, () => CountyOfficer.MergeUnitAsync(new MergeUnitRequest
        {
            Code = TownshipB, IntoCode = TownshipB, EffectiveOn = new Date { Year = 2026, Month = 2, Day = 30 },
        }));
        Assert.Equal(["effective_on", "into_code"], self.Fields().Order());
        Assert.Equal(before, await Snapshot());
    }

    [Fact]
    public async Task An_import_reports_each_bad_row_by_line_and_imports_the_good_ones()
    {
        var result = await Import(CountyOfficer,
            ("360731103000", "禾丰镇", County),          // line 2: good
            ("360731103201", "禾丰村", "360731103000"),  // line 3: good, parent earlier in the file
            ("36073110320", "短码村", ""),               // line 4: 11 digits
            ("36073110320x", "字母村", ""),              // line 5: not digits
            ("360731103202", "错父村", "360731101000"),  // line 6: parent does not match the code
            ("360731104201", "孤儿村", ""),              // line 7: parent neither registered nor in the file
            ("360731103201", "重复村", ""),              // line 8: repeats line 3
            (VillageA1, "另一个名字", ""),               // line 9: already registered under another name
            ("360732101201", "外县村", ""),              // line 10: outside the county officer's units
            ("360731103203", "", ""),                   // line 11: no name
            (VillageA2, "黄屋村", TownshipA));           // line 12: identical to what exists: unchanged
        Assert.Equal((11, 2, 1), (result.Received, result.Imported, result.Unchanged));
        Assert.Equal([(4, "code"), (5, "code"), (6, "parent_code"), (7, "parent_code"), (8, "code"), (9, "code"), (10, "code"), (11, "name")],
            result.Errors.Select(e => (e.Line, e.Field)));
        Assert.Contains("repeats line 3", result.Errors.Single(e => e.Line == 8).Reason);

        var township = await CountyOfficer.ListChildrenAsync(new ListChildrenRequest { Code = "360731103000" });
        Assert.Equal(["360731103201"], township.Units.Select(u => u.Code));
        Assert.Equal("上坪村", (await CountyOfficer.GetUnitAsync(new GetUnitRequest { Code = VillageA1 })).Name);

        var before = await Snapshot();
        var again = await Import(CountyOfficer, ("360731103000", "禾丰镇", County), ("360731103201", "禾丰村", "360731103000"));
        Assert.Equal((0, 2), (again.Imported, again.Unchanged));
        Assert.Equal(before, await Snapshot());
    }

    [Fact]
    public async Task A_bulk_import_writes_each_unit_with_its_history_and_event_and_again_adds_nothing()
    {
        // 451 units, a township and its villages in one file: a bulk write of each table.
        const string township = "360731105000";
        var rows = new[] { (Code: township, Name: "新区镇", Parent: County) }
            .Concat(Enumerable.Range(1, 450).Select(i => (Code: $"360731105{i:D3}", Name: $"第{i}村", Parent: township))).ToArray();
        var database = Host.Get<Database<OrganizationsModule>>();
        var outboxBefore = await database.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT MAX(id) FROM outbox_messages"));

        var result = await Import(CountyOfficer, rows);
        Assert.Equal((451, 451, 0), (result.Received, result.Imported, result.Unchanged));
        Assert.Empty(result.Errors);

        var (units, history, events) = await database.ReadAsync(async c => (
            (await c.QueryAsync<(string, string, string)>("SELECT code, name, parent_code FROM units WHERE code >= '360731105000' AND code <= '360731105999' ORDER BY code")).ToList(),
            (await c.QueryAsync<(string, string)>("SELECT code, new_name FROM unit_changes WHERE code >= '360731105000' AND code <= '360731105999' AND kind = @kind ORDER BY code",
                new { kind = (int)UnitChangeKind.Registered })).ToList(),
            (await c.QueryAsync<string>("SELECT payload FROM outbox_messages WHERE id > @outboxBefore AND message_type LIKE '%UnitRegistered' ORDER BY id", new { outboxBefore })).ToList()));
        var expected = rows.OrderBy(r => r.Code, StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Select(r => (r.Code, r.Name, r.Parent)), units);
        Assert.Equal(expected.Select(r => (r.Code, r.Name)), history);
        // Each event names its own unit: parents before children, then in file order.
        Assert.Equal(rows.Select(r => (r.Code, r.Name, r.Parent)), events.Select(p =>
        {
            using var json = System.Text.Json.JsonDocument.Parse(p);
            return (json.RootElement.GetProperty("code").GetString()!, json.RootElement.GetProperty("name").GetString()!, json.RootElement.GetProperty("parentCode").GetString()!);
        }));

        var before = await Snapshot();
        var again = await Import(CountyOfficer, rows);
        Assert.Equal((0, 451), (again.Imported, again.Unchanged));
        Assert.Equal(before, await Snapshot());
    }

    [Theory]
    [InlineData("36073110120", "must be 12 digits")]
    [InlineData("3607311012011", "must be 12 digits")]
    [InlineData("36O731101203", "digits only")]
    [InlineData("360731000203", "below a zero segment")]
    public async Task Malformed_codes_are_invalid_arguments_naming_the_field(string code, string reason)
    {
        var before = await Snapshot();
        var refused = await Rpc.Refused(StatusCode.InvalidArgument, () => CountyOfficer.RegisterUnitAsync(new RegisterUnitRequest { Code = code, Name = "某村" }));
        Assert.Equal(["code"], refused.Fields());
        Assert.Contains(reason, refused.Status.Detail);
        await Rpc.Refused(StatusCode.InvalidArgument, () => CountyOfficer.GetUnitAsync(new GetUnitRequest { Code = code }));
        Assert.Equal(before, await Snapshot());
    }

    [Fact]
    public async Task A_parent_that_does_not_match_the_code_a_missing_parent_and_a_duplicate_are_refused()
    {
        var before = await Snapshot();
        var mismatch = await Rpc.Refused(StatusCode.InvalidArgument, () => CountyOfficer.RegisterUnitAsync(
            new RegisterUnitRequest { Code = "360731101203", Name = "新村", ParentCode = TownshipB }));
        Assert.Equal(["parent_code"], mismatch.Fields());
        var missing = await Rpc.Refused(StatusCode.FailedPrecondition, () => CountyOfficer.RegisterUnitAsync(
            new RegisterUnitRequest { Code = "360731109201", Name = "新村" }));
        Assert.Equal("PARENT_NOT_REGISTERED", missing.PreconditionType());
        await Rpc.Refused(StatusCode.AlreadyExists, () => CountyOfficer.RegisterUnitAsync(new RegisterUnitRequest { Code = VillageA1, Name = "上坪村" }));
        var both = await Rpc.Refused(StatusCode.InvalidArgument, () => CountyOfficer.RegisterUnitAsync(new RegisterUnitRequest { Code = "x", Name = " " }));
        Assert.Equal(["code", "name"], both.Fields());
        Assert.Equal(before, await Snapshot());

        var registered = await CountyOfficer.RegisterUnitAsync(new RegisterUnitRequest { Code = "360731101203", Name = "新村", ParentCode = TownshipA });
        Assert.Equal(OrgLevel.Village, registered.Level);
    }

    [Fact]
    public async Task Callers_without_a_valid_token_are_unauthenticated()
    {
        var anonymous = new OrganizationService.OrganizationServiceClient(Host.Channel);
        await Rpc.Refused(StatusCode.Unauthenticated, () => anonymous.GetUnitAsync(new GetUnitRequest { Code = County }));
        var forged = new OrganizationService.OrganizationServiceClient(Host.Channel.CreateCallInvoker());
        var headers = new Metadata { { "Authorization", "Bearer " + TestHost.Token(County)[..^4] + "abcd" } };
        await Rpc.Refused(StatusCode.Unauthenticated, () => forged.GetUnitAsync(new GetUnitRequest { Code = County }, headers));
    }

    [Fact]
    public async Task Callers_outside_the_unit_or_without_the_role_are_denied_and_nothing_changes()
    {
        var before = await Snapshot();
        var townshipA = Host.Organizations(TownshipA);
        Assert.Equal("上坪村", (await townshipA.GetUnitAsync(new GetUnitRequest { Code = VillageA1 })).Name);
        await Rpc.Refused(StatusCode.PermissionDenied, () => townshipA.GetUnitAsync(new GetUnitRequest { Code = VillageB1 }));
        await Rpc.Refused(StatusCode.PermissionDenied, () => townshipA.GetUnitAsync(new GetUnitRequest { Code = County }));
        await Rpc.Refused(StatusCode.PermissionDenied, () => townshipA.ListSubtreeAsync(new ListSubtreeRequest { Code = TownshipB }));

        var otherCounty = Host.Organizations(OtherCounty);
        await Rpc.Refused(StatusCode.PermissionDenied, () => otherCounty.ListChildrenAsync(new ListChildrenRequest { Code = County }));
        await Rpc.Refused(StatusCode.PermissionDenied, () => otherCounty.RegisterUnitAsync(new RegisterUnitRequest { Code = "360731101209", Name = "越界村" }));

        var viewer = Host.Organizations(County, Role.Viewer);
        await Rpc.Refused(StatusCode.PermissionDenied, () => viewer.RenameUnitAsync(new RenameUnitRequest { Code = VillageA1, NewName = "改名村" }));
        // A village may not close itself: closing is for a unit above it.
        var village = Host.Organizations(VillageA1);
        await Rpc.Refused(StatusCode.PermissionDenied, () => village.CloseUnitAsync(new CloseUnitRequest { Code = VillageA1, ClosedOn = new Date { Year = 2026, Month = 1, Day = 1 }, Reason = "x" }));
        Assert.Equal(before, await Snapshot());
    }

    [Fact]
    public async Task Oversize_requests_and_pages_are_refused()
    {
        var before = await Snapshot();
        await Rpc.Refused(StatusCode.ResourceExhausted, () => CountyOfficer.RegisterUnitAsync(
            new RegisterUnitRequest { Code = "360731101204", Name = new string('村', 200_000) }));
        var page = await Rpc.Refused(StatusCode.InvalidArgument, () => CountyOfficer.ListSubtreeAsync(
            new ListSubtreeRequest { Code = County, Page = new PageRequest { PageSize = 1001 } }));
        Assert.Equal(["page.page_size"], page.Fields());
        var longName = await Rpc.Refused(StatusCode.InvalidArgument, () => CountyOfficer.RegisterUnitAsync(
            new RegisterUnitRequest { Code = "360731101204", Name = new string('村', 101) }));
        Assert.Equal(["name"], longName.Fields());
        Assert.Equal(before, await Snapshot());
    }

    [Fact]
    public async Task A_profile_is_kept_per_village_and_year_and_bad_figures_change_nothing()
    {
        var profile = new PartyOrganizationProfile
        {
            VillageCode = VillageA1, Year = 2026, OrganizationType = PartyOrganizationType.Branch, SecretaryName = "刘文华",
            SecretaryIsDirector = true, CommitteeSize = 7, CommitteeVacancies = 1, Members = 34, WomenMembers = 4,
            MemberAges = new MemberAges { Age30OrUnder = 2, Age31To40 = 5, Age41To45 = 4, Age46To60 = 12, AgeOver60 = 11 },
            Households = 301, Population = 1045, CollectiveOperatingIncomeYuan = 0,
        };
        var township = Host.Organizations(TownshipA, subject: "township-clerk");
        var saved = await township.SetProfileAsync(new SetProfileRequest { Profile = profile });
        Assert.Equal("township-clerk", saved.UpdatedBy);
        var read = await CountyOfficer.GetProfileAsync(new GetProfileRequest { VillageCode = VillageA1, Year = 2026 });
        Assert.Equal((34, 4, 301, 1045, 11), (read.Members, read.WomenMembers, read.Households, read.Population, read.MemberAges.AgeOver60));
        Assert.True(read.SecretaryIsDirector);
        await Rpc.Refused(StatusCode.NotFound, () => CountyOfficer.GetProfileAsync(new GetProfileRequest { VillageCode = VillageA1, Year = 2025 }));

        var before = await Snapshot();
        var bad = profile.Clone();
        bad.Members = 33; // the brackets add up to 34: more than the members
        bad.WomenMembers = 40;
        bad.CommitteeVacancies = 8;
        bad.Households = -1;
        var refused = await Rpc.Refused(StatusCode.InvalidArgument, () => township.SetProfileAsync(new SetProfileRequest { Profile = bad }));
        Assert.Equal(["profile.committee_vacancies", "profile.households", "profile.member_ages", "profile.women_members"], refused.Fields().Order());
        var notVillage = profile.Clone();
        notVillage.VillageCode = TownshipA;
        Assert.Equal(["profile.village_code"], (await Rpc.Refused(StatusCode.InvalidArgument, () => township.SetProfileAsync(new SetProfileRequest { Profile = notVillage }))).Fields());
        var otherTownship = profile.Clone();
        otherTownship.VillageCode = VillageB1;
        await Rpc.Refused(StatusCode.PermissionDenied, () => township.SetProfileAsync(new SetProfileRequest { Profile = otherTownship }));
        Assert.Equal(before, await Snapshot());
        Assert.Equal(34, (await CountyOfficer.GetProfileAsync(new GetProfileRequest { VillageCode = VillageA1, Year = 2026 })).Members);
    }

    [Fact]
    public async Task Four_not_withdrawn_locks_the_leaders_first_secretary_department_and_team_until_year_end()
    {
        var year = Host.Clock.GetUtcNow().Year;
        async Task<Assignment> Add(AssignmentKind kind, string who) => await CountyOfficer.AddAssignmentAsync(
            new AddAssignmentRequest { VillageCode = VillageA1, Year = year, Kind = kind, Assignee = who, Position = "岗位" });
        var firstSecretary = await Add(AssignmentKind.FirstSecretary, "钟远航");
        var department = await Add(AssignmentKind.PairedDepartment, "县人武部");
        var instructor = await Add(AssignmentKind.PartyBuildingInstructor, "谢春生");
        Assert.True(firstSecretary.Locked);
        Assert.False(instructor.Locked);

        var before = await Snapshot();
        foreach (var locked in new[] { firstSecretary, department })
        {
            var refused = await Rpc.Refused(StatusCode.FailedPrecondition, () => CountyOfficer.RemoveAssignmentAsync(new RemoveAssignmentRequest { Id = locked.Id, Reason = "调整" }));
            Assert.Equal("FOUR_NOT_WITHDRAWN", refused.PreconditionType());
        }
        Assert.Equal(before, await Snapshot());
        var removed = await CountyOfficer.RemoveAssignmentAsync(new RemoveAssignmentRequest { Id = instructor.Id, Reason = "工作调动" });
        Assert.NotNull(removed.RemovedOn);
        await Rpc.Refused(StatusCode.FailedPrecondition, () => CountyOfficer.RemoveAssignmentAsync(new RemoveAssignmentRequest { Id = instructor.Id, Reason = "again" }));

        // On the last day of the year in Shanghai the lock still holds; at midnight it lifts.
        Host.Clock.SetUtcNow(new DateTimeOffset(year, 12, 31, 15, 59, 0, TimeSpan.Zero));
        await Rpc.Refused(StatusCode.FailedPrecondition, () => CountyOfficer.RemoveAssignmentAsync(new RemoveAssignmentRequest { Id = firstSecretary.Id, Reason = "期满" }));
        Host.Clock.Advance(TimeSpan.FromMinutes(1));
        await CountyOfficer.RemoveAssignmentAsync(new RemoveAssignmentRequest { Id = firstSecretary.Id, Reason = "期满" });

        var active = await CountyOfficer.ListAssignmentsAsync(new ListAssignmentsRequest { VillageCode = VillageA1, Year = year });
        Assert.Equal([AssignmentKind.PairedDepartment], active.Assignments.Select(a => a.Kind));
        var all = await CountyOfficer.ListAssignmentsAsync(new ListAssignmentsRequest { VillageCode = VillageA1, Year = year, IncludeRemoved = true });
        Assert.Equal(3, all.Assignments.Count);
    }

    [Fact]
    public async Task Committed_changes_reach_the_bus_through_the_outbox()
    {
        await CountyOfficer.RegisterUnitAsync(new RegisterUnitRequest { Code = "360731101203", Name = "新村" });
        var database = Host.Get<Database<OrganizationsModule>>();
        // Written with the change, then relayed.
        Assert.Equal(1, await database.ReadAsync(c => c.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM outbox_messages WHERE message_type LIKE '%.UnitRegistered' AND payload LIKE '%360731101203%'")));
        await Poll.UntilCount(() => database.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM outbox_messages WHERE dispatched_at IS NULL")),
            0, "undispatched outbox rows", TimeSpan.FromSeconds(10));
    }
}

public sealed class OrganizationsOnSqlite() : OrganizationsSpec(DbProvider.Sqlite);

public sealed class OrganizationsOnPostgres() : OrganizationsSpec(DbProvider.Postgres);
