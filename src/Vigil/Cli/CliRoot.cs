using System.CommandLine;

namespace Vigil.Cli;

/// <summary>The <c>vigil</c> command line: <c>serve</c> runs the gateway; the other verbs are clients of its API.</summary>
public static class CliRoot
{
    /// <summary>Parses <paramref name="args"/> and runs the chosen verb; returns the process exit code.</summary>
    public static Task<int> RunAsync(string[] args)
    {
        var serve = ServeCommand.Create();
        var root = new RootCommand("Vigil: an access gateway that reads every command before it runs.")
        {
            Subcommands =
            {
                serve,
                ExecCommand.Create(),
                ConnectionsCommand.Create(),
                SessionsCommand.Create(),
                ReviewsCommand.Create(),
                AccessCommand.Create(),
                LoginCommand.Create(),
                LoginCommand.CreateLogout(),
                LoginCommand.CreateWhoami(),
                UsersCommand.Create(),
                GroupsCommand.Create(),
                ServiceAccountsCommand.Create(),
                TokensCommand.Create(),
                AnalyzeCommand.Create(),
                AiCommand.Create(),
            },
        };
        var parse = root.Parse(args);
        // System.CommandLine turns Ctrl-C / SIGINT / SIGTERM into the action's cancellation token only when given a
        // termination timeout: the client verbs want that (`vigil exec` stops waiting for a review, says how to resume
        // and exits 4). `vigil serve` keeps the host's own graceful shutdown, which may take longer than the timeout.
        var invocation = new InvocationConfiguration
        {
            ProcessTerminationTimeout = parse.CommandResult.Command == serve ? null : TimeSpan.FromSeconds(2),
        };
        return parse.InvokeAsync(invocation);
    }
}
