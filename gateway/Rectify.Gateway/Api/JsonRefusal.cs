using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Rectify.Platform.Errors;

namespace Rectify.Gateway.Api;

/// <summary>A refusal on the gateway's own HTTP routes exactly as the JSON API gives it: the HTTP status of the gRPC code, and google.rpc.Status as JSON.</summary>
public static class JsonRefusal
{
    private static readonly JsonFormatter ErrorJson = new(JsonFormatter.Settings.Default.WithTypeRegistry(ErrorInterceptor.DetailTypes));

    public static IResult From(DomainException e) => From(ErrorInterceptor.ToStatus(e));

    public static IResult From(RpcException e)
    {
        var status = e.GetRpcStatus() ?? new Google.Rpc.Status { Code = (int)e.StatusCode, Message = e.Status.Detail };
        return Results.Content(ErrorJson.Format(status), "application/json", statusCode: HttpStatus((Google.Rpc.Code)status.Code));
    }

    public static int HttpStatus(Google.Rpc.Code code) => code switch
    {
        Google.Rpc.Code.InvalidArgument or Google.Rpc.Code.FailedPrecondition or Google.Rpc.Code.OutOfRange => StatusCodes.Status400BadRequest,
        Google.Rpc.Code.Unauthenticated => StatusCodes.Status401Unauthorized,
        Google.Rpc.Code.PermissionDenied => StatusCodes.Status403Forbidden,
        Google.Rpc.Code.NotFound => StatusCodes.Status404NotFound,
        Google.Rpc.Code.AlreadyExists or Google.Rpc.Code.Aborted => StatusCodes.Status409Conflict,
        Google.Rpc.Code.ResourceExhausted => StatusCodes.Status429TooManyRequests,
        Google.Rpc.Code.Unavailable => StatusCodes.Status503ServiceUnavailable,
        Google.Rpc.Code.DeadlineExceeded => StatusCodes.Status504GatewayTimeout,
        _ => StatusCodes.Status500InternalServerError,
    };
}
