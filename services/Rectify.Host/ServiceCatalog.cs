using Rectify.Assessment;
using Rectify.Gateway;
using Rectify.Identity;
using Rectify.Measures;
using Rectify.Notifications;
using Rectify.Organizations;
using Rectify.Reporting;
using Rectify.Platform.Hosting;

namespace Rectify.Host;

/// <summary>Every service module this build contains; configuration picks which ones a process hosts.</summary>
public static class ServiceCatalog
{
    public static IReadOnlyList<ServiceModule> All { get; } = [new IdentityModule(), new OrganizationsModule(), new MeasuresModule(), new AssessmentModule(), new ReportingModule(), new NotificationsModule(), new GatewayModule()];

    /// <summary>"all" (the default) or a comma-separated list of module names, e.g. "organizations".</summary>
    public static IReadOnlyList<ServiceModule> Select(string? names)
    {
        if (string.IsNullOrWhiteSpace(names) || names.Trim() == "all") return All;
        var wanted = names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = wanted.Except(All.Select(m => m.Name)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"Unknown service(s) {string.Join(", ", unknown)}; known: {string.Join(", ", All.Select(m => m.Name))}.");
        return All.Where(m => wanted.Contains(m.Name)).ToList();
    }
}
