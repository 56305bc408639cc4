using Grpc.Core;
using Rectify.Kernel;
using Rectify.Measures.V1;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;
using static Rectify.Tests.Measures.MeasuresFixture;

namespace Rectify.Tests.Measures;

/// <summary>Plans, the measure workflow and the ledger through real gRPC, on SQLite and on PostgreSQL.</summary>
public abstract class MeasuresSpec(DbProvider provider) : IAsyncLifetime
{
    protected TestHost Host = null!;
    protected MeasureService.MeasureServiceClient TownshipA = null!;
    protected MeasureService.MeasureServiceClient CountyOffice = null!;

    public async ValueTask InitializeAsync()
    {
        Host = await StartAsync(provider);
        TownshipA = Host.Measures(MeasuresFixture.TownshipA, subject: "铁山垅镇党建办");
        CountyOffice = Host.Measures(County, subject: "县委组织部");
    }

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();

    [Fact]
    public async Task A_plan_for_a_designated_target_keeps_its_problems_and_measures_as_written()
    {
        var plan = await TownshipA.CreatePlanAsync(SimplePlan(TargetA1));
        Assert.Equal(("上坪村", 2, 3), (plan.VillageName, plan.Problems.Count, plan.Problems.Sum(p => p.Measures.Count)));
        Assert.Equal(["集中整顿", "自查评估", "巩固提高"], plan.Phases.Select(p => p.Name));
        Assert.Equal(CampaignEnd, new DateOnly(plan.CampaignEndsOn.Year, plan.CampaignEndsOn.Month, plan.CampaignEndsOn.Day));
        var first = plan.Problems[0].Measures[0];
        Assert.Equal((MeasureStatus.NotStarted, true, "COLLECTIVE_ECONOMY"), (first.Status, first.Ongoing, first.CategoryCode));
        Assert.Equal(["刘文华", "陈建国"], first.ResponsiblePersons);

        var byVillage = await CountyOffice.GetPlanAsync(new GetPlanRequest { VillageYear = new VillageYear { VillageCode = TargetA1, CampaignYear = Year } });
        Assert.Equal(plan, byVillage);
        Assert.Single(await Outbox(Host, "PlanCreated"));
        Assert.Equal(3, (await Outbox(Host, "MeasureCreated")).Count);
        await Rpc.Refused(StatusCode.AlreadyExists, () => TownshipA.CreatePlanAsync(SimplePlan(TargetA1)));
    }

    [Fact]
    public async Task A_plan_for_a_village_that_is_not_a_target_is_refused_and_nothing_is_written()
    {
        var before = await Snapshot(Host);
        var refused = await Rpc.Refused(StatusCode.FailedPrecondition, () => TownshipA.CreatePlanAsync(SimplePlan(NotATarget)));
        Assert.Equal("NOT_A_TARGET", refused.PreconditionType());
        Assert.Equal(before, await Snapshot(Host));
    }

    [Fact]
    public async Task Bad_measures_in_a_plan_are_named_field_by_field_and_nothing_is_written()
    {
        var request = SimplePlan(TargetA1);
        request.Problems[0].Measures[1].Deadline = D(2027, 2, 28);                 // before the plan starts
        request.Problems[0].Measures[1].ResponsiblePersons.Clear();                // nobody responsible
        request.Problems[1].CategoryCode = "NO_SUCH_CATEGORY";                      // unknown category
        request.Problems[1].Measures[0].Deadline = D(2028, 1, 15);                 // after the campaign, not ongoing
        var before = await Snapshot(Host);
        var shape = await Rpc.Refused(StatusCode.InvalidArgument, () => TownshipA.CreatePlanAsync(request));
        Assert.Equal(["problems[0].measures[1].responsible_persons"], shape.Fields());
        Assert.Equal(before, await Snapshot(Host));

        request.Problems[0].Measures[1].ResponsiblePersons.Add("陈建国");
        var late = await Rpc.Refused(StatusCode.InvalidArgument, () => TownshipA.CreatePlanAsync(request));
        Assert.Equal(["problems[0].measures[1].deadline", "problems[1].category_code", "problems[1].measures[0].deadline"], late.Fields().Order());
        Assert.Equal(before, await Snapshot(Host));

        // An ongoing measure (长期坚持) may run past the campaign's end.
        request.Problems[0].Measures[1].Deadline = D(2027, 4, 30);
        request.Problems[1].CategoryCode = "WEAK_LEADERSHIP";
        request.Problems[1].Measures[0].Ongoing = true;
        Assert.Equal(3, (await TownshipA.CreatePlanAsync(request)).Problems.Sum(p => p.Measures.Count));
    }

