using System.CommandLine;
using System.CommandLine.Help;
using System.Net.Sockets;
using System.Security.Authentication;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Rectify.Cli;

/// <summary>
/// rectify-cli: every command (one per RPC or group of RPCs, see <see cref="Verbs"/>), the options every command takes
/// (--server, --token, --json), where the server and the token come from, and how a failure is told.
/// </summary>
public static class Cli
{
    public const int ExitUsage = 64;       // sysexits EX_USAGE: a wrong command line, a missing file, not signed in
    public const int ExitRpc = 2;          // the server answered with an error status
    public const int ExitUnavailable = 69; // sysexits EX_UNAVAILABLE: the server could not be reached
    public const string DefaultServer = "http://localhost:5400";

    private static readonly Option<string?> Server = new("--server")
    {
        Description = $"the gRPC address (default $RECTIFY_SERVER, else the signed-in session's, else {DefaultServer})", Recursive = true,
    };
    private static readonly Option<string?> Token = new("--token")
    {
        Description = "a bearer token (default $RECTIFY_TOKEN, else the session `rectify-cli login` keeps)", Recursive = true,
    };
    private static readonly Option<bool> Json = new("--json") { Description = "print the answer as protobuf JSON, for scripts", Recursive = true };

    /// <summary>Every command; the coverage test checks that together they call every RPC in the contracts.</summary>
    public static IReadOnlyList<Verb> Verbs() =>
    [
        .. IdentityCommands.Verbs(), .. OrganizationCommands.Verbs(), .. AssessmentCommands.Verbs(), .. MeasureCommands.Verbs(),
        .. ReportingCommands.Verbs(), .. NotificationCommands.Verbs(), .. OperationsCommands.Verbs(), .. GatewayCommands.Verbs(), .. DocumentCommands.Verbs(),
    ];

    /// <summary>The table command → RPC full names ("rectify.measures.v1.MeasureService/AddMeasure").</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> RpcTable() => Verbs().ToDictionary(v => v.Command.Name, v => v.Rpcs);

    public static RootCommand Build()
    {
        var root = new RootCommand("""
            rectify-cli: the rectification (整顿) services from a terminal or a script.
            The server is --server, $RECTIFY_SERVER, the signed-in session's, or http://localhost:5400; the token is --token,
            $RECTIFY_TOKEN or the session `rectify-cli login` keeps. Answers print as short tables and key: value lines;
            --json prints protobuf JSON. Exit codes: 0 done, 1 import with bad rows, 2 the server refused (status on stderr), 3 reconcile found a difference,
            64 a wrong command line or not signed in, 69 the server could not be reached.
            """) { Server, Token, Json };
        foreach (var verb in Verbs()) root.Subcommands.Add(verb.Command);
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        // The CLI before System.CommandLine took `help` and `help COMMAND`.
        if (args is ["help", .. var rest]) args = [.. rest, "--help"];
        var root = Build();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is not HelpAction)
        {
            foreach (var error in parse.Errors) Console.Error.WriteLine(error.Message);
            var command = parse.CommandResult.Command;
            Console.Error.WriteLine(command == root ? "try `rectify-cli --help`" : $"try `rectify-cli {command.Name} --help`");
            return ExitUsage;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (CliException e)
        {
            Console.Error.WriteLine(e.Message);
            return e.ExitCode;
        }
        catch (RpcException e)
        {
            Console.Error.WriteLine($"{e.StatusCode}: {e.Status.Detail}");
            foreach (var violation in e.GetRpcStatus()?.GetDetail<Google.Rpc.BadRequest>()?.FieldViolations ?? [])
                Console.Error.WriteLine($"  {violation.Field}: {violation.Description}");
            foreach (var failure in e.GetRpcStatus()?.GetDetail<Google.Rpc.PreconditionFailure>()?.Violations ?? [])
                Console.Error.WriteLine($"  {failure.Type}: {failure.Description}");
            return ExitRpc;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or IOException or InvalidProtocolBufferException)
        {
            Console.Error.WriteLine(e.Message);
            return ExitUsage;
        }
    }

    /// <summary>Where the server is, and which setting said so (for the message when it cannot be reached).</summary>
    public static (string Url, string From) ResolveServer(ParseResult parse)
    {
        if (parse.GetValue(Server) is { Length: > 0 } given) return (given, "--server");
        if (Environment.GetEnvironmentVariable("RECTIFY_SERVER") is { Length: > 0 } fromEnvironment) return (fromEnvironment, "RECTIFY_SERVER");
        if (Session.Load() is { Server.Length: > 0 } session) return (session.Server, "the signed-in session");
        return (DefaultServer, "the default");
    }

