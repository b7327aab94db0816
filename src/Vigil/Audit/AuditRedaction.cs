using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Vigil.Audit;

/// <summary>
/// Turns a request body into the JSON text the audit log keeps (<see cref="AuditEntry.Request"/>), with secrets
/// removed. A JSON body keeps its shape; the value of every property whose name is or contains a secret word
/// (<see cref="IsSensitive"/>) — scalar, object or array alike — becomes <c>"[REDACTED]"</c>, at any depth. A body
/// that is not JSON (RFC 8259) is replaced by <c>{"unparsed": true, "length": N}</c> (N in bytes) and nothing of its
/// content is kept. Only the first <see cref="MaxBodyBytes"/> bytes are looked at: a longer JSON body is kept as
/// <c>{"truncated": true, "length": N, "body": …}</c> where <c>body</c> is the redacted prefix with its open objects
/// and arrays closed (a value cut in the middle is dropped, never kept in part). A command (<c>script</c>) keeps its
/// text with the passwords in it replaced (<see cref="Sessions.StatementRedaction"/>).
/// </summary>
public static class AuditRedaction
{
    /// <summary>The replacement of a secret value.</summary>
    public const string Redacted = "[REDACTED]";

    /// <summary>The most of a request body the audit log keeps: 16 KiB.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    // Compared against the property name in lower case with '_' and '-' removed, so "api_key", "apiKey", "api-key",
    // "privateKey" and "client_secret" all match.
    private static readonly string[] SensitiveWords =
        ["password", "passwd", "secret", "token", "apikey", "privatekey", "clientsecret", "clientkey", "headers", "authorization", "credential"];

    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 };

    /// <summary>
    /// True when a property named <paramref name="name"/> holds a secret: its name, ignoring case, <c>_</c> and
    /// <c>-</c>, is or contains password, passwd, secret, token, apikey (api_key), privatekey (private_key),
    /// clientsecret (client_secret), clientkey (client_key), headers (an HTTP connection's injected headers, whatever
    /// their names), authorization or credential; or it is exactly <c>url</c> (webhook URLs). <c>kubernetes_secrets</c>
    /// (a masking rule's choice, <c>redact</c> or <c>reveal</c>) is not.
    /// </summary>
    public static bool IsSensitive(string name)
    {
        Span<char> buffer = name.Length <= 128 ? stackalloc char[name.Length] : new char[name.Length];
        var length = 0;
        foreach (var c in name)
        {
            if (c is not ('_' or '-'))
            {
                buffer[length++] = char.ToLowerInvariant(c);
            }
        }
        ReadOnlySpan<char> normalized = buffer[..length];
        // A webhook's "url": Slack and Teams incoming-webhook URLs carry their credential in the path.
        if (normalized.SequenceEqual("url"))
        {
            return true;
        }
        // A data masking rule's "kubernetes_secrets" is policy ("redact" or "reveal"), not a secret: the log must show
        // who chose to reveal Secrets.
        if (normalized.SequenceEqual("kubernetessecrets"))
        {
            return false;
        }
        foreach (var word in SensitiveWords)
        {
            if (normalized.Contains(word, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// The audit form of a body whose first bytes are <paramref name="prefix"/> and whose full size is
    /// <paramref name="length"/> bytes (<paramref name="prefix"/> is the whole body when they are equal). Null for an
    /// empty body. Never throws on bad input.
    /// </summary>
    public static string? Redact(ReadOnlySpan<byte> prefix, long length)
    {
        if (length == 0 || prefix.IsEmpty)
        {
            return length == 0 ? null : Unparsed(length);
        }
        var complete = prefix.Length >= length;
        if (prefix.StartsWith("\uFEFF"u8))
        {
            prefix = prefix[3..];
        }
        var output = new ArrayBufferWriter<byte>(prefix.Length + 64);
        try
        {
            using (var writer = new Utf8JsonWriter(output))
            {
                if (!complete)
                {
                    writer.WriteStartObject();
                    writer.WriteBoolean("truncated", true);
                    writer.WriteNumber("length", length);
                    writer.WritePropertyName("body");
                }
                var wroteValue = Copy(prefix, complete, writer);
                if (!complete)
                {
                    if (!wroteValue)
                    {
                        writer.WriteNullValue();
                    }
                    writer.WriteEndObject();
                }
                else if (!wroteValue)
                {
                    return Unparsed(length);
                }
            }
            return Encoding.UTF8.GetString(output.WrittenSpan);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            // Not JSON, not UTF-8, or nested past the reader's limit.
            return Unparsed(length);
        }
    }

    /// <summary>
    /// Copies the JSON value in <paramref name="json"/> to <paramref name="writer"/>, redacting secrets. When
    /// <paramref name="final"/> is false the input may stop anywhere: what was read is written, a property whose value
    /// had not started is dropped, and every open object or array is closed. Returns false when not even the start of
    /// a value could be written.
    /// </summary>
    private static bool Copy(ReadOnlySpan<byte> json, bool final, Utf8JsonWriter writer)
    {
        var reader = new Utf8JsonReader(json, final, new JsonReaderState(ReaderOptions));
        var open = new Stack<bool>(); // true for an array
        string? name = null; // a property name read but not written: it is written together with its value
        string? property = null; // the name of the value being copied
        var wrote = false;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName)
            {
                name = reader.GetString()!;
                property = name;
                if (!IsSensitive(name))
                {
                    continue;
                }
                writer.WriteString(name, Redacted);
                name = null;
                // Step onto the value and past it; on a cut-off input the rest is simply not there.
                if (!reader.Read() || !reader.TrySkip())
                {
                    break;
                }
                continue;
            }
            if (name is not null && reader.TokenType is not (JsonTokenType.EndObject or JsonTokenType.EndArray))
            {
                writer.WritePropertyName(name);
                name = null;
            }
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    writer.WriteStartObject();
                    open.Push(false);
                    break;
                case JsonTokenType.StartArray:
                    writer.WriteStartArray();
                    open.Push(true);
                    break;
                case JsonTokenType.EndObject:
                    writer.WriteEndObject();
                    open.Pop();
                    break;
                case JsonTokenType.EndArray:
                    writer.WriteEndArray();
                    open.Pop();
                    break;
                case JsonTokenType.String:
                    // A command (POST /api/sessions "script") keeps its text but not the passwords in it.
                    writer.WriteStringValue(property is "script" ? Sessions.StatementRedaction.Redact(reader.GetString()) : reader.GetString());
                    break;
                case JsonTokenType.Number:
                    writer.WriteRawValue(reader.ValueSpan);
                    break;
                case JsonTokenType.True:
                case JsonTokenType.False:
                    writer.WriteBooleanValue(reader.TokenType == JsonTokenType.True);
                    break;
                case JsonTokenType.Null:
                    writer.WriteNullValue();
                    break;
                default:
                    throw new JsonException($"unexpected token {reader.TokenType}");
            }
            wrote = true;
        }
        while (open.TryPop(out var isArray))
        {
            if (isArray)
            {
                writer.WriteEndArray();
            }
            else
            {
                writer.WriteEndObject();
            }
        }
        return wrote;
    }

    private static string Unparsed(long length) => $$"""{"unparsed":true,"length":{{length}}}""";
}
