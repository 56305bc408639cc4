using Grpc.Core;
using Rectify.Kernel;
using Rectify.Operations.V1;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;

namespace Rectify.Platform.Messaging;

/// <summary>rectify.operations.v1.DeadLetters: the error queues of this process, listed and replayed; for the root's admin or the system.</summary>
public sealed class DeadLetterService(DeadLetters deadLetters) : Operations.V1.DeadLetters.DeadLettersBase
{
    public override async Task<ListDeadLettersResponse> ListDeadLetters(ListDeadLettersRequest request, ServerCallContext context)
    {
        context.Caller().EnsureAdmin(OrgCode.Nation, "Listing the dead letters");
        var counts = await deadLetters.CountAsync(context.CancellationToken);
        var response = new ListDeadLettersResponse { Total = counts.Sum(c => c.Count), Replayable = deadLetters.CanReplay };
        response.Queues.AddRange(counts.Select(c => new DeadLetterQueue { Queue = c.Queue, Count = c.Count }));
        return response;
    }

    public override async Task<ReplayDeadLettersResponse> ReplayDeadLetters(ReplayDeadLettersRequest request, ServerCallContext context)
    {
        context.Caller().EnsureAdmin(OrgCode.Nation, "Replaying the dead letters");
        var queue = request.Queue.Length == 0 ? null : request.Queue;
        if (queue is not null && !(await deadLetters.CountAsync(context.CancellationToken)).Any(c => c.Queue == queue))
            throw ValidationException.For("queue", $"is not a consumer queue of this process ({queue}); `dead-letters` lists them");
        if (!deadLetters.CanReplay)
            throw new PreconditionFailedException("STANDALONE_NO_BROKER", "dead-letters", "Standalone mode has no broker holding dead letters: nothing can be replayed (see docs/messaging-faults.md).");
        var replayed = await deadLetters.ReplayAsync(queue, context.CancellationToken);
        var response = new ReplayDeadLettersResponse { Total = replayed.Sum(c => c.Count) };
        response.Replayed.AddRange(replayed.Select(c => new DeadLetterQueue { Queue = c.Queue, Count = c.Count }));
        return response;
    }
}
