using System.CommandLine;
using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vigil.Analysis;
using Vigil.Analysis.Static;
using Vigil.Hosting;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil analyze [--offline] [--connection NAME] [--type TYPE]</c>: classifies commands without running them.
/// Reads JSON lines <c>{"type":"postgres|shell|kubernetes|http","input":"…"}</c> on stdin until EOF and writes one
/// JSON line per non-empty input line, flushed at once so it works as a pipe or coprocess (DESIGN.md external
/// contract): the <c>ai_analysis</c> shape (<c>risk_level, title, explanation, action, source, evidence, …</c>), or
/// <c>{"error":"line N: …"}</c> for a line that could not be analyzed. Exit code 1 when any line failed, else 0;
/// an unreachable gateway or refused credentials stop it with "vigil: …" on stderr and exit code 1.
/// </summary>
public static class AnalyzeCommand
{
    /// <summary>
    /// The API's snake_case options, escaping only what JSON requires: the lines are read by programs and people, not
    /// embedded in HTML, so quotes and apostrophes in SQL stay readable instead of becoming \u0027.
    /// </summary>
    private static readonly JsonSerializerOptions LineJson = new(Api.Json) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Classifies one input: (type or null for the gateway's default, input) to the output line.</summary>
    private delegate Task<string> Analyzer(string? type, string input, CancellationToken cancellationToken);

    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var offline = new Option<bool>("--offline") { Description = "Use the static analyzer in this process only (no gateway, no credentials)" };
        var connection = new Option<string?>("--connection", "-c") { Description = "Analyze as a command on this connection (its rule chooses the action)" };
        var type = new Option<string?>("--type", "-t") { Description = $"Type of lines that do not name one (default: postgres): {string.Join(", ", InputType.All)}" };
        type.AcceptOnlyFromAmong([.. InputType.All]);
        var command = new Command("analyze", "Classify commands read as JSON lines on stdin, one JSON line out per line in") { offline, connection, type };
        command.Validators.Add(result =>
        {
            // The rule that turns a risk level into an action lives on the gateway: offline there is none to apply.
            if (result.GetValue(offline) && result.GetValue(connection) is not null)
            {
                result.AddError("--connection needs the gateway (its rule chooses the action): drop --offline");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var defaultType = parse.GetValue(type);
            if (parse.GetValue(offline))
            {
                return await RunLinesAsync(defaultType ?? InputType.Postgres, AnalyzeOffline, cancellationToken);
            }
            var name = parse.GetValue(connection);
            // With a connection and no type, the gateway reads the input as the connection's type.
            var fallback = defaultType ?? (name is null ? InputType.Postgres : null);
            return await CliOutput.RunAsync(client => RunLinesAsync(fallback, (t, input, ct) => AnalyzeOnlineAsync(client, name, t, input, ct), cancellationToken));
        });
        return command;
    }

    /// <summary>The read-analyze-write loop; returns 1 when any line failed.</summary>
    private static async Task<int> RunLinesAsync(string? defaultType, Analyzer analyze, CancellationToken cancellationToken)
    {
        var failed = false;
        var number = 0;
        while (await Console.In.ReadLineAsync(cancellationToken) is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            var (input, lineType, error) = ParseLine(line, defaultType);
            string output;
            if (error is not null)
            {
                (output, failed) = (ErrorLine(number, error), true);
            }
            else
            {
                try
                {
                    output = await analyze(lineType, input!, cancellationToken);
                }
                catch (CliException e) when (e.Status == 400)
                {
                    // The gateway refused this input only (e.g. too long); anything else (401, 404, unreachable) would
                    // fail every line alike, so it ends the run instead.
                    (output, failed) = (ErrorLine(number, e.Message), true);
                }
            }
            await Console.Out.WriteLineAsync(output);
            await Console.Out.FlushAsync(cancellationToken);
        }
        return failed ? 1 : 0;
    }

    /// <summary>Reads one input line: the input and its type, or why it cannot be analyzed.</summary>
    private static (string? Input, string? Type, string? Error) ParseLine(string line, string? defaultType)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(line);
        }
        catch (JsonException e)
        {
            return (null, null, $"invalid JSON: {e.Message}");
        }
        if (node is not JsonObject obj)
        {
            return (null, null, "expected a JSON object such as {\"type\":\"postgres\",\"input\":\"SELECT 1\"}");
        }
        if (obj["input"] is not JsonValue inputValue || !inputValue.TryGetValue<string>(out var input) || input.Length == 0)
        {
            return (null, null, "missing field 'input' (a non-empty string)");
        }
        var type = defaultType;
        if (obj["type"] is { } typeNode)
        {
            if (typeNode is not JsonValue typeValue || !typeValue.TryGetValue(out type) || !InputType.All.Contains(type))
            {
                return (null, null, $"unknown type {typeNode.ToJsonString()} ({string.Join(", ", InputType.All)})");
            }
        }
        return (input, type, null);
    }

    private static string ErrorLine(int number, string message) => new JsonObject { ["error"] = $"line {number}: {message}" }.ToJsonString(LineJson);

    /// <summary>The static verdict in the gateway's <c>ai_analysis</c> shape; no rule applies, so the action is <c>allow</c> as on a connection without one.</summary>
    private static Task<string> AnalyzeOffline(string? type, string input, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var verdict = StaticAnalyzer.Analyze(type ?? InputType.Postgres, input);
        var analysis = new AiAnalysis(
            verdict.Level.Name(), verdict.Title, verdict.Explanation, AnalysisAction.Allow.Name(), AnalysisSource.Static, null, null,
            Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3), false, verdict.Evidence, null, null);
        return Task.FromResult(JsonSerializer.Serialize(analysis, LineJson));
    }

    private static async Task<string> AnalyzeOnlineAsync(GatewayClient client, string? connection, string? type, string input, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["type"] = type, ["input"] = input, ["connection"] = connection };
        var analysis = await client.SendAsync(HttpMethod.Post, "api/ai/session-analyzer/analyze", body, cancellationToken);
        return analysis?.ToJsonString(LineJson) ?? throw new CliException("the gateway answered /analyze without a body");
    }
}
