using Rectify.Events.Organizations;
using Rectify.Kernel;
using Rectify.Organizations;
using Rectify.Organizations.V1;
using Rectify.Platform.Identity;
using Rectify.Platform.Outbox;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;

namespace Rectify.Tests.Messaging;

/// <summary>
/// The distributed path: two service hosts, each with its own database, on a
/// real RabbitMQ broker. A change in one reaches the other through the outbox.
/// </summary>
public sealed class RabbitMqEndToEndTests : IAsyncLifetime
{
    // Each test gets a virtual host of its own: the broker is shared, and a test must see only its own events.
    private readonly RabbitMqVirtualHost _broker = new();

    public ValueTask InitializeAsync() => _broker.InitializeAsync();

    public ValueTask DisposeAsync() => _broker.DisposeAsync();

    private Dictionary<string, string?> OnRabbitMq() => new()
    {
        ["Rectify:Mode"] = "Distributed",
        ["Rectify:Auth:SigningKeyFile"] = TestIssuer.KeyFile,
        ["Rectify:Bus:Transport"] = "RabbitMq",
        ["Rectify:Bus:RabbitMqUri"] = _broker.Uri,
        // These tests are about the transport; every process logs in as one user, which therefore publishes every
        // service's events. BrokerTrustTests gives each service its own user.
        ["Rectify:Bus:Publishers:organizations"] = RabbitMqVirtualHost.SharedUser,
        ["Rectify:Bus:Publishers:measures"] = RabbitMqVirtualHost.SharedUser,
        ["Rectify:Bus:Publishers:assessment"] = RabbitMqVirtualHost.SharedUser,
        ["Rectify:Bus:Publishers:reporting"] = RabbitMqVirtualHost.SharedUser,
    };

    [Fact]
    public async Task A_unit_registered_in_organizations_is_consumed_by_another_service()
    {
        await using var directory = await TestHost.StartAsync(DbProvider.Sqlite, [new DirectoryModule()], OnRabbitMq());
        await using var organizations = await TestHost.StartAsync(DbProvider.Postgres, [new OrganizationsModule()], OnRabbitMq());
        var admin = organizations.Organizations("000000000000", Role.Service);
        await admin.RegisterUnitAsync(new RegisterUnitRequest { Code = "360000000000", Name = "江西省" });
        await admin.RegisterUnitAsync(new RegisterUnitRequest { Code = "360700000000", Name = "赣州市" });

        var log = directory.Get<Database<DirectoryModule>>();
        // Consumers run concurrently: the two events may arrive in either order.
        foreach (var code in new[] { "360000000000", "360700000000" })
            await DirectoryModule.WaitForAsync(log, code, $"the event for {code} to arrive over RabbitMQ");
        Assert.Equal(["360000000000", "360700000000"], await DirectoryModule.LoggedCodes(log));
    }

    [Fact]
    public async Task Events_committed_before_a_crash_are_published_when_the_service_comes_back()
    {
        await using var directory = await TestHost.StartAsync(DbProvider.Sqlite, [new DirectoryModule()], OnRabbitMq());
        await using var storage = TestStorage.Create(DbProvider.Sqlite);
        // The organizations process committed a change and died before its relay ran: the event sits in the outbox.
        var database = new Database<OrganizationsModule>("organizations", DbProvider.Sqlite, storage.ConnectionString("organizations"));
        await Migrator.MigrateAsync(database, typeof(OrganizationsModule).Assembly);
        await database.WriteAsync(session => session.PublishAsync(new UnitRegistered("360731101201", "上坪村", OrgLevel.Village, "360731101000", DateTimeOffset.UtcNow)));

        await using var restarted = await TestHost.StartAsync(DbProvider.Sqlite, [new OrganizationsModule()], OnRabbitMq(), storage: storage);
        var log = directory.Get<Database<DirectoryModule>>();
        await DirectoryModule.WaitForAsync(log, "360731101201", "the pending event to be relayed after the restart");
        Assert.Equal(["360731101201"], await DirectoryModule.LoggedCodes(log));
    }