    [Fact]
    public async Task A_measure_goes_from_not_started_to_closed_and_back_with_every_step_in_its_history()
    {
        var plan = await TownshipA.CreatePlanAsync(SimplePlan(TargetA1));
        var id = plan.Problems[0].Measures[1].Id;
        var village = Host.Measures(TargetA1, subject: "上坪村支部");

        var progressed = await village.RecordProgressAsync(new RecordProgressRequest { MeasureId = id, Percent = 40, Note = "已开挖整修430米", Evidence = { "photo-001.jpg" } });
        Assert.Equal((MeasureStatus.InProgress, 40), (progressed.Status, progressed.Percent));
        Assert.Equal(MeasureStatus.Completed, (await village.CompleteMeasureAsync(new CompleteMeasureRequest { MeasureId = id, Note = "道路硬化完成" })).Status);
        var closed = await TownshipA.CloseMeasureAsync(new CloseMeasureRequest { MeasureId = id, Verifier = "谢德明", Note = "现场核查属实" });
        Assert.Equal(MeasureStatus.Closed, closed.Status);

        MeasuresFixture.SetShanghai(Host, new DateTime(2027, 7, 10, 9, 0, 0));
        var reopened = await CountyOffice.ReopenMeasureAsync(new ReopenMeasureRequest { MeasureId = id, Reason = "回头看发现路面破损", NewDeadline = D(2027, 8, 31) });
        Assert.Equal((MeasureStatus.Reopened, 1, 8), (reopened.Status, reopened.ReopenCount, reopened.Deadline.Month));
        await village.RecordProgressAsync(new RecordProgressRequest { MeasureId = id, Percent = 80 });

        var detail = await CountyOffice.GetMeasureAsync(new GetMeasureRequest { MeasureId = id });
        Assert.Equal([MeasureChangeKind.Created, MeasureChangeKind.Progressed, MeasureChangeKind.Completed, MeasureChangeKind.Closed, MeasureChangeKind.Reopened, MeasureChangeKind.Progressed],
            detail.History.Select(h => h.Kind));
        Assert.Equal(["铁山垅镇党建办", "上坪村支部", "上坪村支部", "铁山垅镇党建办", "县委组织部", "上坪村支部"], detail.History.Select(h => h.RecordedBy));
        Assert.Equal(("谢德明", "photo-001.jpg", 8), (detail.History[3].Verifier, detail.History[1].Evidence.Single(), detail.History[4].NewDeadline.Month));
        Assert.Equal(40, detail.History[1].Percent);
        Assert.True(detail.History[4].RecordedAt.ToDateTimeOffset() > detail.History[3].RecordedAt.ToDateTimeOffset());
        Assert.Equal(MeasureStatus.InProgress, detail.Measure.Status);
        foreach (var name in new[] { "MeasureProgressed", "MeasureCompleted", "MeasureClosed", "MeasureReopened" })
            Assert.NotEmpty(await Outbox(Host, name));
    }

