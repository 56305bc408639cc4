using System.Security.Claims;
using Grpc.Core;
using Rectify.Platform.Errors;

namespace Rectify.Platform.Identity;

/// <summary>
/// Who is calling: a person or system acting for an org unit. Every RPC checks
/// that the caller's unit is the target's ancestor-or-self: a township sees and
/// writes only its villages, a county its townships, a city its counties.
/// </summary>
public sealed record Caller(string Subject, OrgCode Org, Role Role)
{
    public const string OrgClaim = "org";
    public const string RoleClaim = "role";

    public bool CanSee(OrgCode target) => Org.IsAncestorOrSelfOf(target);

    public void EnsureCanRead(OrgCode target)
    {
        if (!CanSee(target))
            throw new PermissionDeniedException($"{Org} may not see {target}: it is outside the caller's unit.");
    }

    /// <summary>Writes to data of the target unit itself (its profile, its ledger).</summary>
    public void EnsureCanWrite(OrgCode target)
    {
        EnsureCanRead(target);
        if (Role == Role.Viewer)
            throw new PermissionDeniedException("The caller's role may only read.");
    }

    /// <summary>
    /// What a unit may not do to itself, only a unit above it: change its existence or place in the tree,
    /// verify (销号) or send back (回炉) its measures. <paramref name="action"/> names it in the refusal.
    /// </summary>
    public void EnsureCanManage(OrgCode target, string action = "register, close or merge it")
    {
        EnsureCanWrite(target);
        if (Role != Role.Service && !Org.IsStrictAncestorOf(target))
            throw new PermissionDeniedException($"Only a unit above {target} may {action}.");
    }

    /// <summary>
    /// Work that spans a county or more (a scan, a digest, reference data, the county's decisions): the system itself,
    /// or an officer of a county or a unit above it — never a township or a village.
    /// </summary>
    public void EnsureCountyOffice(string what)
    {
        if (Role == Role.Service) return;
        if (Role != Role.Officer || Org.Level is Common.V1.OrgLevel.Township or Common.V1.OrgLevel.Village)
            throw new PermissionDeniedException($"{what} is for the system or a county office.");
    }

    /// <summary>Account, machine-client and reference-data management for <paramref name="scope"/>: an admin at or above it, or the system.</summary>
    public void EnsureAdmin(OrgCode scope, string what)
    {
        if (Role == Role.Service) return;
        if (Role != Role.Admin || !CanSee(scope))
            throw new PermissionDeniedException($"{what} is for an admin of the unit or a unit above it.");
    }

    public static Caller From(ClaimsPrincipal user)
    {
        var subject = user.FindFirst("sub")?.Value ?? user.Identity?.Name;
        var org = user.FindFirst(OrgClaim)?.Value;
        var role = user.FindFirst(RoleClaim)?.Value;
        if (subject is null || !OrgCode.TryParse(org, out var code, out _) || !Enum.TryParse<Role>(role, ignoreCase: true, out var parsed))
            throw new RpcException(new Status(StatusCode.Unauthenticated, "The token must carry sub, a 12-digit org and a role (viewer, officer, reviewer, admin or service)."));
        return new Caller(subject, code, parsed);
    }
}

public static class CallerExtensions
{
    public static Caller Caller(this ServerCallContext context) => Identity.Caller.From(context.GetHttpContext().User);
}
