using System.Text.RegularExpressions;
using Rectify.Host;

namespace Rectify.Tests.Host;

/// <summary>
/// Docker cannot run here, so the distributed deployment is checked as text: one Dockerfile at the root builds
/// the one host executable, and every service the host can run has a compose service built from it that selects
/// that service with Rectify__Services.
/// </summary>
public sealed partial class DeploymentTests
{
    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Rectify.sln"))) folder = folder.Parent;
        return folder?.FullName ?? throw new InvalidOperationException("Rectify.sln not found above the test binaries.");
    }

    [GeneratedRegex(@"^  (?<name>[a-z-]+):\s*$", RegexOptions.Multiline)]
    private static partial Regex ComposeService();

    [GeneratedRegex(@"^\s*build:", RegexOptions.Multiline)]
    private static partial Regex Build();

    [GeneratedRegex(@"^\s*Rectify__Services:\s*(?<names>\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex SelectedServices();

    /// <summary>The compose file's services, each name with its block of text (up to the next service or volumes).</summary>
    private static Dictionary<string, string> ComposeServices(string compose)
    {
        var start = compose.IndexOf("\nservices:", StringComparison.Ordinal);
        var end = compose.IndexOf("\nvolumes:", start, StringComparison.Ordinal);
        var section = compose[start..(end < 0 ? compose.Length : end)];
        var heads = ComposeService().Matches(section).ToList();
        return heads.ToDictionary(
            head => head.Groups["name"].Value,
            head =>
            {
                var next = heads.FirstOrDefault(h => h.Index > head.Index);
                return section[head.Index..(next?.Index ?? section.Length)];
            });
    }

    [Fact]
    public void One_dockerfile_at_the_root_builds_the_host_and_no_service_has_its_own()
    {
        var root = RepositoryRoot();
        var dockerfile = File.ReadAllText(Path.Combine(root, "Dockerfile"));
        Assert.Contains("dotnet publish services/Rectify.Host/Rectify.Host.csproj", dockerfile);
        Assert.Contains("ENTRYPOINT [\"dotnet\", \"rectify.dll\"]", dockerfile);
        // The module is the deployment's choice, never baked into the image.
        var instructions = dockerfile.Split('\n').Where(line => !line.TrimStart().StartsWith('#'));
        Assert.DoesNotContain(instructions, line => line.Contains("Rectify__Services", StringComparison.Ordinal));
        var others = new[] { "services", "gateway" }
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(root, folder), "Dockerfile*", SearchOption.AllDirectories))
            .Select(path => Path.GetRelativePath(root, path))
            .ToList();
        Assert.Empty(others);
    }

    [Fact]
    public void Docker_compose_builds_every_service_from_the_one_dockerfile_and_selects_it()
    {
        var root = RepositoryRoot();
        var compose = File.ReadAllText(Path.Combine(root, "docker-compose.yml"));
        var anchor = compose[compose.IndexOf("x-rectify-service: &rectify-service", StringComparison.Ordinal)..compose.IndexOf("\nservices:", StringComparison.Ordinal)];
        Assert.Contains("build: { context: ., dockerfile: Dockerfile }", anchor);

        var services = ComposeServices(compose);
        Assert.Contains("sqlserver", services.Keys);
        Assert.Contains("rabbitmq", services.Keys);
        var rectify = services.Where(s => s.Value.Contains("<<: *rectify-service", StringComparison.Ordinal)).ToList();
        foreach (var (name, block) in rectify)
        {
            // Built from the anchor's Dockerfile only: a service of its own build would be a second way.
            Assert.False(Build().IsMatch(block), $"{name} has a build of its own");
            var selected = SelectedServices().Matches(block).Select(m => m.Groups["names"].Value).ToList();
            Assert.True(selected.Count == 1, $"{name} sets Rectify__Services {selected.Count} times");
            Assert.Equal(name, selected[0]);
            ServiceCatalog.Select(selected[0]);
        }
        Assert.Equal(
            ServiceCatalog.All.Select(m => m.Name).Order(),
            rectify.Select(s => s.Key).Order());
    }
}
