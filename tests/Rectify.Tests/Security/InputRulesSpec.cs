using Dapper;
using Grpc.Core;
using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Measures;
using Rectify.Measures.V1;
using Rectify.Notifications;
using Rectify.Notifications.V1;
using Rectify.Organizations;
using Rectify.Organizations.V1;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Reporting;
using Rectify.Reporting.V1;
using Rectify.Tests.Measures;
using Rectify.Tests.Notifications;
using Rectify.Tests.Reporting;
using Rectify.Tests.Support;
using static Rectify.Tests.Measures.MeasuresFixture;

namespace Rectify.Tests.Security;

/// <summary>
/// Inputs that were accepted and should not be (issue 9; the rules are in docs/input-rules.md): each is refused with
/// InvalidArgument naming the field, and changes nothing. One host with every service, over gRPC, on SQLite and PostgreSQL.
/// </summary>
public sealed class InputRulesSpec : IAsyncLifetime
{
    private const string Nation = "000000000000";
    private const string Province = "360000000000";
    private const string City = "360700000000";
    private readonly List<TestHost> _hosts = [];

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts) await host.DisposeAsync();
    }

    private async Task<TestHost> StartAsync(DbProvider provider)
    {
        var host = await TestHost.StartAsync(provider,
            [new OrganizationsModule(), new MeasuresModule(), new ReportingModule(), new NotificationsModule()],
            new Dictionary<string, string?>
            {
                ["Rectify:Measures:ScheduleScans"] = "false", ["Rectify:Reporting:ScheduleScans"] = "false",
                ["Rectify:Notifications:SendDeliveries"] = "false", ["Rectify:Notifications:ScheduleDigest"] = "false",
            });
        _hosts.Add(host);
        SetShanghai(host, new DateTime(2027, 3, 1, 10, 0, 0));
        var import = await Import(host.Organizations(Nation, Role.Service, "admin"),
            (Province, "江西省", ""), (City, "赣州市", Province), (County, "于都县", City), (TownshipA, "铁山垅镇", County), (TownshipB, "盘古山镇", County),
            (TargetA1, "上坪村", TownshipA), (TargetA2, "黄屋村", TownshipA), (TargetB1, "石门村", TownshipB));
        Assert.Empty(import.Errors);
        await DesignateAsync(host, (TargetA1, "上坪村", "铁山垅镇"), (TargetA2, "黄屋村", "铁山垅镇"), (TargetB1, "石门村", "盘古山镇"));
        var reporting = host.Get<Database<ReportingModule>>();
        await Poll.Until(async () => await reporting.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM directory_targets")) == 3
            ? true : throw new InvalidOperationException("the targets have not reached reporting"));
        return host;
    }

    private static async Task<ImportUnitsResult> Import(OrganizationService.OrganizationServiceClient client, params (string Code, string Name, string Parent)[] rows)
    {
        using var call = client.ImportUnits();
        var line = 1;
        foreach (var (code, name, parent) in rows)
            await call.RequestStream.WriteAsync(new ImportUnitRow { Line = ++line, Code = code, Name = name, ParentCode = parent });
        await call.RequestStream.CompleteAsync();
        return await call;
    }

    private static Task<string> Counts<TModule>(TestHost host, params string[] tables) => host.Get<Database<TModule>>().ReadAsync(async c =>
    {
        var parts = new List<string>();
        foreach (var table in tables) parts.Add($"{table}={await c.ExecuteScalarAsync<int>($"SELECT COUNT(*) FROM {table}")}");
        return string.Join(" ", parts);
    });

    private static Task<string> Organizations(TestHost host) =>
        Counts<OrganizationsModule>(host, "units", "unit_changes", "profiles", "assignments", "outbox_messages");

    private static Task<string> Reports(TestHost host) => Counts<ReportingModule>(host, "reports", "reporting_exceptions", "outbox_messages");

    private static async Task<IReadOnlyList<string>> Refused<T>(Func<AsyncUnaryCall<T>> call) => (await Rpc.Refused(StatusCode.InvalidArgument, call)).Fields();

    private static PartyOrganizationProfile Profile() => new()
    {
        VillageCode = TargetA1, Year = 2027, OrganizationType = PartyOrganizationType.Branch, SecretaryName = "刘文华",
        CommitteeSize = 7, CommitteeVacancies = 1, Members = 34, WomenMembers = 4,
        MemberAges = new MemberAges { Age30OrUnder = 2, Age31To40 = 5, Age41To45 = 4, Age46To60 = 12, AgeOver60 = 11 },
        Households = 301, Population = 1045, CollectiveOperatingIncomeYuan = 52_000,
    };

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task Collective_income_is_never_negative(DbProvider provider)
    {
        var host = await StartAsync(provider);
        var township = host.Organizations(TownshipA);
        var before = await Organizations(host);
        var negative = Profile();
        negative.CollectiveOperatingIncomeYuan = -1;
        Assert.Equal(["profile.collective_operating_income_yuan"], await Refused(() => township.SetProfileAsync(new SetProfileRequest { Profile = negative })));
        Assert.Equal(before, await Organizations(host));
        Assert.Equal(52_000, (await township.SetProfileAsync(new SetProfileRequest { Profile = Profile() })).CollectiveOperatingIncomeYuan);
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task A_progress_date_is_not_in_the_future_nor_before_the_plan_start_and_a_reopened_deadline_ends_with_the_look_back_year(DbProvider provider)
    {
        var host = await StartAsync(provider);
        var plan = await host.Measures(TownshipA).CreatePlanAsync(SimplePlan(TargetA1));
        var id = plan.Problems[0].Measures[1].Id;
        var village = host.Measures(TargetA1);
        SetShanghai(host, new DateTime(2027, 4, 2, 9, 0, 0));
        var before = await Snapshot(host);
        foreach (var on in new[] { D(1900, 1, 1), D(2027, 2, 28), D(2099, 1, 1) })
            Assert.Equal(["on"], await Refused(() => village.RecordProgressAsync(new RecordProgressRequest { MeasureId = id, Percent = 10, On = on })));
        Assert.Equal(before, await Snapshot(host));
        await village.RecordProgressAsync(new RecordProgressRequest { MeasureId = id, Percent = 10, On = D(2027, 3, 1) });
        await village.CompleteMeasureAsync(new CompleteMeasureRequest { MeasureId = id });

        before = await Snapshot(host);
        var township = host.Measures(TownshipA);
        Assert.Equal(["new_deadline"], await Refused(() => township.ReopenMeasureAsync(new ReopenMeasureRequest { MeasureId = id, Reason = "回头看发现路面破损", NewDeadline = D(2099, 1, 1) })));
        Assert.Equal(before, await Snapshot(host));
        await township.ReopenMeasureAsync(new ReopenMeasureRequest { MeasureId = id, Reason = "回头看发现路面破损", NewDeadline = D(2028, 6, 30) });
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task An_assignment_date_falls_from_the_year_before_its_campaign_year_to_its_end(DbProvider provider)
    {
        var host = await StartAsync(provider);
        var county = host.Organizations(County);
        var before = await Organizations(host);
        foreach (var on in new[] { D(1900, 1, 1), D(2025, 12, 31), D(2028, 1, 1), D(2099, 1, 1) })
            Assert.Equal(["assigned_on"], await Refused(() => county.AddAssignmentAsync(new AddAssignmentRequest
            {
                VillageCode = TargetA1, Year = 2027, Kind = AssignmentKind.FirstSecretary, Assignee = "肖文", AssignedOn = on,
            })));
        Assert.Equal(before, await Organizations(host));
        var added = await county.AddAssignmentAsync(new AddAssignmentRequest { VillageCode = TargetA1, Year = 2027, Kind = AssignmentKind.FirstSecretary, Assignee = "肖文", AssignedOn = D(2026, 11, 20) });
        Assert.Equal(D(2026, 11, 20), added.AssignedOn);
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task An_exception_is_for_a_month_that_is_over_and_lasts_at_most_to_the_end_of_its_look_back_year(DbProvider provider)
    {
        var host = await StartAsync(provider);
        var county = host.Reporting(County, "县委组织部", Role.Reviewer);
        SetShanghai(host, new DateTime(2027, 4, 16, 9, 0, 0));
        var before = await Reports(host);
        GrantExceptionRequest Grant(int month, Date until) => new() { TownshipCode = TownshipA, Period = new Period { Year = 2027, Month = month }, Reason = "汛期抢险，同意补报", Until = until };
        Assert.Equal(["period"], await Refused(() => county.GrantExceptionAsync(Grant(4, D(2027, 5, 20)))));  // this month: not over
        Assert.Equal(["period"], await Refused(() => county.GrantExceptionAsync(Grant(6, D(2027, 7, 20)))));  // to come
        Assert.Equal(["until"], await Refused(() => county.GrantExceptionAsync(Grant(3, D(2099, 1, 1)))));
        Assert.Equal(["until"], await Refused(() => county.GrantExceptionAsync(Grant(3, D(1900, 1, 1)))));
        Assert.Equal(before, await Reports(host));
        await county.GrantExceptionAsync(Grant(3, D(2027, 4, 20)));
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task Control_characters_are_refused_in_names_and_text_and_line_breaks_only_in_long_free_text(DbProvider provider)
    {
        var host = await StartAsync(provider);
        var county = host.Organizations(County);
        var township = host.Organizations(TownshipA);
        var orgsBefore = await Organizations(host);
        Assert.Equal(["name"], await Refused(() => county.RegisterUnitAsync(new RegisterUnitRequest { Code = "360731101204", Name = "新\u0000村" })));
        Assert.Equal(["name"], await Refused(() => county.RegisterUnitAsync(new RegisterUnitRequest { Code = "360731101204", Name = "新村\n村委会" })));
        Assert.Equal(["new_name"], await Refused(() => county.RenameUnitAsync(new RenameUnitRequest { Code = TargetA1, NewName = "上坪\u202E村" })));
        Assert.Equal(["assignee"], await Refused(() => county.AddAssignmentAsync(new AddAssignmentRequest { VillageCode = TargetA1, Year = 2027, Kind = AssignmentKind.WorkTeam, Assignee = "刘\u001b[2J文华" })));
        var profile = Profile();
        profile.SecretaryName = "刘\t文华";
        Assert.Equal(["profile.secretary_name"], await Refused(() => township.SetProfileAsync(new SetProfileRequest { Profile = profile })));
        var imported = await Import(host.Organizations(Nation, Role.Service, "admin"), ("360731101205", "石\u0007门村", TownshipA));
        Assert.Equal(new[] { ("360731101205", "name") }, imported.Errors.Select(e => (e.Code, e.Field)));
        Assert.Equal(orgsBefore, await Organizations(host));

        var measuresBefore = await Snapshot(host);
        var plan = SimplePlan(TargetA1);
        plan.Problems[0].Measures[0].ResponsiblePersons[0] = "陈\u0001建国";
        Assert.Equal(["problems[0].measures[0].responsible_persons[0]"], await Refused(() => host.Measures(TownshipA).CreatePlanAsync(plan)));
        Assert.Equal(measuresBefore, await Snapshot(host));
        var created = await host.Measures(TownshipA).CreatePlanAsync(SimplePlan(TargetA1));
        var village = host.Measures(TargetA1);
        var id = created.Problems[0].Measures[0].Id;
        Assert.Equal(["note"], await Refused(() => village.RecordProgressAsync(new RecordProgressRequest { MeasureId = id, Percent = 20, Note = "已完成\u0000" })));
        // A note is long free text: its lines are kept.
        await village.RecordProgressAsync(new RecordProgressRequest { MeasureId = id, Percent = 20, Note = "已开挖整修430米\n下一步：硬化" });

        SetShanghai(host, new DateTime(2027, 4, 2, 9, 0, 0));
        var reporting = host.Reporting(TownshipA);
        var reportsBefore = await Reports(host);
        PushReportRequest Push(string id, string workDone) => new()
        {
            ClientRequestId = id, TownshipCode = TownshipA, Period = new Period { Year = 2027, Month = 3 }, Submit = false,
            Villages = { new VillageEntry { VillageCode = TargetA1, WorkDone = workDone, NextMonthPlan = "完成产业路硬化" } },
        };
        Assert.Equal(["villages[0].work_done"], await Refused(() => reporting.PushReportAsync(Push("cc-1", "召开支委会\u0008"))));
        Assert.Equal(["client_request_id"], await Refused(() => reporting.PushReportAsync(Push("cc\u0000-2", "召开支委会"))));
        Assert.Equal(reportsBefore, await Reports(host));
        var saved = await reporting.PushReportAsync(Push("cc-3", "1. 召开支委会2次\n2. 推进产业路硬化"));
        Assert.Equal("1. 召开支委会2次\n2. 推进产业路硬化", saved.Villages[0].WorkDone);
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task Unknown_enum_values_and_negative_page_sizes_in_filters_are_refused_not_answered_with_nothing(DbProvider provider)
    {
        var host = await StartAsync(provider);
        var orgs = host.Organizations(County);
        Assert.Equal(["level"], await Refused(() => orgs.ListSubtreeAsync(new ListSubtreeRequest { Code = County, Level = (OrgLevel)99 })));
        Assert.Equal(["level"], await Refused(() => orgs.SearchUnitsAsync(new SearchUnitsRequest { Query = "村", Level = (OrgLevel)99 })));
        Assert.Equal(["page.page_size"], await Refused(() => orgs.ListSubtreeAsync(new ListSubtreeRequest { Code = County, Page = new PageRequest { PageSize = -1 } })));
        var stream = await Rpc.Refused(StatusCode.InvalidArgument, async () =>
        {
            using var call = orgs.StreamSubtree(new StreamSubtreeRequest { Code = County, Level = (OrgLevel)99 });
            while (await call.ResponseStream.MoveNext(CancellationToken.None)) { }
        });
        Assert.Equal(["level"], stream.Fields());

        var measures = host.Measures(County);
        Assert.Equal(["page.page_size"], await Refused(() => measures.ListMeasuresAsync(new ListMeasuresRequest { ScopeCode = County, Page = new PageRequest { PageSize = -1 } })));
        Assert.Equal(["statuses"], await Refused(() => measures.ListMeasuresAsync(new ListMeasuresRequest { ScopeCode = County, Statuses = { (MeasureStatus)42 } })));
        Assert.Equal(["sort"], await Refused(() => measures.ListMeasuresAsync(new ListMeasuresRequest { ScopeCode = County, Sort = (MeasureSort)42 })));
        Assert.Equal(["campaign_year"], await Refused(() => measures.ListMeasuresAsync(new ListMeasuresRequest { ScopeCode = County, CampaignYear = -1 })));
        Assert.Equal(["deadline_to"], await Refused(() => measures.ListMeasuresAsync(new ListMeasuresRequest { ScopeCode = County, DeadlineFrom = D(2027, 6, 1), DeadlineTo = D(2027, 5, 1) })));
        Assert.Equal(["campaign_year"], await Refused(() => measures.GetLedgerCountsAsync(new GetLedgerCountsRequest { ScopeCode = County, CampaignYear = 1900 })));

        var inbox = host.Notifications(TownshipA);
        Assert.Equal(["page.page_size"], await Refused(() => inbox.ListNotificationsAsync(new ListNotificationsRequest { UnitCode = TownshipA, Page = new PageRequest { PageSize = -5 } })));
        Assert.Equal(["kind"], await Refused(() => inbox.ListNotificationsAsync(new ListNotificationsRequest { UnitCode = TownshipA, Kind = "no-such-kind" })));
        Assert.Equal(["notification_id"], await Refused(() => inbox.ListDeliveriesAsync(new ListDeliveriesRequest { UnitCode = TownshipA, NotificationId = "x" })));

        Assert.Equal(["revision"], await Refused(() => host.Reporting(County).GetReportAsync(new GetReportRequest { UnitCode = TownshipA, Period = new Period { Year = 2027, Month = 3 }, Revision = -1 })));

        // The same filters with sane values answer.
        Assert.NotEmpty((await orgs.ListSubtreeAsync(new ListSubtreeRequest { Code = County, Level = OrgLevel.Village })).Units);
        await measures.ListMeasuresAsync(new ListMeasuresRequest { ScopeCode = County, CampaignYear = 2027, Page = new PageRequest { PageSize = 10 } });
        await inbox.ListNotificationsAsync(new ListNotificationsRequest { UnitCode = TownshipA, Kind = "measure-overdue" });
    }
}
