using Vigil.Pipeline;

namespace Vigil.Adapters.Exec;

/// <summary>
/// Runs an exec script on one type of target: the connection's <c>type</c> (<see cref="ConnectionType"/>) chooses it.
/// PostgreSQL runs through Npgsql (<see cref="PostgresExecutor"/>); SSH and HTTP connections plug in here with their
/// own client library. An executor only translates: it cuts the script into the commands its target runs, starts
/// each with <see cref="ExecTranscript.Statement"/> and hands over what the target answers (columns, rows as text,
/// notices, the completion or the error), stopping when the transcript says a result was stopped. Policy, rendering
/// and recording are the transcript's and the pipeline's.
/// </summary>
public interface IExecExecutor
{
    /// <summary>The connection type this executor runs (<c>postgres</c>, later <c>ssh</c>, <c>http</c>).</summary>
    string ConnectionType { get; }

    /// <summary>
    /// Runs <paramref name="script"/> on <paramref name="session"/>'s connection, reporting to
    /// <paramref name="transcript"/>. A target that cannot be reached is reported with
    /// <see cref="ExecTranscript.Fail"/>, never thrown; cancellation is thrown.
    /// </summary>
    Task RunAsync(SessionContext session, string script, ExecTranscript transcript, CancellationToken cancellationToken);
}