    internal static async Task<int> ExecuteAsync(ParseResult parse, bool anonymous, Func<Ctx, Task<IMessage>> run, CancellationToken cancellation)
    {
        var (server, from) = ResolveServer(parse);
        if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new CliException($"{server} (from {from}) is not a server address like {DefaultServer} or https://host:5400; set RECTIFY_SERVER or --server");
        using var channel = GrpcChannel.ForAddress(uri, new GrpcChannelOptions
        {
            // A wrong address fails in seconds, not at the operating system's connect timeout.
            HttpHandler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10), EnableMultipleHttp2Connections = true, UseProxy = false },
        });
        var tokenFrom = "";
        try
        {
            var headers = new Metadata();
            if (!anonymous)
            {
                (var token, tokenFrom) = await TokenAsync(parse, channel);
                headers.Add("Authorization", "Bearer " + token);
            }
            var result = await run(new Ctx(parse, channel, headers, server, cancellation));
            // Empty: the command wrote its own output as it went (ranking-csv's CSV).
            if (result is Google.Protobuf.WellKnownTypes.Empty) return 0;
            if (parse.GetValue(Json)) Console.WriteLine(new JsonFormatter(JsonFormatter.Settings.Default.WithIndentation()).Format(result));
            else Readable.Print(result, Console.Out);
            return result switch
            {
                Organizations.V1.ImportUnitsResult { Errors.Count: > 0 } => 1,
                Common.V1.ImportReport { Problems.Count: > 0 } => 1,
                Gateway.V1.Reconciliation { Agrees: false } => GatewayCommands.ExitDisagrees,
                _ => 0,
            };
        }
        catch (RpcException e) when (Unreachable(e, server, from) is { } message)
        {
            throw new CliException(message, ExitUnavailable);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated && tokenFrom != "")
        {
            throw new CliException($"Unauthenticated: {e.Status.Detail}. The token from {tokenFrom} was refused: it may have expired or belong to another server; "
                + (tokenFrom == "the signed-in session" ? "sign in again with `rectify-cli login USER`." : $"sign in with `rectify-cli login USER`, or set a fresh {(tokenFrom == "--token" ? "--token" : "RECTIFY_TOKEN")}."), ExitRpc);
        }
    }

    /// <summary>--token, then $RECTIFY_TOKEN, then the session (renewed first when about to expire).</summary>
    private static async Task<(string Token, string From)> TokenAsync(ParseResult parse, GrpcChannel channel)
    {
        if (parse.GetValue(Token) is { Length: > 0 } given) return (given, "--token");
        if (Environment.GetEnvironmentVariable("RECTIFY_TOKEN") is { Length: > 0 } fromEnvironment) return (fromEnvironment, "RECTIFY_TOKEN");
        if (Session.Load() is { } session) return (await session.CurrentTokenAsync(channel), "the signed-in session");
        throw new CliException("not signed in: run `rectify-cli login USER`, or pass --token / set RECTIFY_TOKEN");
    }

    /// <summary>A sentence for a call that never reached the service: nothing listening, a wrong name, http against https or back.</summary>
    public static string? Unreachable(RpcException e, string server, string from)
    {
        var http = FindInner<HttpRequestException>(e.Status.DebugException);
        if (e.StatusCode is not (StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown) || (http is null && e.Status.DebugException is null)) return null;
        var fix = $"set RECTIFY_SERVER or --server (now {from})";
        var tls = server.StartsWith("https:", StringComparison.OrdinalIgnoreCase);
        var authentication = FindInner<AuthenticationException>(e.Status.DebugException);
        if (authentication is not null || http?.HttpRequestError == HttpRequestError.SecureConnectionError)
            return $"cannot set up TLS with {server}: {(authentication?.InnerException ?? authentication)?.Message ?? http?.Message}. "
                + $"If the server runs without TLS, use http:// instead; if it uses a private CA, trust that CA (docs/tls.md); {fix}";
        if (http?.HttpRequestError is HttpRequestError.HttpProtocolError or HttpRequestError.ResponseEnded or HttpRequestError.InvalidResponse && !tls)
            return $"{server} did not answer as a plain-text gRPC server ({http.Message}). If the server uses TLS, use https:// instead; {fix}";
        if (http?.HttpRequestError is HttpRequestError.NameResolutionError)
            return $"cannot reach {server}: its host name is unknown; {fix}";
        if (http?.HttpRequestError is HttpRequestError.ConnectionError || FindInner<SocketException>(e.Status.DebugException) is not null
            || e.Status.DebugException is TimeoutException or TaskCanceledException)
            return $"cannot reach {server}: is the server running? {fix}";
        return null;
    }

    private static T? FindInner<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
            if (e is T found) return found;
        return null;
    }
}
