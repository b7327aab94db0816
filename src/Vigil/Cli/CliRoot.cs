using System.CommandLine;

namespace Vigil.Cli;

/// <summary>The <c>vigil</c> command line: <c>serve</c> runs the gateway; the other verbs are clients of its API.</summary>
public static class CliRoot
{
    /// <summary>
    /// Parses <paramref name="args"/> and runs the chosen verb; returns the process exit code. Every error is one line
    /// on stderr starting with "vigil: " and exit code 1: a usage error (with the verb's <c>--help</c> to read), and
    /// anything a verb did not turn into its own message (a file it could not read, bad data), never a stack trace.
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
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
                SshKeysCommand.Create(),
                AnalyzeCommand.Create(),
                AiCommand.Create(),
                GuardrailsCommand.Create(),
                MaskingCommand.Create(),
                McpCommand.Create(),
                KubeconfigCommand.Create(),
            },
        };
        var parse = root.Parse(args);
        // System.CommandLine turns Ctrl-C / SIGINT / SIGTERM into the action's cancellation token only when given a
        // termination timeout: the client verbs want that (`vigil exec` stops waiting for a review, says how to resume
        // and exits 4). `vigil serve` keeps the host's own graceful shutdown, which may take longer than the timeout.
        var invocation = new InvocationConfiguration
        {
            ProcessTerminationTimeout = parse.CommandResult.Command == serve ? null : TimeSpan.FromSeconds(2),
            EnableDefaultExceptionHandler = false,
        };
        if (parse.Errors.Count > 0)
        {
            var names = new List<string>();
            for (var result = parse.CommandResult; result is not null && result.Command != root; result = result.Parent as System.CommandLine.Parsing.CommandResult)
            {
                names.Insert(0, result.Command.Name);
            }
            var verb = string.Join(' ', names);
            var errors = string.Join("; ", parse.Errors.Select(e => e.Message.TrimEnd('.')));
            await Console.Error.WriteLineAsync($"vigil: {errors} (see `vigil {(verb.Length > 0 ? verb + " " : "")}--help`)");
            return 1;
        }
        try
        {
            return await parse.InvokeAsync(invocation);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or FormatException or CliException)
        {
            await Console.Error.WriteLineAsync($"vigil: {OneLine(e.Message)}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("vigil: interrupted");
            return 130;
        }
        catch (Exception e)
        {
            // A bug, but still a CLI error: one line that names it, so it can be reported.
            await Console.Error.WriteLineAsync($"vigil: unexpected error ({e.GetType().Name}): {OneLine(e.Message)}");
            return 1;
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
