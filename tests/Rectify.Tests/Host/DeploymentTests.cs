using System.Text.RegularExpressions;
using Rectify.Host;

namespace Rectify.Tests.Host;

/// <summary>
/// Docker cannot run here, so the distributed deployment is checked as text:
/// every service the host can run has a compose service, with a Dockerfile
/// that exists and selects that service.
/// </summary>
public sealed partial class DeploymentTests
{
    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Rectify.sln"))) folder = folder.Parent;
        return folder?.FullName ?? throw new InvalidOperationException("Rectify.sln not found above the test binaries.");
    }

    [GeneratedRegex(@"^  (?<name>[a-z]+):\s*$", RegexOptions.Multiline)]
    private static partial Regex ComposeService();

    [GeneratedRegex(@"dockerfile:\s*(?<path>[^\s,}]+)")]
    private static partial Regex Dockerfile();

    [Fact]
    public void Docker_compose_names_every_service_with_a_dockerfile_that_selects_it()
    {
        var root = RepositoryRoot();
        var compose = File.ReadAllText(Path.Combine(root, "docker-compose.yml"));
        var services = compose[compose.IndexOf("\nservices:", StringComparison.Ordinal)..];
        var names = ComposeService().Matches(services).Select(m => m.Groups["name"].Value).ToHashSet();
        Assert.Contains("sqlserver", names);
        Assert.Contains("rabbitmq", names);
        foreach (var module in ServiceCatalog.All)
        {
            Assert.Contains(module.Name, names);
            var dockerfiles = Dockerfile().Matches(services).Select(m => m.Groups["path"].Value)
                .Where(path => File.Exists(Path.Combine(root, path)) && File.ReadAllText(Path.Combine(root, path)).Contains($"Rectify__Services={module.Name}"))
                .ToList();
            Assert.Single(dockerfiles);
        }
    }
}
