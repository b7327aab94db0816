using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;

namespace Vigil.Cli;

/// <summary>
/// Readable output of API objects for the identity verbs: arrays as comma-separated values, null as "-", objects
/// as compact JSON; plus the shared <c>--json</c> switch and list paging.
/// </summary>
internal static class CliFormat
{
    /// <summary>A new <c>--json</c> option (print the API's JSON instead of text).</summary>
    public static Option<bool> JsonOption() => new("--json") { Description = "Print the JSON the API returned" };

    /// <summary>The text of one field value.</summary>
    public static string Text(JsonNode? node) => node switch
    {
        null => "-",
        JsonArray array => array.Count == 0 ? "-" : string.Join(",", array.Select(Text)),
        JsonObject obj => obj.ToJsonString(CliOutput.Relaxed),
        JsonValue value when value.TryGetValue<string>(out var s) => s,
        JsonValue value when value.TryGetValue<bool>(out var b) => b ? "yes" : "no",
        _ => node.ToJsonString(CliOutput.Relaxed),
    };

    /// <summary>Prints rows as an aligned table with the given columns (JSON field names).</summary>
    public static void Table(JsonArray rows, params string[] columns)
    {
        var cells = rows.Select(r => columns.Select(c => Text(r?[c])).ToArray()).ToList();
        var widths = columns.Select((c, i) => Math.Max(c.Length, cells.Count == 0 ? 0 : cells.Max(r => r[i].Length))).ToArray();
        var output = new StringBuilder();
        output.AppendLine(string.Join("  ", columns.Select((c, i) => c.ToUpperInvariant().PadRight(widths[i]))).TrimEnd());
        foreach (var row in cells)
        {
            output.AppendLine(string.Join("  ", row.Select((v, i) => v.PadRight(widths[i]))).TrimEnd());
        }
        Console.Out.Write(output.ToString());
    }

    /// <summary>Prints an object as aligned "field  value" lines, in the API's field order, skipping <paramref name="omit"/>.</summary>
    public static void Record(JsonNode? node, params string[] omit)
    {
        if (node is not JsonObject obj)
        {
            CliOutput.Json(node);
            return;
        }
        var fields = obj.Where(p => !omit.Contains(p.Key)).ToList();
        var width = fields.Count == 0 ? 0 : fields.Max(p => p.Key.Length);
        var output = new StringBuilder();
        foreach (var (key, value) in fields)
        {
            output.Append(key.PadRight(width)).Append("  ").AppendLine(Text(value));
        }
        Console.Out.Write(output.ToString());
    }

    /// <summary>Prints <paramref name="node"/> as JSON when <paramref name="json"/>, else as a record.</summary>
    public static void Show(JsonNode? node, bool json, params string[] omit)
    {
        if (json)
        {
            CliOutput.Json(node);
        }
        else
        {
            Record(node, omit);
        }
    }

    /// <summary>
    /// GETs a list (<paramref name="path"/> may carry filters) and prints it: the page as returned with
    /// <paramref name="json"/>, else a table of <paramref name="columns"/>, with a note on stderr when the list
    /// continues on further pages.
    /// </summary>
    public static async Task ListAsync(
        GatewayClient client, string path, IEnumerable<(string Key, string? Value)> query, int page, bool json,
        string[] columns, CancellationToken cancellationToken, Func<JsonNode, JsonNode>? project = null)
    {
        var url = new StringBuilder(path).Append("?page_size=1000&page=").Append(page);
        foreach (var (key, value) in query)
        {
            if (value is not null)
            {
                url.Append('&').Append(key).Append('=').Append(Uri.EscapeDataString(value));
            }
        }
        var result = await client.SendAsync(HttpMethod.Get, url.ToString(), null, cancellationToken);
        if (json)
        {
            CliOutput.Json(result);
            return;
        }
        var data = result?["data"] as JsonArray ?? [];
        var rows = new JsonArray(data.Select(r => r is null ? null : (project ?? (n => n))(r.DeepClone())).ToArray());
        Table(rows, columns);
        if (result?["pages"]?["total"]?.GetValue<long>() is { } total && total > (page - 1) * 1000L + data.Count)
        {
            await Console.Error.WriteLineAsync($"(page {page}: {data.Count} of {total}; use --page {page + 1} for more)");
        }
    }

    /// <summary>A new <c>--page</c> option for list verbs.</summary>
    public static Option<int> PageOption() => new("--page")
    {
        Description = "Page of 1000 rows to show",
        DefaultValueFactory = _ => 1,
        Validators = { r => { if (r.GetValueOrDefault<int>() < 1) { r.AddError("--page must be 1 or more"); } } },
    };

    /// <summary>The path segment for an id, e-mail or name.</summary>
    public static string Segment(string value) => Uri.EscapeDataString(value);

    /// <summary>Reads a password: the first line of stdin, or a prompt without echo on a terminal.</summary>
    /// <exception cref="CliException">Nothing to read from (no terminal and no <c>--password-stdin</c>), or an empty password.</exception>
    public static async Task<string> ReadPasswordAsync(bool fromStdin, string prompt, CancellationToken cancellationToken)
    {
        string? password;
        if (fromStdin)
        {
            password = (await Console.In.ReadLineAsync(cancellationToken))?.TrimEnd('\r', '\n');
        }
        else if (!Console.IsInputRedirected)
        {
            password = PromptHidden(prompt, cancellationToken);
        }
        else
        {
            throw new CliException("no terminal to ask for the password on: pass --password-stdin and pipe it in");
        }
        return string.IsNullOrEmpty(password) ? throw new CliException("empty password") : password;
    }

    /// <summary>Asks for one line on the terminal (echoed).</summary>
    /// <exception cref="CliException">No terminal.</exception>
    public static string Prompt(string prompt)
    {
        if (Console.IsInputRedirected)
        {
            throw new CliException($"no terminal to ask on: {prompt.TrimEnd(' ', ':')} must be given as an option");
        }
        Console.Error.Write(prompt);
        return Console.ReadLine()?.Trim() ?? "";
    }

    private static string PromptHidden(string prompt, CancellationToken cancellationToken)
    {
        Console.Error.Write(prompt);
        var password = new StringBuilder();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }
            if (key.Key == ConsoleKey.Backspace)
            {
                if (password.Length > 0)
                {
                    password.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                password.Append(key.KeyChar);
            }
        }
        Console.Error.WriteLine();
        return password.ToString();
    }
}
