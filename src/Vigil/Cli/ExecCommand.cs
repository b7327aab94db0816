using System.CommandLine;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil exec CONNECTION (-i SCRIPT | -f FILE | stdin) [--json]</c>: runs a one-off command through the gateway.
/// Exit codes: 0 done, 1 error/failed, 2 blocked (DESIGN.md external contract).
/// </summary>
public static class ExecCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var connection = new Argument<string>("connection") { Description = "Connection name" };
        var input = new Option<string?>("--input", "-i") { Description = "The script to run" };
        var file = new Option<FileInfo?>("--file", "-f") { Description = "Read the script from a file" };
        var json = new Option<bool>("--json") { Description = "Print the session JSON instead of the output" };
        var command = new Command("exec", "Run a one-off command on a connection") { connection, input, file, json };
        command.SetAction((parse, cancellationToken) => CliOutput.RunAsync(async client =>
        {
            var script = parse.GetValue(input)
                ?? (parse.GetValue(file) is { } f ? await File.ReadAllTextAsync(f.FullName, cancellationToken) : null)
                ?? (Console.IsInputRedirected ? await Console.In.ReadToEndAsync(cancellationToken) : null);
            if (string.IsNullOrWhiteSpace(script))
            {
                throw new CliException("no script: pass -i SCRIPT, -f FILE or pipe it on stdin");
            }
            var result = await client.SendAsync(HttpMethod.Post, "api/sessions", new { connection = parse.GetValue(connection), script }, cancellationToken);
            var exitCode = result?["exit_code"]?.GetValue<int>() ?? 1;
            if (parse.GetValue(json))
            {
                CliOutput.Json(result);
            }
            else
            {
                var output = result?["output"]?.GetValue<string>() ?? "";
                (exitCode == 0 ? Console.Out : Console.Error).Write(output);
            }
            return exitCode;
        }));
        return command;
    }
}
