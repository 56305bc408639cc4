using Google.Rpc;

namespace Rectify.Platform.Errors;

public sealed class AlreadyExistsException(string resourceType, string resourceName)
    : DomainException($"{resourceType} '{resourceName}' already exists.")
{
    public string ResourceType { get; } = resourceType;
    public string ResourceName { get; } = resourceName;
    public override Code StatusCode => Code.AlreadyExists;
}
