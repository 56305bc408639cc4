using System.Data;
using System.Globalization;
using Dapper;
using Rectify.Kernel;

namespace Rectify.Platform.Storage;

/// <summary>
/// Makes values round-trip identically on the three providers. Dates are DATE
/// columns (text 'yyyy-MM-dd' on SQLite, which sorts and compares correctly).
/// Instants are written as UTC <see cref="DateTime"/> into timestamp columns and
/// read back with <see cref="AsUtc"/>: PostgreSQL sessions are pinned to UTC by
/// <see cref="Database"/>, so no provider shifts them. The domain's value types are stored as their text
/// (<see cref="OrgCode"/> as its 12 digits, <see cref="Month"/> as "YYYY-MM"), so rows and parameters use them directly.
/// </summary>
public static class TypeHandlers
{
    private static int _registered;

    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1) return;
        SqlMapper.AddTypeHandler(new DateOnlyHandler());
        SqlMapper.AddTypeHandler(new TextHandler<OrgCode>(code => code.Value, OrgCode.Parse));
        SqlMapper.AddTypeHandler(new TextHandler<Month>(month => month.ToString(), Month.Parse));
    }

    public static DateTime AsUtc(this DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);

    private sealed class TextHandler<T>(Func<T, string> write, Func<string, T> read) : SqlMapper.TypeHandler<T>
    {
        public override void SetValue(IDbDataParameter parameter, T? value)
        {
            parameter.DbType = DbType.String;
            parameter.Value = value is null ? DBNull.Value : write(value);
        }

        public override T Parse(object value) => value is string text ? read(text) : throw new DataException($"Cannot read a {typeof(T).Name} from {value.GetType()}.");
    }

    private sealed class DateOnlyHandler : SqlMapper.TypeHandler<DateOnly>
    {
        public override void SetValue(IDbDataParameter parameter, DateOnly value)
        {
            parameter.DbType = DbType.Date;
            parameter.Value = value;
        }

        public override DateOnly Parse(object value) => value switch
        {
            DateOnly d => d,
            DateTime dt => DateOnly.FromDateTime(dt),
            string s => DateOnly.ParseExact(s[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture),
            _ => throw new DataException($"Cannot read a date from {value.GetType()}."),
        };
    }
}
