using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Vigil.Cli;

/// <summary>Printing helpers shared by the client verbs.</summary>
internal static class CliOutput
{
    /// <summary>
    /// JSON for people and scripts: only what JSON itself requires is escaped, so "+", "&lt;", "'" and
    /// non-ASCII text print as they are (the default encoder's <c>\u002B</c> is for embedding in HTML, not a terminal).
    /// </summary>
    public static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonSerializerOptions Indented = new(Relaxed) { WriteIndented = true };

    /// <summary>Prints <paramref name="node"/> as indented JSON.</summary>
    public static void Json(JsonNode? node) => Console.WriteLine(node?.ToJsonString(Indented) ?? "null");

    /// <summary>
    /// Runs a client verb: CLI errors print "vigil: …" to stderr and exit 1; an interruption (Ctrl-C, SIGTERM) the
    /// verb did not handle itself prints "vigil: interrupted" and exits 130 (128 + SIGINT), without a stack trace.
    /// </summary>
    public static async Task<int> RunAsync(Func<GatewayClient, Task<int>> action)
    {
        using var client = new GatewayClient();
        try
        {
            return await action(client);
        }
        catch (CliException e)
        {
            await Console.Error.WriteLineAsync($"vigil: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("vigil: interrupted");
            return 130;
        }
    }

    /// <summary>Prints rows as an aligned text table with the given columns (JSON field names).</summary>
    public static void Table(JsonArray rows, params string[] columns)
    {
        var cells = rows.Select(r => columns.Select(c => r?[c]?.ToString() ?? "").ToArray()).ToList();
        var widths = columns.Select((c, i) => Math.Max(c.Length, cells.Count == 0 ? 0 : cells.Max(r => r[i].Length))).ToArray();
        Console.WriteLine(string.Join("  ", columns.Select((c, i) => c.ToUpperInvariant().PadRight(widths[i]))).TrimEnd());
        foreach (var row in cells)
        {
            Console.WriteLine(string.Join("  ", row.Select((v, i) => v.PadRight(widths[i]))).TrimEnd());
        }
    }
}
