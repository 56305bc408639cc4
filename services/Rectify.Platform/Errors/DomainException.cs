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
