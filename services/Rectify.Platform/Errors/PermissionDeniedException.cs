using Google.Rpc;

namespace Rectify.Platform.Errors;

public sealed class PermissionDeniedException(string message) : DomainException(message)
{
    public override Code StatusCode => Code.PermissionDenied;
}