    [Fact]
    public async Task Transitions_out_of_order_and_bad_updates_are_refused_and_change_nothing()
    {
        var plan = await TownshipA.CreatePlanAsync(SimplePlan(TargetA1));
        var id = plan.Problems[0].Measures[0].Id;
        var village = Host.Measures(TargetA1);
        var before = await Snapshot(Host);

        Assert.Equal("INVALID_TRANSITION", (await Rpc.Refused(StatusCode.FailedPrecondition, () => village.CompleteMeasureAsync(new CompleteMeasureRequest { MeasureId = id }))).PreconditionType());
        await Rpc.Refused(StatusCode.FailedPrecondition, () => TownshipA.CloseMeasureAsync(new CloseMeasureRequest { MeasureId = id, Verifier = "谢德明" }));
        await Rpc.Refused(StatusCode.FailedPrecondition, () => TownshipA.ReopenMeasureAsync(new ReopenMeasureRequest { MeasureId = id, Reason = "x", NewDeadline = D(2027, 9, 1) }));
        Assert.Equal(["percent"], (await Rpc.Refused(StatusCode.InvalidArgument, () => village.RecordProgressAsync(new RecordProgressRequest { MeasureId = id, Percent = 101 }))).Fields());
        Assert.Equal(["on"], (await Rpc.Refused(StatusCode.InvalidArgument, () => village.RecordProgressAsync(new RecordProgressRequest { MeasureId = id, Percent = 10, On = D(2027, 3, 2) }))).Fields());
        await Rpc.Refused(StatusCode.InvalidArgument, () => village.RecordProgressAsync(new RecordProgressRequest { MeasureId = "not-an-id", Percent = 10 }));
        await Rpc.Refused(StatusCode.NotFound, () => village.RecordProgressAsync(new RecordProgressRequest { MeasureId = Guid.NewGuid().ToString(), Percent = 10 }));
        Assert.Equal(before, await Snapshot(Host));

        await village.RecordProgressAsync(new RecordProgressRequest { MeasureId = id, Percent = 90 });
        await village.CompleteMeasureAsync(new CompleteMeasureRequest { MeasureId = id });
        before = await Snapshot(Host);
        // Closing (销号) is the township's: the village that did the work cannot verify it.
        await Rpc.Refused(StatusCode.PermissionDenied, () => village.CloseMeasureAsync(new CloseMeasureRequest { MeasureId = id, Verifier = "自己" }));
        // Another township's measure does not exist for it: NotFound, as for an unknown id.
        await Rpc.Refused(StatusCode.NotFound, () => Host.Measures(MeasuresFixture.TownshipB).CloseMeasureAsync(new CloseMeasureRequest { MeasureId = id, Verifier = "外乡" }));
        await Rpc.Refused(StatusCode.PermissionDenied, () => Host.Measures(MeasuresFixture.TownshipA, Role.Viewer).CloseMeasureAsync(new CloseMeasureRequest { MeasureId = id, Verifier = "谢德明" }));
        Assert.Equal(["verifier"], (await Rpc.Refused(StatusCode.InvalidArgument, () => TownshipA.CloseMeasureAsync(new CloseMeasureRequest { MeasureId = id }))).Fields());
        Assert.Equal(["new_deadline"], (await Rpc.Refused(StatusCode.InvalidArgument, () => TownshipA.ReopenMeasureAsync(new ReopenMeasureRequest { MeasureId = id, Reason = "x", NewDeadline = D(2027, 2, 1) }))).Fields());
        Assert.Equal(before, await Snapshot(Host));

        await TownshipA.CloseMeasureAsync(new CloseMeasureRequest { MeasureId = id, Verifier = "谢德明" });
        before = await Snapshot(Host);
        Assert.Equal("INVALID_TRANSITION", (await Rpc.Refused(StatusCode.FailedPrecondition, () => village.RecordProgressAsync(new RecordProgressRequest { MeasureId = id, Percent = 100 }))).PreconditionType());
        Assert.Equal(before, await Snapshot(Host));
    }

    [Fact]
    public async Task Overdue_is_derived_from_the_deadline_in_Shanghai_and_the_status()
    {
        var plan = await TownshipA.CreatePlanAsync(SimplePlan(TargetA1, deadline: new DateOnly(2027, 4, 30)));
        var id = plan.Problems[1].Measures[0].Id;
        async Task<Measure> Read() => (await CountyOffice.GetMeasureAsync(new GetMeasureRequest { MeasureId = id })).Measure;

        MeasuresFixture.SetShanghai(Host, new DateTime(2027, 4, 30, 23, 59, 0));
        Assert.False((await Read()).Overdue);
        MeasuresFixture.SetShanghai(Host, new DateTime(2027, 5, 1, 0, 0, 0)); // 16:00 UTC on 30 April
        Assert.Equal((true, 1), ((await Read()).Overdue, (await Read()).DaysOverdue));
        var village = Host.Measures(TargetA1);
        await village.RecordProgressAsync(new RecordProgressRequest { MeasureId = id, Percent = 50 });
        Assert.True((await Read()).Overdue); // progress alone does not end it
        await village.CompleteMeasureAsync(new CompleteMeasureRequest { MeasureId = id });
        Assert.Equal((false, 0), ((await Read()).Overdue, (await Read()).DaysOverdue));
    }

