using Google.Rpc;

namespace Rectify.Platform.Errors;

/// <summary>The request is well formed but the state of the system forbids it now.</summary>
public sealed class PreconditionFailedException(string type, string subject, string description)
    : DomainException(description)
{
    /// <summary>A short machine-readable name of the rule, e.g. "HAS_OPEN_CHILDREN".</summary>
    public string Type { get; } = type;
    public string Subject { get; } = subject;
    public override Code StatusCode => Code.FailedPrecondition;
}
