using Dapper;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using Rectify.Common.V1;
using Rectify.Host;
using Rectify.Organizations;
using Rectify.Organizations.Demo;
using Rectify.Organizations.V1;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;

namespace Rectify.Tests.Host;

/// <summary>What a new user meets: health, reflection, and the demo county.</summary>
public sealed class StandaloneHostTests
{
    [Fact]
    public async Task Health_says_serving_and_reflection_lists_the_services()
    {
        await using var host = await TestHost.StartAsync(DbProvider.Sqlite, ServiceCatalog.All);
        var health = await new Health.HealthClient(host.Channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);

        using var http = new HttpClient();
        // Degraded for a moment at a first start, while the gateway rebuilds its empty read model from the services.
        await Poll.Until(async () => await http.GetStringAsync(host.HttpUrl + "/healthz") is "Healthy" ? true : throw new InvalidOperationException("not healthy yet"), "health to settle");

        using var reflection = new ServerReflection.ServerReflectionClient(host.Channel).ServerReflectionInfo();
        await reflection.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await reflection.RequestStream.CompleteAsync();
        Assert.True(await reflection.ResponseStream.MoveNext(CancellationToken.None));
        var services = reflection.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("rectify.organizations.v1.OrganizationService", services);
        Assert.Contains("grpc.health.v1.Health", services);
        Assert.Contains("rectify.measures.v1.MeasureService", services);
    }

    [Fact]
    public async Task The_demo_county_is_loaded_once_with_profiles_and_assignments()
    {
        await using var storage = TestStorage.Create(DbProvider.Sqlite);
        var demo = new Dictionary<string, string?> { ["Rectify:Demo"] = "true" };
        Task<int> CountUnits(TestHost host) =>
            host.Get<Database<OrganizationsModule>>().ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM units"));
        int loaded;
        await using (var first = await TestHost.StartAsync(DbProvider.Sqlite, settings: demo, storage: storage))
        {
            var county = first.Organizations(DemoCounty.CountyCode, subject: "county");
            var townships = await county.ListChildrenAsync(new ListChildrenRequest { Code = DemoCounty.CountyCode });
            Assert.True(townships.Units.Count >= 10, $"{townships.Units.Count} townships");
            var villages = await county.ListSubtreeAsync(new ListSubtreeRequest { Code = DemoCounty.CountyCode, Level = OrgLevel.Village, Page = new PageRequest { PageSize = 1000 } });
            Assert.True(villages.Units.Count >= 150, $"{villages.Units.Count} villages");

            var year = first.Clock.GetUtcNow().Year;
            var profile = await county.GetProfileAsync(new GetProfileRequest { VillageCode = villages.Units[0].Code, Year = year });
            Assert.InRange(profile.Members, 18, 65);
            Assert.Equal(profile.Members, profile.MemberAges.Age30OrUnder + profile.MemberAges.Age31To40 + profile.MemberAges.Age41To45 + profile.MemberAges.Age46To60 + profile.MemberAges.AgeOver60);
            var assigned = await first.Get<Database<OrganizationsModule>>().ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(DISTINCT village_code) FROM assignments"));
            Assert.True(assigned >= 15, $"{assigned} villages with assignments");
            loaded = await CountUnits(first);
        }
        await using var second = await TestHost.StartAsync(DbProvider.Sqlite, settings: demo, storage: storage);
        Assert.Equal(loaded, await CountUnits(second));
    }

    [Fact]
    public async Task The_demo_ledger_has_plans_for_the_targets_and_some_measures_overdue_today()
    {
        await using var host = await TestHost.StartAsync(DbProvider.Sqlite, ServiceCatalog.All, new Dictionary<string, string?> { ["Rectify:Demo"] = "true" });
        var county = new Rectify.Measures.V1.MeasureService.MeasureServiceClient(host.As(DemoCounty.CountyCode));
        var counts = await county.GetLedgerCountsAsync(new Rectify.Measures.V1.GetLedgerCountsRequest { ScopeCode = DemoCounty.CountyCode });
        Assert.Equal(15, counts.Targets.Count);
        Assert.True(counts.Children.Count >= 10, $"{counts.Children.Count} townships with plans");
        Assert.True(counts.Total.Overdue > 0 && counts.Total.Closed > 0 && counts.Total.Total > counts.Total.Overdue + counts.Total.Closed, $"{counts.Total}");
        var overdue = await county.ListMeasuresAsync(new Rectify.Measures.V1.ListMeasuresRequest { ScopeCode = DemoCounty.CountyCode, OverdueOnly = true });
        Assert.Equal(counts.Total.Overdue, overdue.TotalSize);

        // The deadline scan at start publishes today's occurrences; the townships find them in their inboxes.
        var inboxes = new Rectify.Notifications.V1.NotificationService.NotificationServiceClient(host.As(DemoCounty.CountyCode));
        await Poll.Until(async () =>
        {
            var told = 0;
            foreach (var township in counts.Children)
                told += (await inboxes.ListNotificationsAsync(new Rectify.Notifications.V1.ListNotificationsRequest { UnitCode = township.Code, Kind = "measure-overdue" })).Notifications.Count;
            return told > 0 ? told : throw new InvalidOperationException("no township was told of an overdue measure");
        }, "a township to be told of an overdue measure", TimeSpan.FromSeconds(20));
    }

    [Fact]
    public void The_host_selects_its_services_by_name()
    {
        Assert.Equal(["organizations"], ServiceCatalog.Select("organizations").Select(m => m.Name));
        Assert.Equal(["organizations", "measures"], ServiceCatalog.Select("measures, organizations").Select(m => m.Name));
        Assert.Equal(ServiceCatalog.All, ServiceCatalog.Select("all"));
        Assert.Throws<ArgumentException>(() => ServiceCatalog.Select("organisations"));
    }
}
