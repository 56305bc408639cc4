using Google.Protobuf.WellKnownTypes;
using Rectify.Common.V1;

namespace Rectify.Kernel;

/// <summary>Conversions between the common proto types and .NET values.</summary>
public static class ProtoConversions
{
    public static bool TryToDateOnly(this Date date, out DateOnly value)
    {
        value = default;
        if (date.Year is < 1 or > 9999 || date.Month is < 1 or > 12) return false;
        if (date.Day < 1 || date.Day > DateTime.DaysInMonth(date.Year, date.Month)) return false;
        value = new DateOnly(date.Year, date.Month, date.Day);
        return true;
    }

    public static Date ToProto(this DateOnly date) => new() { Year = date.Year, Month = date.Month, Day = date.Day };

    public static Date? ToProto(this DateOnly? date) => date?.ToProto();

    public static Timestamp ToProto(this DateTimeOffset instant) => Timestamp.FromDateTimeOffset(instant);
}
