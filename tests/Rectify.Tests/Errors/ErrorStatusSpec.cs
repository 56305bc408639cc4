using System.Text;
using Dapper;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Rectify.Common.V1;
using Rectify.Identity;
using Rectify.Identity.V1;
using Rectify.Kernel;
using Role = Rectify.Kernel.Role;
using Rectify.Measures;
using Rectify.Notifications;
using Rectify.Organizations;
using Rectify.Organizations.V1;
using Rectify.Platform.Storage;
using Rectify.Reporting;
using Rectify.Reporting.V1;
using Rectify.Tests.Reporting;
using Rectify.Tests.Support;
using static Rectify.Tests.Measures.MeasuresFixture;

namespace Rectify.Tests.Errors;

/// <summary>
/// Bad input and outages answered with the right status (issue 12): bounded validation errors that never break the
/// connection, Unavailable with retry advice for a database that is down, InvalidArgument naming the field for text that
/// is not UTF-8 or holds NUL and for a month past the calendar, and concurrent first saves of one report that all succeed.
/// Real hosts over real gRPC, on SQLite and PostgreSQL.
/// </summary>
public sealed class ErrorStatusSpec : IAsyncLifetime
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

    private async Task<TestHost> StartAsync(DbProvider provider, params Rectify.Platform.Hosting.ServiceModule[] modules)
    {
        var host = await TestHost.StartAsync(provider, modules, new Dictionary<string, string?>
        {
            ["Rectify:Measures:ScheduleScans"] = "false", ["Rectify:Reporting:ScheduleScans"] = "false",
            ["Rectify:Notifications:SendDeliveries"] = "false", ["Rectify:Notifications:ScheduleDigest"] = "false",
        });
        _hosts.Add(host);
        return host;
    }

    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);

    private static Method<byte[], TResponse> Raw<TResponse>(MethodType type, Google.Protobuf.Reflection.ServiceDescriptor service, string name) where TResponse : IMessage<TResponse>, new() =>
        new(type, service.FullName, name, Bytes, Marshallers.Create(r => r.ToByteArray(), b => new MessageParser<TResponse>(() => new TResponse()).ParseFrom(b)));

    /// <summary>The message's bytes with the ASCII marker "@@BAD@@" replaced by as many bytes that are not UTF-8.</summary>
    private static byte[] WithInvalidUtf8(IMessage message)
    {
        var bytes = message.ToByteArray();
        var marker = Encoding.ASCII.GetBytes("@@BAD@@");
        var at = bytes.AsSpan().IndexOf(marker);
        Assert.True(at >= 0);
        new byte[] { 0xC3, 0x28, 0xFF, 0xFE, 0x41, 0x41, 0x41 }.CopyTo(bytes, at);
        return bytes;
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task Thousands_of_violations_get_a_bounded_status_with_their_count_and_the_connection_keeps_working(DbProvider provider)
    {
        var host = await StartAsync(provider, new ReportingModule());
        SetShanghai(host, new DateTime(2027, 4, 2, 9, 0, 0));
        var reporting = host.Reporting(TownshipA);
        // 2,000 villages, each with a bad code and a negative indicator: 4,000 violations with long field paths.
        var push = new PushReportRequest { ClientRequestId = "many-1", TownshipCode = TownshipA, Period = new Period { Year = 2027, Month = 3 } };
        for (var i = 0; i < 2000; i++)
            push.Villages.Add(new VillageEntry { VillageCode = "村" + i, Indicators = new Indicators { MeetingsHeld = -1 } });

        var refused = await Rpc.Refused(StatusCode.InvalidArgument, () => reporting.PushReportAsync(push));
        var status = refused.GetRpcStatus()!;
        Assert.Equal(50, status.GetDetail<BadRequest>().FieldViolations.Count);
        Assert.Equal("villages[0].village_code", status.GetDetail<BadRequest>().FieldViolations[0].Field);
        var info = status.GetDetail<ErrorInfo>();
        Assert.Equal("TOO_MANY_VIOLATIONS", info.Reason);
        Assert.Equal("4000", info.Metadata["violations"]);
        Assert.Contains("4000 in all", refused.Status.Detail);
        Assert.True(refused.Status.Detail.Length < 1200, $"message of {refused.Status.Detail.Length} characters");

        // The same channel (one HTTP/2 connection) still answers.
        var list = await reporting.ListReportsAsync(new ListReportsRequest { ScopeCode = TownshipA, Period = new Period { Year = 2027, Month = 3 } });
        Assert.NotNull(list);
    }

    [Fact]
    public async Task A_database_that_refuses_connections_is_Unavailable_with_retry_advice_and_the_service_answers_again_when_it_is_back()
    {
        var host = await StartAsync(DbProvider.Postgres, new OrganizationsModule());
        var orgs = host.Organizations(Nation, Role.Service);
        await orgs.RegisterUnitAsync(new RegisterUnitRequest { Code = Province, Name = "江西省" });
        await using (await DatabaseOutage.BeginAsync(host.Storage.ConnectionString("organizations")))
        {
            for (var i = 0; i < 3; i++)
            {
                var refused = await Rpc.Refused(StatusCode.Unavailable, () => orgs.GetUnitAsync(new GetUnitRequest { Code = Province }));
                var retry = refused.GetRpcStatus()?.GetDetail<RetryInfo>();
                Assert.NotNull(retry);
                Assert.InRange(retry.RetryDelay.ToTimeSpan(), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
            }
        }
        var unit = await Poll.Until(async () => await orgs.GetUnitAsync(new GetUnitRequest { Code = Province }), "the service to answer again");
        Assert.Equal("江西省", unit.Name);
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task Text_that_is_not_UTF8_is_InvalidArgument_naming_its_field_in_unary_calls_and_client_streams(DbProvider provider)
    {
        var host = await StartAsync(provider, new OrganizationsModule(), new ReportingModule());
        SetShanghai(host, new DateTime(2027, 4, 2, 9, 0, 0));

        var push = new PushReportRequest
        {
            ClientRequestId = "utf8-1", TownshipCode = TownshipA, Period = new Period { Year = 2027, Month = 3 },
            Villages = { new VillageEntry { VillageCode = TargetA1, WorkDone = "召开支委会" }, new VillageEntry { VillageCode = TargetA2, WorkDone = "@@BAD@@" } },
        };
        var unary = await Rpc.Refused(StatusCode.InvalidArgument, async () =>
            await host.As(TownshipA).AsyncUnaryCall(Raw<Report>(MethodType.Unary, ReportingService.Descriptor, "PushReport"), null, new CallOptions(), WithInvalidUtf8(push)));
        Assert.Equal(["villages[1].work_done"], unary.Fields());

        var stream = await Rpc.Refused(StatusCode.InvalidArgument, async () =>
        {
            using var call = host.As(Nation, Role.Service).AsyncClientStreamingCall(Raw<ImportUnitsResult>(MethodType.ClientStreaming, OrganizationService.Descriptor, "ImportUnits"), null, new CallOptions());
            await call.RequestStream.WriteAsync(new ImportUnitRow { Line = 2, Code = Province, Name = "江西省" }.ToByteArray());
            await call.RequestStream.WriteAsync(WithInvalidUtf8(new ImportUnitRow { Line = 3, Code = City, Name = "@@BAD@@", ParentCode = Province }));
            await call.RequestStream.CompleteAsync();
            await call;
        });
        Assert.Equal(["name"], stream.Fields());
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task A_NUL_character_in_any_string_is_InvalidArgument_naming_its_field(DbProvider provider)
    {
        var host = await StartAsync(provider, new IdentityModule(), new OrganizationsModule());
        var identity = new IdentityService.IdentityServiceClient(host.As(Nation, Role.Admin, "admin"));
        // A name that is looked up, never validated as text: PostgreSQL refused the NUL with an Internal error.
        var refused = await Rpc.Refused(StatusCode.InvalidArgument, () => identity.DisableAccountAsync(new AccountRequest { UserName = "wang\0li" }));
        Assert.Equal(["user_name"], refused.Fields());
        Assert.Equal(["client_id"], (await Rpc.Refused(StatusCode.InvalidArgument, () => identity.RevokeClientAsync(new ClientRequest { ClientId = "town\0ship" }))).Fields());
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task A_month_past_the_calendar_is_InvalidArgument_not_an_overflow(DbProvider provider)
    {
        var host = await StartAsync(provider, new ReportingModule());
        var county = host.Reporting(County);
        foreach (var period in new[] { new Period { Year = 9999, Month = 12 }, new Period { Year = 3000, Month = 1 } })
            Assert.Equal(["period"], (await Rpc.Refused(StatusCode.InvalidArgument, () => county.ListReportsAsync(new ListReportsRequest { ScopeCode = County, Period = period }))).Fields());
        Assert.NotNull(await county.ListReportsAsync(new ListReportsRequest { ScopeCode = County, Period = new Period { Year = 2999, Month = 12 } }));
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task Concurrent_first_saves_of_one_report_with_different_request_ids_all_succeed_as_one_report(DbProvider provider)
    {
        var host = await StartAsync(provider, new OrganizationsModule(), new MeasuresModule(), new ReportingModule(), new NotificationsModule());
        SetShanghai(host, new DateTime(2027, 3, 1, 10, 0, 0));
        using (var call = host.Organizations(Nation, Role.Service, "admin").ImportUnits())
        {
            var line = 1;
            foreach (var (code, name, parent) in new[] { (Province, "江西省", ""), (City, "赣州市", Province), (County, "于都县", City), (TownshipA, "铁山垅镇", County), (TargetA1, "上坪村", TownshipA), (TargetA2, "黄屋村", TownshipA) })
                await call.RequestStream.WriteAsync(new ImportUnitRow { Line = ++line, Code = code, Name = name, ParentCode = parent });
            await call.RequestStream.CompleteAsync();
            Assert.Empty((await call).Errors);
        }
        await DesignateAsync(host, (TargetA1, "上坪村", "铁山垅镇"), (TargetA2, "黄屋村", "铁山垅镇"));
        var reporting = host.Get<Database<ReportingModule>>();
        await Poll.Until(async () => await reporting.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM directory_targets")) == 2
            ? true : throw new InvalidOperationException("the targets have not reached reporting"));
        SetShanghai(host, new DateTime(2027, 4, 2, 9, 0, 0));

        var township = host.Reporting(TownshipA);
        var saves = Enumerable.Range(1, 8).Select(i => Task.Run(async () => await township.PushReportAsync(new PushReportRequest
        {
            ClientRequestId = $"first-save-{i}", TownshipCode = TownshipA, Period = new Period { Year = 2027, Month = 3 },
            Villages = { new VillageEntry { VillageCode = TargetA1, WorkDone = $"第{i}稿" } },
        }))).ToList();
        var reports = await Task.WhenAll(saves);

        Assert.All(reports, r => Assert.Equal(1, r.Revision));
        Assert.Equal(1, await reporting.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM reports")));
        var saved = await township.GetReportAsync(new GetReportRequest { UnitCode = TownshipA, Period = new Period { Year = 2027, Month = 3 } });
        Assert.Contains(saved.Villages[0].WorkDone, reports.Select(r => r.Villages[0].WorkDone));
    }
}
