using Google.Rpc;

namespace Rectify.Platform.Errors;

public sealed class ValidationException(IReadOnlyList<FieldViolation> violations)
    : DomainException("The request is invalid: " + string.Join("; ", violations.Select(v => $"{v.Field} {v.Description}")))
{
    public IReadOnlyList<FieldViolation> Violations { get; } = violations;
    public override Code StatusCode => Code.InvalidArgument;

    public static ValidationException For(string field, string description) => new([new FieldViolation(field, description)]);
}