    [Fact]
    public async Task Targets_designated_over_RabbitMQ_get_plans_and_their_overdue_measures_reach_another_service()
    {
        await using var directory = await TestHost.StartAsync(DbProvider.Sqlite, [new DirectoryModule()], OnRabbitMq());
        var settings = OnRabbitMq();
        settings["Rectify:Measures:ScheduleScans"] = "false";
        await using var measures = await TestHost.StartAsync(DbProvider.Postgres, [new Rectify.Measures.MeasuresModule()], settings);
        Measures.MeasuresFixture.SetShanghai(measures, new DateTime(2027, 3, 1, 10, 0, 0));
        // The directory host publishes as the assessment service will; the measures host consumes it from RabbitMQ.
        await directory.PublishAsync(new Rectify.Events.Assessment.TargetsDesignated(
            Measures.MeasuresFixture.County, 2027, new DateOnly(2027, 12, 31), [new("360731101201", "上坪村", "铁山垅镇")], DateTimeOffset.UtcNow));
        var township = Measures.MeasuresFixture.Measures(measures, "360731101000");
        // Refused (FailedPrecondition: not a target) until the designation has crossed the broker.
        await Poll.Until(async () => await township.CreatePlanAsync(Measures.MeasuresFixture.SimplePlan("360731101201", new DateOnly(2027, 4, 30))),
            "the plan to be accepted once TargetsDesignated arrived over RabbitMQ");

        Measures.MeasuresFixture.SetShanghai(measures, new DateTime(2027, 5, 1, 7, 0, 0));
        var scan = await Measures.MeasuresFixture.Measures(measures, Measures.MeasuresFixture.County).RunDeadlineScanAsync(new Rectify.Measures.V1.RunDeadlineScanRequest());
        Assert.Equal(3, scan.Overdue);
        var log = directory.Get<Database<DirectoryModule>>();
        await Poll.UntilCount(async () => (await DirectoryModule.LoggedCodes(log)).Count, 3, "overdue occurrences logged by the directory host");
        Assert.Equal(["360731101201", "360731101201", "360731101201"], await DirectoryModule.LoggedCodes(log));
    }

    [Fact]
    public async Task Designation_and_a_failed_acceptance_cross_RabbitMQ_between_the_assessment_and_measures_processes()
    {
        // Two processes: organizations + measures in one, assessment in the other, each with its own database.
        var settings = OnRabbitMq();
        settings["Rectify:Measures:ScheduleScans"] = "false";
        await using var ledger = await Assessment.AssessmentFixture.StartAsync(DbProvider.Postgres, settings,
            [new Rectify.Organizations.OrganizationsModule(), new Rectify.Measures.MeasuresModule()]);
        var assessmentSettings = OnRabbitMq();
        assessmentSettings["Rectify:Endpoints:organizations"] = ledger.GrpcUrl;
        assessmentSettings["Rectify:Endpoints:measures"] = ledger.GrpcUrl;
        await using var assessment = await Assessment.AssessmentFixture.StartAsync(DbProvider.Sqlite, assessmentSettings, [new Rectify.Assessment.AssessmentModule()]);
        await Assessment.AssessmentFixture.ImportCountyAsync(ledger);
        Measures.MeasuresFixture.SetShanghai(assessment, new DateTime(2027, 6, 20, 9, 0, 0));
        Measures.MeasuresFixture.SetShanghai(ledger, new DateTime(2027, 6, 20, 9, 0, 0));

        var county = Assessment.AssessmentFixture.Assessment(assessment, Assessment.AssessmentFixture.County, Rectify.Kernel.Role.Reviewer);
        var campaign = await county.CreateCampaignAsync(new Rectify.Assessment.V1.CreateCampaignRequest { CountyCode = Assessment.AssessmentFixture.County, Year = 2027 });
        Assert.Equal(41, campaign.Branches.Count);
        var weak = Assessment.AssessmentFixture.Village(Assessment.AssessmentFixture.T1, 1);
        await Assessment.AssessmentFixture.AssessAllAsync(assessment, campaign.Id, new()
        {
            [weak] = new Rectify.Assessment.V1.RecordAssessmentRequest { Votes = Assessment.AssessmentFixture.Votes(10, 30, 60), Committee = Assessment.AssessmentFixture.Committee(40) },
        });
        foreach (var p in (await county.ProposeTargetsAsync(new Rectify.Assessment.V1.ProposeTargetsRequest { CampaignId = campaign.Id })).Proposals)
            await county.ReviewProposalAsync(new Rectify.Assessment.V1.ReviewProposalRequest { CampaignId = campaign.Id, VillageCode = p.Branch.VillageCode, Confirm = p.Branch.VillageCode == weak, Reason = "县委确定", OverrideReason = "测试" });
        await county.ConfirmTargetsAsync(new Rectify.Assessment.V1.ConfirmTargetsRequest { CampaignId = campaign.Id });

        // TargetsDesignated crossed the broker: the measures process now accepts the target's plan.
        var township = Measures.MeasuresFixture.Measures(ledger, Assessment.AssessmentFixture.T1);
        var plan = await Poll.Until(() => township.CreatePlanAsync(Measures.MeasuresFixture.SimplePlan(weak)).ResponseAsync);
        var village = Measures.MeasuresFixture.Measures(ledger, weak);
        foreach (var m in plan.Problems.SelectMany(p => p.Measures))
        {
            await village.RecordProgressAsync(new Rectify.Measures.V1.RecordProgressRequest { MeasureId = m.Id, Percent = 100 });
            await village.CompleteMeasureAsync(new Rectify.Measures.V1.CompleteMeasureRequest { MeasureId = m.Id });
            await township.CloseMeasureAsync(new Rectify.Measures.V1.CloseMeasureRequest { MeasureId = m.Id, Verifier = "组织委员" });
        }

        // Acceptance asks the measures process over gRPC, fails, and AcceptanceFailed comes back over the broker to reopen them.
        var result = await county.RecordAcceptanceAsync(new Rectify.Assessment.V1.RecordAcceptanceRequest
        {
            CampaignId = campaign.Id, VillageCode = weak, Votes = Assessment.AssessmentFixture.Votes(40, 20, 40), NewDeadline = Measures.MeasuresFixture.D(2027, 9, 30),
            Aspects = { new Rectify.Assessment.V1.AspectScore { Aspect = "综合", Score = 60 } },
        });
        Assert.False(result.Passed);
        var ledgerCounts = Measures.MeasuresFixture.Measures(ledger, Assessment.AssessmentFixture.County);
        await Poll.Until(async () =>
        {
            var counts = await ledgerCounts.GetLedgerCountsAsync(new Rectify.Measures.V1.GetLedgerCountsRequest { ScopeCode = weak });
            return counts.Total.Reopened == 3 ? true : throw new InvalidOperationException($"{counts.Total.Reopened} reopened");
        });
    }

