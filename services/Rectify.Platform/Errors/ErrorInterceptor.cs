using Google.Protobuf.Reflection;
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
/// service answers bad input the same way. A transient fault of the database
/// (unreachable, restarting, a deadlock) is Unavailable with retry advice, so a
/// township system retries safely; anything else unexpected is a bug, logged and
/// answered with Internal without its text.
/// </summary>
public sealed class ErrorInterceptor(ILogger<ErrorInterceptor> logger, SecurityEvents security) : Interceptor
{
    /// <summary>The details a status may carry: what a JSON writer of a status (transcoding, the server-sent events) must know.</summary>
    public static readonly TypeRegistry DetailTypes = TypeRegistry.FromMessages(
        BadRequest.Descriptor, PreconditionFailure.Descriptor, ResourceInfo.Descriptor, RetryInfo.Descriptor, ErrorInfo.Descriptor);

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            RequestText.Check(request);
            return await continuation(request, context);
        }
        catch (Exception e) when (e is not RpcException) { throw Translate(e, context); }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try { return await continuation(new RequestText.CheckedReader<TRequest>(requestStream), context); }
        catch (Exception e) when (e is not RpcException) { throw Translate(e, context); }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            RequestText.Check(request);
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (e is not RpcException) { throw Translate(e, context); }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try { await continuation(new RequestText.CheckedReader<TRequest>(requestStream), responseStream, context); }
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
        if (Sql.IsTransient(exception))
        {
            logger.LogWarning(exception, "Transient database fault in {Method}; answered Unavailable", context.Method);
            return Unavailable("The service cannot reach its database just now; retry shortly.");
        }
        logger.LogError(exception, "Unhandled error in {Method}", context.Method);
        return new RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.Internal, "An internal error occurred."));
    }

    /// <summary>How long a caller should wait before retrying after a transient fault (google.rpc.RetryInfo).</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    /// <summary>Unavailable with a RetryInfo detail: the call did nothing and may be repeated after the delay.</summary>
    public static RpcException Unavailable(string message)
    {
        var status = new Google.Rpc.Status { Code = (int)Code.Unavailable, Message = message };
        status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(RetryDelay) }));
        return status.ToRpcException();
    }

    /// <summary>A status message longer than this is cut: a message echoing long input must not swell the trailers.</summary>
    public const int MaxMessageLength = 2000;

    public static RpcException ToStatus(DomainException exception)
    {
        var status = new Google.Rpc.Status { Code = (int)exception.StatusCode, Message = ValidationException.Cut(exception.Message, MaxMessageLength) };
        switch (exception)
        {
            case ValidationException v:
                // Bounded (ValidationException.Reported): the first violations, cut, and the count of the rest.
                var badRequest = new BadRequest();
                badRequest.FieldViolations.AddRange(v.Reported.Select(f => new BadRequest.Types.FieldViolation { Field = f.Field, Description = f.Description }));
                status.Details.Add(Any.Pack(badRequest));
                if (v.Violations.Count > ValidationException.MaxReported)
                    status.Details.Add(Any.Pack(new ErrorInfo
                    {
                        Reason = "TOO_MANY_VIOLATIONS", Domain = "rectify",
                        Metadata = { ["violations"] = v.Violations.Count.ToString(), ["reported"] = ValidationException.MaxReported.ToString() },
                    }));
                break;
            case NotFoundException n:
                status.Details.Add(Any.Pack(new ResourceInfo { ResourceType = n.ResourceType, ResourceName = ValidationException.Cut(n.ResourceName, MaxMessageLength), Description = status.Message }));
                break;
            case AlreadyExistsException a:
                status.Details.Add(Any.Pack(new ResourceInfo { ResourceType = a.ResourceType, ResourceName = ValidationException.Cut(a.ResourceName, MaxMessageLength), Description = status.Message }));
                break;
            case PreconditionFailedException p:
                var failure = new PreconditionFailure();
                failure.Violations.Add(new PreconditionFailure.Types.Violation { Type = p.Type, Subject = ValidationException.Cut(p.Subject, MaxMessageLength), Description = status.Message });
                status.Details.Add(Any.Pack(failure));
                break;
        }
        return status.ToRpcException();
    }
}