    [Fact]
    public async Task The_ledger_of_a_unit_is_filtered_sorted_paged_and_limited_to_the_callers_units()
    {
        await TownshipA.CreatePlanAsync(SimplePlan(TargetA1));
        await TownshipA.CreatePlanAsync(SimplePlan(TargetA2));
        var planB = await Host.Measures(MeasuresFixture.TownshipB).CreatePlanAsync(SimplePlan(TargetB1));
        await Host.Measures(TargetB1).RecordProgressAsync(new RecordProgressRequest { MeasureId = planB.Problems[1].Measures[0].Id, Percent = 10 });
        MeasuresFixture.SetShanghai(Host, new DateTime(2027, 6, 5, 9, 0, 0)); // the 05-31 measures are now overdue

        var all = await CountyOffice.ListMeasuresAsync(new ListMeasuresRequest { ScopeCode = County });
        Assert.Equal(9, all.TotalSize);
        Assert.Equal(all.Measures.Select(m => (m.Deadline.Month, m.Deadline.Day)).Order(), all.Measures.Select(m => (m.Deadline.Month, m.Deadline.Day)));

        var township = await TownshipA.ListMeasuresAsync(new ListMeasuresRequest { ScopeCode = MeasuresFixture.TownshipA });
        Assert.Equal(6, township.TotalSize);
        await Rpc.Refused(StatusCode.PermissionDenied, () => TownshipA.ListMeasuresAsync(new ListMeasuresRequest { ScopeCode = County }));
        await Rpc.Refused(StatusCode.PermissionDenied, () => TownshipA.ListMeasuresAsync(new ListMeasuresRequest { ScopeCode = MeasuresFixture.TownshipB }));

        var overdue = await CountyOffice.ListMeasuresAsync(new ListMeasuresRequest { ScopeCode = County, OverdueOnly = true });
        Assert.Equal(3, overdue.TotalSize);
        Assert.All(overdue.Measures, m => Assert.Equal((true, 5), (m.Overdue, m.DaysOverdue)));
        Assert.Equal(1, (await CountyOffice.ListMeasuresAsync(new ListMeasuresRequest { ScopeCode = County, Statuses = { MeasureStatus.InProgress } })).TotalSize);
        Assert.Equal(6, (await CountyOffice.ListMeasuresAsync(new ListMeasuresRequest { ScopeCode = County, CategoryCode = "COLLECTIVE_ECONOMY" })).TotalSize);
        Assert.Equal(3, (await CountyOffice.ListMeasuresAsync(new ListMeasuresRequest { ScopeCode = County, ResponsiblePerson = "陈建国" })).TotalSize);
        Assert.Equal(0, (await CountyOffice.ListMeasuresAsync(new ListMeasuresRequest { ScopeCode = County, ResponsiblePerson = "陈建" })).TotalSize);
        Assert.Equal(3, (await CountyOffice.ListMeasuresAsync(new ListMeasuresRequest { ScopeCode = County, DeadlineFrom = D(2027, 6, 1), DeadlineTo = D(2027, 6, 30) })).TotalSize);

        var pages = new List<string>();
        var token = "";
        do
        {
            var page = await CountyOffice.ListMeasuresAsync(new ListMeasuresRequest { ScopeCode = County, Sort = MeasureSort.Village, Page = new Common.V1.PageRequest { PageSize = 4, PageToken = token } });
            pages.AddRange(page.Measures.Select(m => m.Id));
            token = page.Page.NextPageToken;
        } while (token != "");
        Assert.Equal(all.Measures.Select(m => m.Id).Order(), pages.Order());
        Assert.Equal(9, pages.Distinct().Count());

        Assert.Equal(["page.page_size"], (await Rpc.Refused(StatusCode.InvalidArgument, () => CountyOffice.ListMeasuresAsync(
            new ListMeasuresRequest { ScopeCode = County, Page = new Common.V1.PageRequest { PageSize = 501 } }))).Fields());
    }

