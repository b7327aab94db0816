using System.CommandLine;
using System.Text.Json.Nodes;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil exec CONNECTION (-i SCRIPT | -f FILE | stdin) [--json]</c>: runs a one-off command through the gateway.
/// Exit codes (DESIGN.md external contract): 0 done, 1 error/failed, 2 blocked, 3 review rejected or expired,
/// 4 waiting for review (the gateway answers 202 and the command has not run).
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
                await ExplainRefusalAsync(result, output);
            }
            return exitCode;
        }));
        return command;
    }

    /// <summary>
    /// Makes sure a refused command says why on stderr: the analyzer's title and explanation for <c>blocked</c> (the
    /// gateway's output normally carries them already), the review to wait for on <c>waiting_review</c>.
    /// </summary>
    private static async Task ExplainRefusalAsync(JsonNode? result, string output)
    {
        var status = result?["status"]?.GetValue<string>();
        var analysis = result?["ai_analysis"];
        var title = analysis?["title"]?.GetValue<string>();
        if (status == "blocked" && !string.IsNullOrEmpty(title) && !output.Contains(title, StringComparison.Ordinal))
        {
            var explanation = analysis?["explanation"]?.GetValue<string>() ?? "";
            await Console.Error.WriteLineAsync($"vigil: blocked by AI session analyzer: {title}\n{explanation}");
        }
        else if (status == "waiting_review")
        {
            var review = result?["review"]?["id"]?.GetValue<string>() ?? "?";
            var session = result?["id"]?.GetValue<string>() ?? "?";
            await Console.Error.WriteLineAsync($"vigil: approval pending: review {review} (session {session}); the command runs once it is approved");
        }
    }
}
