using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit.Serialization;
using Rectify.Events;
using Rectify.Events.Measures;
using Rectify.Events.Organizations;
using Rectify.Events.Reporting;
using Rectify.Platform.Messaging;
using Rectify.Platform.Outbox;

namespace Rectify.Tests.Events;

/// <summary>
/// Enums in events travel as their numbers, as the ints before them did: an outbox row written before the enums still
/// reads, a new one is written byte for byte as before, and the bus writes numbers too (no string enum converter).
/// </summary>
public class EventWireFormatTests
{
    // Payloads as the outbox stored them while these fields were ints (EventTypes.Json: web defaults, camelCase).
    private const string MeasureCreatedBefore = """
        {"measure":{"measureId":"m-1","planId":"plan-1","villageCode":"360731101201","villageName":"上坪村","campaignYear":2027,
         "categoryCode":"COLLECTIVE_ECONOMY","description":"整修通组产业路","responsiblePersons":["陈建国","李春生"],
         "deadline":"2027-12-15","ongoing":false,"status":5},"occurredAt":"2027-05-06T02:00:00+00:00"}
        """;

    private const string ReportSubmittedBefore = """
        {"reportId":"r-1","kind":2,"unitCode":"360731000000","countyCode":"360731000000","period":"2027-04","revision":1,"timeliness":3,
         "submittedOn":"2027-05-12","totals":{"meetingsHeld":12,"trainings":3,"membersDeveloped":1,"servicesForPeople":4,"disputesMediated":2,
         "collectiveIncomeToDateYuan":150000},"villages":6,"occurredAt":"2027-05-12T01:30:00+00:00"}
        """;

    private const string UnitRegisteredBefore = """
        {"code":"360731101000","name":"梅窖镇","level":4,"parentCode":"360731000000","occurredAt":"2026-05-06T01:00:00+00:00"}
        """;

    private static readonly MeasureCreated MeasureCreatedNow = new(
        new MeasureSnapshot("m-1", "plan-1", "360731101201", "上坪村", 2027, "COLLECTIVE_ECONOMY", "整修通组产业路", ["陈建国", "李春生"],
            new DateOnly(2027, 12, 15), false, MeasureStatus.Reopened),
        new DateTimeOffset(2027, 5, 6, 2, 0, 0, TimeSpan.Zero));

    private static readonly ReportSubmitted ReportSubmittedNow = new("r-1", ReportKind.CountySummary, "360731000000", "360731000000", "2027-04", 1,
        Timeliness.Late, new DateOnly(2027, 5, 12), new ReportIndicators(12, 3, 1, 4, 2, 150000), 6, new DateTimeOffset(2027, 5, 12, 1, 30, 0, TimeSpan.Zero));

    private static readonly UnitRegistered UnitRegisteredNow = new("360731101000", "梅窖镇", OrgLevel.Township, "360731000000",
        new DateTimeOffset(2026, 5, 6, 1, 0, 0, TimeSpan.Zero));

    private static readonly Dictionary<string, (string Before, IIntegrationEvent Now)> Payloads = new()
    {
        [nameof(MeasureCreated)] = (MeasureCreatedBefore, MeasureCreatedNow),
        [nameof(ReportSubmitted)] = (ReportSubmittedBefore, ReportSubmittedNow),
        [nameof(UnitRegistered)] = (UnitRegisteredBefore, UnitRegisteredNow),
    };

    // As the relay reads a row: the type from its stored name, the payload with EventTypes.Json.
    private static object Relayed(string payload, IIntegrationEvent like) =>
        JsonSerializer.Deserialize(payload, EventTypes.Resolve(EventTypes.NameOf(like.GetType())), EventTypes.Json)!;

    [Fact]
    public void An_outbox_row_written_before_the_enums_reads_with_the_same_meaning()
    {
        var measure = Assert.IsType<MeasureCreated>(Relayed(MeasureCreatedBefore, MeasureCreatedNow)).Measure;
        Assert.Equal(MeasureStatus.Reopened, measure.Status);

        var report = Assert.IsType<ReportSubmitted>(Relayed(ReportSubmittedBefore, ReportSubmittedNow));
        Assert.Equal((ReportKind.CountySummary, Timeliness.Late), (report.Kind, report.Timeliness));

        var unit = Assert.IsType<UnitRegistered>(Relayed(UnitRegisteredBefore, UnitRegisteredNow));
        Assert.Equal(OrgLevel.Township, unit.Level);
    }

    [Theory]
    [InlineData(nameof(MeasureCreated))]
    [InlineData(nameof(ReportSubmitted))]
    [InlineData(nameof(UnitRegistered))]
    public void An_event_is_written_to_the_outbox_as_it_was_before_the_enums(string name)
    {
        var (before, now) = Payloads[name];
        var written = JsonSerializer.Serialize(now, now.GetType(), EventTypes.Json);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(before), JsonNode.Parse(written)), written);
    }

    [Fact]
    public void The_bus_writes_the_enums_as_numbers()
    {
        // What MassTransit puts on RabbitMQ: its own serializer options, not EventTypes.Json.
        var measure = JsonNode.Parse(JsonSerializer.Serialize(MeasureCreatedNow, SystemTextJsonMessageSerializer.Options))!["measure"]!["status"]!;
        Assert.Equal((JsonValueKind.Number, 5), (measure.GetValueKind(), measure.GetValue<int>()));

        var report = JsonNode.Parse(JsonSerializer.Serialize(ReportSubmittedNow, SystemTextJsonMessageSerializer.Options))!;
        Assert.Equal((JsonValueKind.Number, 2), (report["kind"]!.GetValueKind(), report["kind"]!.GetValue<int>()));
        Assert.Equal((JsonValueKind.Number, 3), (report["timeliness"]!.GetValueKind(), report["timeliness"]!.GetValue<int>()));

        var unit = JsonNode.Parse(JsonSerializer.Serialize(UnitRegisteredNow, SystemTextJsonMessageSerializer.Options))!;
        Assert.Equal((JsonValueKind.Number, 4), (unit["level"]!.GetValueKind(), unit["level"]!.GetValue<int>()));
    }
}
