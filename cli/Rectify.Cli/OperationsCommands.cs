using Rectify.Operations.V1;
using static Rectify.Cli.Define;

namespace Rectify.Cli;

/// <summary>Operators' commands: the dead letters of the process --server names (each host answers for its own queues).</summary>
public static class OperationsCommands
{
    private const string Service = "rectify.operations.v1.DeadLetters/";

    private static DeadLetters.DeadLettersClient Client(Ctx c) => new(c.Channel);

    public static IEnumerable<Verb> Verbs()
    {
        yield return Rpc("dead-letters", "messages that used up their redeliveries, per consumer queue (root admin)", [Service + "ListDeadLetters"], [],
            async c => await Client(c).ListDeadLettersAsync(new ListDeadLettersRequest(), c.Headers));
        {
            var queue = Text("--queue", "only this consumer queue (default every queue of the process)");
            yield return Rpc("dead-letters-replay", "move the dead letters back to their queues, each once (root admin)", [Service + "ReplayDeadLetters"], [queue],
                async c => await Client(c).ReplayDeadLettersAsync(new ReplayDeadLettersRequest { Queue = c.Get(queue) }, c.Headers));
        }
    }
}
