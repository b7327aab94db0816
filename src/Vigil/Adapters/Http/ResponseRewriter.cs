using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vigil.Pipeline;

namespace Vigil.Adapters.Http;

/// <summary>
/// A response body on its way through the result stages (guardrails(out) → mask, <see cref="CommandRun.Text"/>) and,
/// for Kubernetes Secrets, <see cref="SecretRedaction"/>, before the client or the recording sees it. JSON is
/// rewritten value by value (every string value is one text for the stages, so a masked e-mail stays a valid JSON
/// string); a watch stream event by event, each flushed as it comes; <c>text/*</c> as one text. A body is held up to
/// <see cref="ProxyLimits.MaskingHoldBytes"/> (a watch one event at a time). Bodies of other types are not readable as text: the
/// caller forwards them untouched unless Secret redaction requires JSON. Secret values a rule reveals
/// (<see cref="SecretHandling.Reveal"/>) go to the client after the stages; the recording gets the same JSON with them
/// redacted (<see cref="ResponseTap.WriteAsync(ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, int, CancellationToken)"/>, which
/// counts them in <see cref="ResponseTap.Revealed"/>).
/// </summary>
public static class ResponseRewriter
{
    // A rewritten body keeps the upstream's characters: the default encoder would turn '<' and non-ASCII into \uXXXX
    // (still the same JSON, but not the same text in the recording, and larger).
    private static readonly JsonSerializerOptions Output = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>How a rewrite ended.</summary>
    /// <param name="Written">False when nothing (more) could be written: not JSON, too large, or stopped.</param>
    /// <param name="StopReason">Set when a result stage stopped the response (an output guardrail).</param>
    public readonly record struct Outcome(bool Written, string? StopReason = null);

    /// <summary>True for bodies the stages can read: JSON (any <c>…json</c> type) and <c>text/*</c>.</summary>
    public static bool Readable(string? mediaType) =>
        mediaType is not null && (mediaType.EndsWith("json", StringComparison.OrdinalIgnoreCase) || mediaType.StartsWith("text/", StringComparison.OrdinalIgnoreCase));

    /// <summary>Writes <paramref name="upstream"/> to <paramref name="client"/> rewritten.</summary>
    /// <param name="upstream">The upstream's body.</param>
    /// <param name="client">The client's body, which keeps the recording's copy.</param>
    /// <param name="mediaType">The body's media type (<see cref="Readable"/>).</param>
    /// <param name="watch">True for a Kubernetes watch (newline-delimited JSON events).</param>
    /// <param name="secrets">Whether to apply <see cref="SecretRedaction.Redact"/>, and for whom.</param>
    /// <param name="run">The request's result chain when a stage applies, else null.</param>
    /// <param name="maxBytes">Largest body held to be rewritten, bytes; a larger one is not written.</param>
    /// <param name="cancellationToken">Cancels the copy.</param>
    public static async Task<Outcome> CopyAsync(
        Stream upstream, ResponseTap client, string mediaType, bool watch, SecretHandling secrets, CommandRun? run, int maxBytes, CancellationToken cancellationToken)
    {
        var json = mediaType.EndsWith("json", StringComparison.OrdinalIgnoreCase);
        var chunk = new byte[64 * 1024];
        int read;
        if (watch && json)
        {
            // One event per line, each held alone and bounded: an endless line must not grow the gateway.
            using var line = new MemoryStream();
            async Task<Outcome?> EventAsync()
            {
                var text = Encoding.UTF8.GetString(line.GetBuffer(), 0, (int)line.Length);
                line.SetLength(0);
                if (text.Trim().Length == 0)
                {
                    return null;
                }
                var rewritten = Rewrite(text, secrets, run, client.Recording);
                if (!rewritten.Outcome.Written)
                {
                    return rewritten.Outcome;
                }
                await WriteAsync(client, rewritten.Text + "\n", rewritten.Recorded is null ? null : rewritten.Recorded + "\n", rewritten.Revealed, cancellationToken);
                await client.FlushAsync(cancellationToken);
                return null;
            }
            while ((read = await upstream.ReadAsync(chunk, cancellationToken)) > 0)
            {
                var start = 0;
                for (var end = Array.IndexOf(chunk, (byte)'\n', 0, read); ; end = Array.IndexOf(chunk, (byte)'\n', start, read - start))
                {
                    var length = (end < 0 ? read : end) - start;
                    if (line.Length + length > maxBytes)
                    {
                        return new Outcome(false);
                    }
                    line.Write(chunk, start, length);
                    if (end < 0)
                    {
                        break;
                    }
                    start = end + 1;
                    if (await EventAsync() is { } stopped)
                    {
                        return stopped;
                    }
                }
            }
            return await EventAsync() ?? new Outcome(true);
        }
        using var buffer = new MemoryStream();
        while ((read = await upstream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return new Outcome(false);
            }
            buffer.Write(chunk, 0, read);
        }
        var body = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        var result = json ? Rewrite(body, secrets, run, client.Recording) : Text(body, run);
        if (result.Outcome.Written)
        {
            await WriteAsync(client, result.Text, result.Recorded, result.Revealed, cancellationToken);
        }
        return result.Outcome;
    }