    [Fact]
    public async Task A_township_push_in_one_process_reaches_the_county_view_of_a_gateway_in_another()
    {
        var settings = OnRabbitMq();
        settings["Rectify:Measures:ScheduleScans"] = "false";
        settings["Rectify:Reporting:ScheduleScans"] = "false";
        await using var services = await TestHost.StartAsync(DbProvider.Postgres,
            [new Rectify.Organizations.OrganizationsModule(), new Rectify.Measures.MeasuresModule(), new Rectify.Reporting.ReportingModule()], settings);
        var gatewaySettings = OnRabbitMq();
        gatewaySettings["Rectify:Endpoints:measures"] = services.GrpcUrl;
        gatewaySettings["Rectify:Endpoints:reporting"] = services.GrpcUrl;
        await using var gateway = await TestHost.StartAsync(DbProvider.Sqlite, [new Rectify.Gateway.GatewayModule()], gatewaySettings);
        await Gateway.GatewaySpec.PrepareAsync(gateway, services);
        var march = new Rectify.Common.V1.Period { Year = 2027, Month = 3 };
        Measures.MeasuresFixture.SetShanghai(services, new DateTime(2027, 4, 3, 9, 0, 0));
        Measures.MeasuresFixture.SetShanghai(gateway, new DateTime(2027, 4, 3, 9, 0, 0));
        await Gateway.GatewaySpec.Until(gateway, Measures.MeasuresFixture.County, march, p => p.Targets.Total == 3 && p.Measures.Total == 3);

        await Reporting.ReportingClients.Reporting(services, Measures.MeasuresFixture.TownshipA).PushReportAsync(new Rectify.Reporting.V1.PushReportRequest
        {
            ClientRequestId = "mq-1", TownshipCode = Measures.MeasuresFixture.TownshipA, Period = march, Submit = true,
            Villages =
            {
                new Rectify.Reporting.V1.VillageEntry { VillageCode = Measures.MeasuresFixture.TargetA1, WorkDone = "召开支委会", NextMonthPlan = "推进", Indicators = new() { MeetingsHeld = 3 } },
                new Rectify.Reporting.V1.VillageEntry { VillageCode = Measures.MeasuresFixture.TargetA2, WorkDone = "走访群众", NextMonthPlan = "推进", Indicators = new() { MeetingsHeld = 2 } },
            },
        });
        var county = await Gateway.GatewaySpec.Until(gateway, Measures.MeasuresFixture.County, march, p => p.Reports.Received == 1);
        Assert.Equal((1, 5), (county.Reports.OnTime, county.Indicators.MeetingsHeld));
    }
}
