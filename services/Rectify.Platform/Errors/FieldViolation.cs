namespace Rectify.Platform.Errors;

/// <summary>One problem with one field of a request (google.rpc.BadRequest.FieldViolation).</summary>
public sealed record FieldViolation(string Field, string Description);
