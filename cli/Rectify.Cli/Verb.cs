using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Rectify.Common.V1;
using Rectify.Kernel;

namespace Rectify.Cli;

/// <summary>One command of the CLI and the RPCs it calls (full names, as in the descriptors: "pkg.Service/Method").</summary>
public sealed record Verb(Command Command, IReadOnlyList<string> Rpcs);

/// <summary>What a command's handler works with: its parsed line, the channel, the caller's headers.</summary>
public sealed class Ctx(ParseResult parse, GrpcChannel channel, Metadata headers, string server, CancellationToken cancellation)
{
    public ParseResult Parse => parse;
    public GrpcChannel Channel => channel;
    public Metadata Headers => headers;
    public string Server => server;
    public CancellationToken Cancellation => cancellation;

    public T Get<T>(Argument<T> argument) => parse.GetValue(argument)!;
    public T Get<T>(Option<T> option) => parse.GetValue(option)!;

    /// <summary>Whether the option was written on the line (not just defaulted).</summary>
    public bool Given(Option option) => parse.GetResult(option) is { Implicit: false };
}

/// <summary>The pieces commands are made of, so each command reads as its name, its words and the request it sends.</summary>
public static class Define
{
    /// <summary>A command that calls <paramref name="rpcs"/>; <paramref name="anonymous"/> ones need no token (they are how one is obtained).</summary>
    public static Verb Rpc(string name, string description, string[] rpcs, Symbol[] symbols, Func<Ctx, Task<IMessage>> run, bool anonymous = false)
    {
        var command = new Command(name, description);
        foreach (var symbol in symbols)
            switch (symbol)
            {
                case Argument argument: command.Arguments.Add(argument); break;
                case Option option: command.Options.Add(option); break;
                default: throw new ArgumentException($"{symbol.Name} is neither an argument nor an option");
            }
        command.SetAction((parse, cancellation) => Cli.ExecuteAsync(parse, anonymous, run, cancellation));
        return new Verb(command, rpcs);
    }

    public static Argument<string> Arg(string name, string description) => new(name) { Description = description };

    public static Argument<string> OptionalArg(string name, string description) =>
        new(name) { Description = description, Arity = ArgumentArity.ZeroOrOne, DefaultValueFactory = _ => "" };

    public static Argument<int> Number(string name, string description) => new(name) { Description = description };

    public static Argument<Period> PeriodArg(string name = "PERIOD") => new(name)
    {
        Description = "the month, YYYY-MM",
        CustomParser = result => ParsePeriod(result, result.Tokens.Single().Value) ?? new Period(),
    };

    public static Option<string> Text(string name, string description, bool required = false, string fallback = "") =>
        new(name) { Description = description, Required = required, DefaultValueFactory = _ => fallback };

    public static Option<string[]> Many(string name, string description) =>
        new(name) { Description = description + " (repeat it for more)", DefaultValueFactory = _ => [] };

    public static Option<int> Int(string name, string description, int fallback = 0, bool required = false) =>
        new(name) { Description = description, DefaultValueFactory = _ => fallback, Required = required };

    public static Option<int?> MaybeInt(string name, string description) => new(name) { Description = description };

    public static Option<double> Real(string name, string description, double fallback = 0) =>
        new(name) { Description = description, DefaultValueFactory = _ => fallback };

    public static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    public static Option<Date?> DateOpt(string name, string description, bool required = false) => new(name)
    {
        Description = description + " (YYYY-MM-DD)", Required = required, HelpName = "YYYY-MM-DD",
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date.ToProto();
            result.AddError($"{name}: {text} is not a date YYYY-MM-DD");
            return null;
        },
    };

    /// <summary>A protobuf enum by its short name (officer, in_progress, first_secretary), any case, - or _ alike.</summary>
    public static Option<T> Choice<T>(string name, string description, T fallback, bool required = false) where T : struct, Enum => new(name)
    {
        Description = description, Required = required, HelpName = string.Join('|', Names<T>()), DefaultValueFactory = _ => fallback,
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            var wanted = text.Replace("_", "").Replace("-", "");
            foreach (var value in Enum.GetValues<T>())
                if (string.Equals(value.ToString(), wanted, StringComparison.OrdinalIgnoreCase) && !value.ToString().Equals("Unspecified", StringComparison.Ordinal))
                    return value;
            result.AddError($"{name}: {text} is not one of {string.Join(", ", Names<T>())}");
            return fallback;
        },
    };

    public static Argument<T> ChoiceArg<T>(string name, string description) where T : struct, Enum => new(name)
    {
        Description = description + ": " + string.Join('|', Names<T>()),
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            foreach (var value in Enum.GetValues<T>())
                if (string.Equals(value.ToString(), text.Replace("_", "").Replace("-", ""), StringComparison.OrdinalIgnoreCase)) return value;
            result.AddError($"{name}: {text} is not one of {string.Join(", ", Names<T>())}");
            return default;
        },
    };

    private static IEnumerable<string> Names<T>() where T : struct, Enum =>
        Enum.GetNames<T>().Where(n => n != "Unspecified").Select(n => string.Concat(n.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString())));

    public static Period? ParsePeriod(SymbolResult? result, string text)
    {
        var parts = text.Split('-');
        if (parts.Length == 2 && int.TryParse(parts[0], out var year) && int.TryParse(parts[1], out var month) && month is >= 1 and <= 12)
            return new Period { Year = year, Month = month };
        if (result is null) throw new CliException($"{text} is not a period YYYY-MM");
        result.AddError($"{text} is not a period YYYY-MM");
        return null;
    }

    /// <summary>Names split by , ，or 、 (several may also be given by repeating the option).</summary>
    public static IEnumerable<string> Split(IEnumerable<string> values) =>
        values.SelectMany(v => v.Split([',', '，', '、'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    /// <summary>A protobuf JSON document from a file (plans, reports, settings: requests that are naturally documents).</summary>
    public static async Task<T> Document<T>(string path) where T : IMessage<T>, new()
    {
        if (!File.Exists(path)) throw new CliException($"{path}: no such file");
        try { return JsonParser.Default.Parse<T>(await File.ReadAllTextAsync(path)); }
        catch (InvalidProtocolBufferException e) { throw new CliException($"{path} is not a {typeof(T).Name} in protobuf JSON: {e.Message}"); }
        catch (InvalidJsonException e) { throw new CliException($"{path} is not valid JSON: {e.Message}"); }
    }
}
