using Grpc.Core;
using Grpc.Net.Client;
using Rectify.Common.V1;
using Rectify.Platform;

namespace Rectify.Cli;

/// <summary>One command line: its words, its --options, and the channel and headers to call with.</summary>
public sealed record Call(List<string> Positional, Dictionary<string, string> Options, GrpcChannel Channel, Metadata Headers)
{
    public string Command => Positional[0];

    public string Arg(int i) => Positional.Count > i ? Positional[i] : throw new ArgumentException($"{Command} needs {i} argument(s); try `rectify-cli help`");

    public string Option(string name, string fallback = "") => Options.GetValueOrDefault(name, fallback);

    public Date? DateOption(string name) =>
        Options.TryGetValue(name, out var text) ? DateOnly.ParseExact(text, "yyyy-MM-dd").ToProto() : null;
}

public static class Args
{
    /// <summary>Splits `cmd a b --key value --flag` into positional arguments and options.</summary>
    public static (List<string> Positional, Dictionary<string, string> Options) Parse(string[] args)
    {
        var positional = new List<string>();
        var options = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--") && args[i].Length > 2)
                options[args[i][2..]] = i + 1 < args.Length && !args[i + 1].StartsWith("--") ? args[++i] : "true";
            else positional.Add(args[i]);
        }
        return (positional, options);
    }
}
