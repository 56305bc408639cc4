using Google.Rpc;

namespace Rectify.Platform.Errors;

public sealed class NotFoundException(string resourceType, string resourceName)
    : DomainException($"{resourceType} '{resourceName}' was not found.")
{
    public string ResourceType { get; } = resourceType;
    public string ResourceName { get; } = resourceName;
    public override Code StatusCode => Code.NotFound;
}
