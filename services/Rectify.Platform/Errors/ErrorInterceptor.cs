using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using Rectify.Kernel;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;

namespace Rectify.Platform.Errors;

/// <summary>
/// Turns domain refusals into gRPC statuses with google.rpc details, so every
/// service answers bad input the same way. Unexpected exceptions are logged
/// and answered with Internal without their text.
/// </summary>
public sealed class ErrorInterceptor(ILogger<ErrorInterceptor> logger, SecurityEvents security) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try { return await continuation(request, context); }
        catch (Exception e) when (e is not RpcException) { throw Translate(e, context); }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try { return await continuation(requestStream, context); }
        catch (Exception e) when (e is not RpcException) { throw Translate(e, context); }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try { await continuation(request, responseStream, context); }
        catch (Exception e) when (e is not RpcException) { throw Translate(e, context); }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try { await continuation(requestStream, responseStream, context); }
        catch (Exception e) when (e is not RpcException) { throw Translate(e, context); }
    }

    private RpcException Translate(Exception exception, ServerCallContext context)
    {
        if (exception is OperationCanceledException && context.CancellationToken.IsCancellationRequested)
            return new RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.Cancelled, "The call was cancelled."));
        if (Sql.IsUniqueViolation(exception))
            // Two writers raced past the existence check; the database kept the first.
            return ToStatus(new AlreadyExistsException("record", "(concurrent write)"));
        if (exception is PermissionDeniedException denied)
        {
            var http = context.GetHttpContext();
            var user = http.User;
            security.Record(new SecurityEvent(SecurityEvent.AccessDenied, user.FindFirst("sub")?.Value ?? "(unknown)", user.FindFirst(TokenIssuer.OrgClaim)?.Value,
                $"{context.Method}: {denied.Message}", http.Connection.RemoteIpAddress?.ToString()));
        }
        if (exception is DomainException domain)
            return ToStatus(domain);
        logger.LogError(exception, "Unhandled error in {Method}", context.Method);
        return new RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.Internal, "An internal error occurred."));
    }

    public static RpcException ToStatus(DomainException exception)
    {
        var status = new Google.Rpc.Status { Code = (int)exception.StatusCode, Message = exception.Message };
        switch (exception)
        {
            case ValidationException v:
                var badRequest = new BadRequest();
                badRequest.FieldViolations.AddRange(v.Violations.Select(f => new BadRequest.Types.FieldViolation { Field = f.Field, Description = f.Description }));
                status.Details.Add(Any.Pack(badRequest));
                break;
            case NotFoundException n:
                status.Details.Add(Any.Pack(new ResourceInfo { ResourceType = n.ResourceType, ResourceName = n.ResourceName, Description = n.Message }));
                break;
            case AlreadyExistsException a:
                status.Details.Add(Any.Pack(new ResourceInfo { ResourceType = a.ResourceType, ResourceName = a.ResourceName, Description = a.Message }));
                break;
            case PreconditionFailedException p:
                var failure = new PreconditionFailure();
                failure.Violations.Add(new PreconditionFailure.Types.Violation { Type = p.Type, Subject = p.Subject, Description = p.Message });
                status.Details.Add(Any.Pack(failure));
                break;
        }
        return status.ToRpcException();
    }
}
