namespace Rectify.Cli;

/// <summary>A failure told to the user in one sentence that says what to do, ending the command with its exit code.</summary>
public sealed class CliException(string message, int exitCode = Cli.ExitUsage) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
