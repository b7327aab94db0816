using System.CommandLine;

namespace Vigil.Cli;

/// <summary>The <c>vigil</c> command line: <c>serve</c> runs the gateway; the other verbs are clients of its API.</summary>
public static class CliRoot
{
    /// <summary>Parses <paramref name="args"/> and runs the chosen verb; returns the process exit code.</summary>
    public static Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("Vigil: an access gateway that reads every command before it runs.")
        {
            Subcommands =
            {
                ServeCommand.Create(),
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
        return root.Parse(args).InvokeAsync();
    }
}
