using Vigil.Pipeline;

namespace Vigil.Adapters.Ssh.Server;

/// <summary>What the SSH channels share on the pipeline's side: a refusal's text, and recording a command that was let through.</summary>
internal static class SshPipeline
{
    /// <summary>Why the pipeline refused a command: its reason, then its detail (the analyzer's explanation) on its own line; without the <c>vigil: </c> prefix.</summary>
    public static string Refusal(Decision decision) =>
        decision.Reason + (string.IsNullOrEmpty(decision.Detail) ? "" : "\n" + decision.Detail);

    /// <summary>Microseconds since <paramref name="started"/> (a <see cref="TimeProvider.GetTimestamp"/> of the pipeline's clock).</summary>
    public static long Elapsed(CommandPipeline pipeline, long started) => (long)pipeline.Time.GetElapsedTime(started).TotalMicroseconds;

    /// <summary>
    /// Records an allowed command that returns no result to the gateway (a shell line, an sftp file operation) as a
    /// statement with its analysis, lasting from <paramref name="started"/> to now.
    /// </summary>
    public static void Record(CommandPipeline pipeline, Command command, Decision decision, long started) =>
        pipeline.Start(command, decision.Analysis, started).Complete(new CommandOutcome(null, null, null, null, Elapsed(pipeline, started)));
}
