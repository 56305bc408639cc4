using Google.Rpc;
using Grpc.Core;

namespace Rectify.Tests.Support;

public static class Rpc
{
    /// <summary>Runs a call that must fail with <paramref name="code"/>; returns the failure for further checks.</summary>
    public static async Task<RpcException> Refused(StatusCode code, Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.True(e.StatusCode == code, $"expected {code}, got {e.StatusCode}: {e.Status.Detail}");
        return e;
    }

    public static Task<RpcException> Refused<T>(StatusCode code, Func<AsyncUnaryCall<T>> call) =>
        Refused(code, async () => await call());

    /// <summary>The fields named in the google.rpc.BadRequest detail.</summary>
    public static IReadOnlyList<string> Fields(this RpcException e) =>
        e.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations.Select(v => v.Field).ToList() ?? [];

    public static string? PreconditionType(this RpcException e) =>
        e.GetRpcStatus()?.GetDetail<PreconditionFailure>()?.Violations.FirstOrDefault()?.Type;
}
