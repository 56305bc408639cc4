using Google.Rpc;

namespace Rectify.Platform.Errors;

/// <summary>
/// A refusal the caller can act on. The error interceptor turns each kind into
/// its gRPC status with rich details; anything else is a bug and becomes Internal.
/// </summary>
public abstract class DomainException(string message) : Exception(message)
{
    public abstract Code StatusCode { get; }
}

/// <summary>One problem with one field of a request (google.rpc.BadRequest.FieldViolation).</summary>
public sealed record FieldViolation(string Field, string Description);

public sealed class ValidationException(IReadOnlyList<FieldViolation> violations)
    : DomainException("The request is invalid: " + string.Join("; ", violations.Select(v => $"{v.Field} {v.Description}")))
{
    public IReadOnlyList<FieldViolation> Violations { get; } = violations;
    public override Code StatusCode => Code.InvalidArgument;

    public static ValidationException For(string field, string description) => new([new FieldViolation(field, description)]);
}

public sealed class NotFoundException(string resourceType, string resourceName)
    : DomainException($"{resourceType} '{resourceName}' was not found.")
{
    public string ResourceType { get; } = resourceType;
    public string ResourceName { get; } = resourceName;
    public override Code StatusCode => Code.NotFound;
}

public sealed class AlreadyExistsException(string resourceType, string resourceName)
    : DomainException($"{resourceType} '{resourceName}' already exists.")
{
    public string ResourceType { get; } = resourceType;
    public string ResourceName { get; } = resourceName;
    public override Code StatusCode => Code.AlreadyExists;
}

/// <summary>The request is well formed but the state of the system forbids it now.</summary>
public sealed class PreconditionFailedException(string type, string subject, string description)
    : DomainException(description)
{
    /// <summary>A short machine-readable name of the rule, e.g. "HAS_OPEN_CHILDREN".</summary>
    public string Type { get; } = type;
    public string Subject { get; } = subject;
    public override Code StatusCode => Code.FailedPrecondition;
}

public sealed class PermissionDeniedException(string message) : DomainException(message)
{
    public override Code StatusCode => Code.PermissionDenied;
}