    /// <summary>Sends <paramref name="text"/>; the recording keeps <paramref name="recorded"/> instead when it is set.</summary>
    private static async Task WriteAsync(ResponseTap client, string text, string? recorded, int revealed, CancellationToken cancellationToken)
    {
        var sent = Encoding.UTF8.GetBytes(text);
        await client.WriteAsync(sent, recorded is null ? sent : Encoding.UTF8.GetBytes(recorded), revealed, cancellationToken);
    }

    /// <summary>
    /// One JSON text rewritten: for the client, and when it differs, for the recording (<paramref name="recording"/>
    /// false: the recording is full and needs none), with the count of Secret values only the client's has.
    /// </summary>
    private static (Outcome Outcome, string Text, string? Recorded, int Revealed) Rewrite(string text, SecretHandling secrets, CommandRun? run, bool recording)
    {
        if (SecretRedaction.Parse(text) is not { } node)
        {
            // Not JSON after all: text for the stages, unless Secret redaction needs structure.
            return secrets != SecretHandling.None ? (new Outcome(false), "", null, 0) : Text(text, run);
        }
        if (secrets == SecretHandling.Redact)
        {
            SecretRedaction.Redact(node);
        }
        if (run is not null && Strings(node, run) is { } stop)
        {
            return (new Outcome(false, stop), "", null, 0);
        }
        var sent = node.ToJsonString(Output);
        if (secrets != SecretHandling.Reveal)
        {
            return (new Outcome(true), sent, null, 0);
        }
        // Revealed to the client, after the stages saw them; redacted for the recording (its own pass, so the
        // client's text is never built from a redacted tree).
        var count = SecretRedaction.Redact(node);
        var recorded = count == 0 ? null : recording ? node.ToJsonString(Output) : "";
        return (new Outcome(true), sent, recorded, count);
    }

    private static (Outcome Outcome, string Text, string? Recorded, int Revealed) Text(string text, CommandRun? run)
    {
        if (run is null)
        {
            return (new Outcome(true), text, null, 0);
        }
        var piece = new ResultText(text);
        var action = run.Text(piece);
        return action.Stopped ? (new Outcome(false, action.StopReason), "", null, 0) : (new Outcome(true), piece.Text, null, 0);
    }

    /// <summary>Runs every string value under <paramref name="node"/> through the stages; the stop reason, or null.</summary>
    private static string? Strings(JsonNode node, CommandRun run)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(p => p.Key).ToList())
                {
                    if (Value(o[key], run, out var replacement) is { } stop)
                    {
                        return stop;
                    }
                    if (replacement is not null)
                    {
                        o[key] = replacement;
                    }
                    else if (o[key] is { } child && Strings(child, run) is { } inner)
                    {
                        return inner;
                    }
                }
                return null;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    if (Value(a[i], run, out var replacement) is { } stop)
                    {
                        return stop;
                    }
                    if (replacement is not null)
                    {
                        a[i] = replacement;
                    }
                    else if (a[i] is { } child && Strings(child, run) is { } inner)
                    {
                        return inner;
                    }
                }
                return null;
            default:
                return null;
        }
    }

    /// <summary>For a string value: the stages' verdict (a stop reason) and its replacement when they changed it.</summary>
    private static string? Value(JsonNode? node, CommandRun run, out string? replacement)
    {
        replacement = null;
        if (node is not JsonValue value || !value.TryGetValue<string>(out var text))
        {
            return null;
        }
        var piece = new ResultText(text);
        var action = run.Text(piece);
        if (action.Stopped)
        {
            return action.StopReason;
        }
        replacement = piece.Changed ? piece.Text : null;
        return null;
    }
}