    [Fact]
    public async Task Counts_answer_for_a_whole_subtree_by_child_unit_and_by_target()
    {
        var planA1 = await TownshipA.CreatePlanAsync(SimplePlan(TargetA1));
        await TownshipA.CreatePlanAsync(SimplePlan(TargetA2));
        await Host.Measures(MeasuresFixture.TownshipB).CreatePlanAsync(SimplePlan(TargetB1));
        var village = Host.Measures(TargetA1);
        var done = planA1.Problems[0].Measures;
        foreach (var m in done)
        {
            await village.RecordProgressAsync(new RecordProgressRequest { MeasureId = m.Id, Percent = 100 });
            await village.CompleteMeasureAsync(new CompleteMeasureRequest { MeasureId = m.Id });
        }
        await TownshipA.CloseMeasureAsync(new CloseMeasureRequest { MeasureId = done[0].Id, Verifier = "谢德明" });
        MeasuresFixture.SetShanghai(Host, new DateTime(2027, 6, 1, 9, 0, 0));

        var counts = await CountyOffice.GetLedgerCountsAsync(new GetLedgerCountsRequest { ScopeCode = County });
        Assert.Equal((9, 1, 1, 3), (counts.Total.Total, counts.Total.Completed, counts.Total.Closed, counts.Total.Overdue));
        Assert.Equal([MeasuresFixture.TownshipA, MeasuresFixture.TownshipB], counts.Children.Select(c => c.Code));
        Assert.Equal((6, 1, 1, 2), (counts.Children[0].Counts.Total, counts.Children[0].Counts.Completed, counts.Children[0].Counts.Closed, counts.Children[0].Counts.Overdue));
        Assert.Equal([TargetA1, TargetA2, TargetB1], counts.Targets.Select(t => t.VillageCode));
        Assert.Equal(("上坪村", 3, 1), (counts.Targets[0].VillageName, counts.Targets[0].Counts.Total, counts.Targets[0].Counts.Closed));

        var one = await TownshipA.GetLedgerCountsAsync(new GetLedgerCountsRequest { ScopeCode = TargetA2, CampaignYear = Year });
        Assert.Equal((3, 1), (one.Total.Total, one.Total.Overdue));
        Assert.Empty(one.Children);
        Assert.Equal(0, (await CountyOffice.GetLedgerCountsAsync(new GetLedgerCountsRequest { ScopeCode = County, CampaignYear = 2026 })).Total.Total);
    }

    [Fact]
    public async Task Every_wrong_field_of_a_counts_or_export_request_is_named_at_once()
    {
        var counts = await Rpc.Refused(StatusCode.InvalidArgument, () => CountyOffice.GetLedgerCountsAsync(
            new GetLedgerCountsRequest { ScopeCode = "36073", CampaignYear = 1999 }));
        Assert.Equal(["campaign_year", "scope_code"], counts.Fields().Order());

        var export = await Rpc.Refused(StatusCode.InvalidArgument, async () =>
        {
            using var call = CountyOffice.ExportLedger(new ExportLedgerRequest { ScopeCode = "36073", Format = (ExportFormat)9 });
            while (await call.ResponseStream.MoveNext(CancellationToken.None)) { }
        });
        Assert.Equal(["format", "scope_code"], export.Fields().Order());
    }

    [Fact]
    public async Task Categories_are_reference_data_set_by_an_admin_of_a_county_or_above()
    {
        var categories = await TownshipA.ListProblemCategoriesAsync(new ListProblemCategoriesRequest());
        Assert.Contains(categories.Categories, c => c.Code == "CLAN_INTERFERENCE" && c.HelpingDepartments.Contains("司法局"));
        await Rpc.Refused(StatusCode.PermissionDenied, () => TownshipA.SetProblemCategoryAsync(new ProblemCategory { Code = "NEW_ONE", Name = "新类别" }));
        // Reference data is an admin's work (docs/reference-data.md); the county's officer is refused too.
        await Rpc.Refused(StatusCode.PermissionDenied, () => CountyOffice.SetProblemCategoryAsync(new ProblemCategory { Code = "NEW_ONE", Name = "新类别" }));
        var countyAdmin = Host.Measures(County, Role.Admin, "县委组织部管理员");
        Assert.Equal(["code"], (await Rpc.Refused(StatusCode.InvalidArgument, () => countyAdmin.SetProblemCategoryAsync(new ProblemCategory { Code = "bad code", Name = "x" }))).Fields());
        await countyAdmin.SetProblemCategoryAsync(new ProblemCategory { Code = "ENVIRONMENT", Name = "人居环境整治滞后", HelpingDepartments = { "生态环境局" } });
        var request = SimplePlan(TargetA1);
        request.Problems[1].CategoryCode = "ENVIRONMENT";
        Assert.Equal("ENVIRONMENT", (await TownshipA.CreatePlanAsync(request)).Problems[1].CategoryCode);
    }
}

public sealed class MeasuresOnSqlite() : MeasuresSpec(DbProvider.Sqlite);

public sealed class MeasuresOnPostgres() : MeasuresSpec(DbProvider.Postgres);
