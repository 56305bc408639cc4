using System.Reflection;
using System.Text;
using Google.Protobuf.Reflection;
using Rectify.Events;
using Rectify.Platform;

namespace Rectify.Tests.Events;

/// <summary>
/// The events contract's enums and the proto enums of the same meaning: the same members with the same numbers, so an
/// event's number means in every service what the proto says. A member added on one side only fails here.
/// </summary>
public class EventEnumParityTests
{
    /// <summary>Each events enum and the proto enum it mirrors. A new events enum must be added here (checked below).</summary>
    private static readonly (Type Event, Type Proto)[] Pairs =
    [
        (typeof(Rectify.Events.Measures.MeasureStatus), typeof(Rectify.Measures.V1.MeasureStatus)),
        (typeof(Rectify.Events.Reporting.ReportKind), typeof(Rectify.Reporting.V1.ReportKind)),
        (typeof(Rectify.Events.Reporting.Timeliness), typeof(Rectify.Reporting.V1.Timeliness)),
        (typeof(Rectify.Events.Organizations.OrgLevel), typeof(Rectify.Common.V1.OrgLevel)),
    ];

    public static TheoryData<Type, Type> PairData()
    {
        var data = new TheoryData<Type, Type>();
        foreach (var (e, p) in Pairs) data.Add(e, p);
        return data;
    }

    [Theory]
    [MemberData(nameof(PairData))]
    public void An_events_enum_has_the_proto_enums_members_with_the_same_numbers(Type eventEnum, Type protoEnum)
    {
        var events = Enum.GetValues(eventEnum).Cast<object>().ToDictionary(v => Enum.GetName(eventEnum, v)!, v => Convert.ToInt32(v));
        Assert.Equal(Members(protoEnum).OrderBy(m => m.Value), events.OrderBy(m => m.Value));
    }

    [Fact]
    public void Every_enum_of_the_events_contract_has_its_proto_pair_here()
    {
        var contract = typeof(IIntegrationEvent).Assembly.GetTypes().Where(t => t.IsEnum).OrderBy(t => t.FullName).ToList();
        Assert.Equal(contract, Pairs.Select(p => p.Event).OrderBy(t => t.FullName));
    }

    [Fact]
    public void The_conversions_keep_the_meaning()
    {
        foreach (var s in Enum.GetValues<Rectify.Measures.V1.MeasureStatus>()) Assert.Equal(s.ToString(), s.ToEvent().ToString());
        foreach (var k in Enum.GetValues<Rectify.Reporting.V1.ReportKind>()) Assert.Equal(k.ToString(), k.ToEvent().ToString());
        foreach (var t in Enum.GetValues<Rectify.Reporting.V1.Timeliness>()) Assert.Equal(t.ToString(), t.ToEvent().ToString());
        foreach (var l in Enum.GetValues<Rectify.Common.V1.OrgLevel>()) Assert.Equal(l.ToString(), l.ToEvent().ToString());
    }

    /// <summary>
    /// The proto enum's members as the .proto file names them (MEASURE_STATUS_NOT_STARTED = 1), without the enum's prefix
    /// and in PascalCase (NotStarted): read from the generated code's OriginalName, not from the C# names it derives.
    /// </summary>
    private static Dictionary<string, int> Members(Type protoEnum)
    {
        var prefix = UpperSnake(protoEnum.Name) + "_";
        return protoEnum.GetFields(BindingFlags.Public | BindingFlags.Static).ToDictionary(f =>
        {
            var original = f.GetCustomAttribute<OriginalNameAttribute>()!.Name;
            Assert.StartsWith(prefix, original);
            return Pascal(original[prefix.Length..]);
        }, f => (int)f.GetValue(null)!);
    }

    private static string UpperSnake(string pascal)
    {
        var text = new StringBuilder();
        foreach (var c in pascal)
        {
            if (char.IsUpper(c) && text.Length > 0) text.Append('_');
            text.Append(char.ToUpperInvariant(c));
        }
        return text.ToString();
    }

    private static string Pascal(string upperSnake) =>
        string.Concat(upperSnake.Split('_').Select(w => w[..1] + w[1..].ToLowerInvariant()));
}
