using System.Security.Claims;
using Grpc.Core;
using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Platform.Errors;

namespace Rectify.Platform.Identity;

/// <summary>
/// Who is calling: a person or system acting for an org unit, with a role. Every RPC checks
/// that the caller's unit is the target's ancestor-or-self (a township sees and writes only its
/// villages, a county its townships, a city its counties) and that the role allows the act.
/// The access matrix (docs/access-matrix.md) lists each RPC's rule.
/// <para>
/// Two kinds of refusal: a request that names a unit by its code (which the caller already knows)
/// gets PermissionDenied naming only that code; a request that names a record by its id gets
/// NotFound when the record lies outside the caller's subtree, exactly as for an id that does not
/// exist, so an id probe learns nothing (<see cref="Owned"/> overloads).
/// </para>
/// </summary>
public sealed record Caller(string Subject, OrgCode Org, Role Role)
{

    public bool CanSee(OrgCode target) => Org.IsAncestorOrSelfOf(target);

    /// <summary>The unit is the caller's own, above it or below it: a county's campaign concerns its townships and villages too.</summary>
    public bool IsInLineWith(OrgCode unit) => CanSee(unit) || unit.IsAncestorOrSelfOf(Org);

    /// <summary>The day-to-day writes: officers and reviewers (and the system). Viewers and admins write no ledger or report.</summary>
    public bool MayWrite => Role is Role.Officer or Role.Reviewer or Role.Service;

    /// <summary>The decisions that need a reviewer: confirming targets, 验收 and 回头看, accepting or returning reports, 补报.</summary>
    public bool MayDecide => Role is Role.Reviewer or Role.Service;

    // --- Requests that name a unit by its code -------------------------------------------------

    public void EnsureCanRead(OrgCode target)
    {
        if (!CanSee(target))
            throw new PermissionDeniedException($"{target} is outside the caller's unit.");
    }

    /// <summary>Day-to-day writes to data of the target unit itself or below it (its profile, its ledger, its report).</summary>
    public void EnsureCanWrite(OrgCode target)
    {
        EnsureCanRead(target);
        if (!MayWrite)
            throw new PermissionDeniedException($"The caller's role ({Role.ToString().ToLowerInvariant()}) does not write this.");
    }

    /// <summary>
    /// What a unit may not do to itself, only a unit above it: change its existence or place in the tree,
    /// write its plan, assess it, verify (销号) or send back (回炉) its measures. <paramref name="action"/> names it in the refusal.
    /// </summary>
    public void EnsureCanManage(OrgCode target, string action = "register, close or merge it")
    {
        EnsureCanWrite(target);
        if (Role != Role.Service && !Org.IsStrictAncestorOf(target))
            throw new PermissionDeniedException($"Only a unit above {target} may {action}.");
    }

    /// <summary>A decision on the target unit (its report accepted or returned, its 补报, its 验收): a reviewer of a unit above it.</summary>
    public void EnsureCanDecide(OrgCode target, string decision)
    {
        EnsureCanManage(target, decision);
        if (!MayDecide)
            throw new PermissionDeniedException($"Only a reviewer may {decision}.");
    }

    /// <summary>
    /// Work that spans a county or more (a scan, a digest): the system itself, or an officer or reviewer of a county or a unit above it;
    /// never a township or a village. <paramref name="what"/> names it in the refusal.
    /// </summary>
    public void EnsureCountyWork(string what)
    {
        if (Role == Role.Service) return;
        if (!MayWrite || !IsCountyOrAbove)
            throw new PermissionDeniedException($"{what} is for the system or a county office.");
    }

    /// <summary>The county's decisions on its own campaign (三级联评: confirming or rejecting proposals): a reviewer of the county or a unit above it.</summary>
    public void EnsureCountyDecision(OrgCode county, string what)
    {
        EnsureCanRead(county);
        if (!MayDecide)
            throw new PermissionDeniedException($"{what} is a county reviewer's decision.");
    }

    /// <summary>Account, machine-client and reference-data management for <paramref name="scope"/>: an admin at or above it, or the system.</summary>
    public void EnsureAdmin(OrgCode scope, string what)
    {
        if (Role == Role.Service) return;
        if (Role != Role.Admin || !CanSee(scope))
            throw new PermissionDeniedException($"{what} is for an admin of the unit or a unit above it.");
    }

    /// <summary>Reference data shared by every county (problem categories): an admin of a county or a unit above it, or the system.</summary>
    public void EnsureCountyAdmin(string what)
    {
        if (Role == Role.Service) return;
        if (Role != Role.Admin || !IsCountyOrAbove)
            throw new PermissionDeniedException($"{what} is for an admin of a county or a unit above it.");
    }

    /// <summary>A unit's records that concern the units above and below it (a county's campaigns), named by the unit's code.</summary>
    public void EnsureInLine(OrgCode unit)
    {
        if (!IsInLineWith(unit))
            throw new PermissionDeniedException($"{unit} is outside the caller's unit.");
    }

    private bool IsCountyOrAbove => Org.Level is OrgLevel.County or OrgLevel.City or OrgLevel.Province || Org.IsNation;

    // --- Requests that name a record by its id -------------------------------------------------

    /// <summary>A record outside the caller's subtree does not exist for it: NotFound, the same answer as for an unknown id.</summary>
    public void EnsureCanRead(Owned record)
    {
        if (!CanSee(record.Owner)) throw new NotFoundException(record.Resource, record.Id);
    }

    /// <summary>A record owned by a unit in line with the caller (a county's campaign seen from its townships): NotFound otherwise.</summary>
    public void EnsureInLine(Owned record)
    {
        if (!IsInLineWith(record.Owner)) throw new NotFoundException(record.Resource, record.Id);
    }

    public void EnsureCanWrite(Owned record)
    {
        EnsureCanRead(record);
        EnsureCanWrite(record.Owner);
    }

    public void EnsureCanManage(Owned record, string action)
    {
        EnsureCanRead(record);
        EnsureCanManage(record.Owner, action);
    }

    public static Caller From(ClaimsPrincipal user)
    {
        var subject = user.FindFirst("sub")?.Value ?? user.Identity?.Name;
        var org = user.FindFirst(TokenIssuer.OrgClaim)?.Value;
        var role = user.FindFirst(TokenIssuer.RoleClaim)?.Value;
        if (subject is null || !OrgCode.TryParse(org, out var code, out _) || !Enum.TryParse<Role>(role, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
            throw new RpcException(new Status(StatusCode.Unauthenticated, "The token must carry sub, a 12-digit org and a role (viewer, officer, reviewer, admin or service)."));
        return new Caller(subject, code, parsed);
    }
}

public static class CallerExtensions
{
    public static Caller Caller(this ServerCallContext context) => Identity.Caller.From(context.GetHttpContext().User);
}
