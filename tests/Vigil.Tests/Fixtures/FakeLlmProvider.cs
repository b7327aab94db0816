using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Vigil.Analysis;

namespace Vigil.Tests.Fixtures;

/// <summary>
/// A local LLM provider on <c>http://127.0.0.1:{random}</c> that speaks one real wire format, for tests of the
/// analyzer providers and of the gateway end to end:
/// <list type="bullet">
/// <item><c>openai</c>: <c>POST /v1/chat/completions</c> with <c>Authorization: Bearer KEY</c>; answers a
/// <c>chat.completion</c> with <c>choices[0].message.tool_calls[{id, type:"function", function:{name, arguments}}]</c>,
/// <c>finish_reason:"tool_calls"</c> and <c>usage{prompt_tokens, completion_tokens, total_tokens}</c>
/// (OpenAI Chat Completions API reference). <see cref="BaseUrl"/> is <c>http://127.0.0.1:P/v1</c>.</item>
/// <item><c>azure-openai</c>: the same body at <c>POST /openai/deployments/{deployment}/chat/completions?api-version=…</c>
/// with an <c>api-key</c> header; <see cref="BaseUrl"/> is the deployment URL
/// <c>http://127.0.0.1:P/openai/deployments/vigil-test</c>.</item>
/// <item><c>anthropic</c>: <c>POST /v1/messages</c> with <c>x-api-key</c> (or <c>Authorization: Bearer</c>) and
/// <c>anthropic-version</c>; answers
/// <c>{id, type:"message", role:"assistant", model, content:[{type:"tool_use", id, name, input}], stop_reason:"tool_use",
/// usage{input_tokens, output_tokens}}</c> (Anthropic Messages API). <see cref="BaseUrl"/> is <c>http://127.0.0.1:P</c>.</item>
/// </list>
/// Errors use each provider's real body shape (OpenAI/Azure <c>{"error":{"message","type","param","code"}}</c>,
/// Anthropic <c>{"type":"error","error":{"type","message"}}</c>): a wrong path is 404, a missing key (or one that
/// differs from <see cref="ExpectedApiKey"/>) 401, a missing <c>api-version</c> (Azure) 404 and a missing
/// <c>anthropic-version</c> 400. Every request is recorded in <see cref="Requests"/>, rejected or not; the answer to a
/// well-formed one comes from <see cref="Responder"/> (default: Low, "Routine read").
/// </summary>
public sealed class FakeLlmProvider : IAsyncDisposable
{
    /// <summary>The Azure deployment name in <see cref="BaseUrl"/> for <c>azure-openai</c>.</summary>
    public const string AzureDeployment = "vigil-test";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<FakeLlmRequest> _requests = new();
    private readonly CancellationTokenSource _stopping = new();
    private int _counter;

    private FakeLlmProvider(WebApplication app, string wire)
    {
        _app = app;
        Wire = wire;
    }

    /// <summary><c>openai</c>, <c>azure-openai</c> or <c>anthropic</c>.</summary>
    public string Wire { get; }

    /// <summary>The value to configure as <c>api_url</c> for this wire (no trailing slash).</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>When set, requests carrying another key get the wire's 401; when null any non-empty key is accepted.</summary>
    public string? ExpectedApiKey { get; set; }

    /// <summary>Chooses the answer to each well-formed request; may be replaced at any time (thread-safe read).</summary>
    public Func<FakeLlmRequest, FakeLlmReply> Responder { get; set; } =
        _ => FakeLlmReply.Verdict(RiskLevel.Low, "Routine read", "Read-only query with a tight filter.");

    /// <summary>Every request received so far, in arrival order (a snapshot).</summary>
    public IReadOnlyList<FakeLlmRequest> Requests => [.. _requests];

    /// <summary>Answers the next requests with <paramref name="replies"/> in order, repeating the last one afterwards.</summary>
    public void RespondInOrder(params FakeLlmReply[] replies)
    {
        ArgumentOutOfRangeException.ThrowIfZero(replies.Length);
        var next = -1;
        Responder = _ => replies[Math.Min(Interlocked.Increment(ref next), replies.Length - 1)];
    }

    /// <summary>Starts a provider for <paramref name="wire"/> (<c>openai</c>, <c>azure-openai</c> or <c>anthropic</c>).</summary>
    public static async Task<FakeLlmProvider> StartAsync(string wire)
    {
        if (wire is not ("openai" or "azure-openai" or "anthropic"))
        {
            throw new ArgumentException($"unknown wire {wire}", nameof(wire));
        }
        // Hung requests are released on dispose; Kestrel does not wait for them.
        var app = LoopbackServer.Create();
        var fake = new FakeLlmProvider(app, wire);
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        var root = LoopbackServer.Address(app);
        fake.BaseUrl = wire switch
        {
            "openai" => root + "/v1",
            "azure-openai" => root + "/openai/deployments/" + AzureDeployment,
            _ => root,
        };
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var request = new FakeLlmRequest(
            Wire,
            context.Request.Method,
            context.Request.Path.Value ?? "",
            context.Request.QueryString.Value ?? "",
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body,
            DateTimeOffset.UtcNow);
        _requests.Enqueue(request);

        if (Reject(request) is { } rejection)
        {
            await WriteAsync(context, rejection, request);
            return;
        }
        await WriteAsync(context, Responder(request), request);
    }

    /// <summary>What the real provider would say about the path and headers alone, or null when they are fine.</summary>
    private FakeLlmReply? Reject(FakeLlmRequest request)
    {
        var path = Wire switch
        {
            "openai" => "/v1/chat/completions",
            "azure-openai" => $"/openai/deployments/{AzureDeployment}/chat/completions",
            _ => "/v1/messages",
        };
        var auth = request.ApiKey;
        if (request.Method != "POST" || request.Path != path)
        {
            return FakeLlmReply.Error(404, Wire == "anthropic" ? "Not found" : "Resource not found");
        }
        if (string.IsNullOrEmpty(auth) || (ExpectedApiKey is not null && auth != ExpectedApiKey))
        {
            return FakeLlmReply.Error(401, Wire switch
            {
                "openai" => "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.",
                "azure-openai" => "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.",
                _ => "invalid x-api-key",
            });
        }
        if (Wire == "azure-openai" && !request.Query.Contains("api-version=", StringComparison.Ordinal))
        {
            return FakeLlmReply.Error(404, "Resource not found");
        }
        if (Wire == "anthropic" && request.Header("anthropic-version") is null)
        {
            return FakeLlmReply.Error(400, "anthropic-version: header is required");
        }
        return request.Json is null ? FakeLlmReply.Error(400, "We could not parse the JSON body of your request.") : null;
    }

    private async Task WriteAsync(HttpContext context, FakeLlmReply reply, FakeLlmRequest request)
    {
        if (reply.Kind == FakeLlmReplyKind.Hang)
        {
            using var both = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
            try
            {
                await Task.Delay(Timeout.Infinite, both.Token);
            }
            catch (OperationCanceledException)
            {
            }
            return;
        }
        foreach (var (name, value) in reply.Headers)
        {
            context.Response.Headers[name] = value;
        }
        context.Response.StatusCode = reply.StatusCode;
        context.Response.ContentType = "application/json";
        var id = Interlocked.Increment(ref _counter);
        var text = reply.Kind switch
        {
            FakeLlmReplyKind.Raw => reply.Body ?? "",
            FakeLlmReplyKind.Error => ErrorBody(reply.StatusCode, reply.Body ?? ""),
            _ => Wire == "anthropic" ? AnthropicMessage(reply, request, id) : ChatCompletion(reply, request, id),
        };
        await context.Response.WriteAsync(text, context.RequestAborted);
    }

    private string ErrorBody(int status, string message)
    {
        if (Wire == "anthropic")
        {
            var type = status switch
            {
                400 => "invalid_request_error",
                401 => "authentication_error",
                403 => "permission_error",
                404 => "not_found_error",
                413 => "request_too_large",
                429 => "rate_limit_error",
                529 => "overloaded_error",
                _ => "api_error",
            };
            return new JsonObject { ["type"] = "error", ["error"] = new JsonObject { ["type"] = type, ["message"] = message } }.ToJsonString();
        }
        if (Wire == "azure-openai" && status is 401 or 404)
        {
            // Azure's gateway answers auth and routing errors with a bare code/message pair.
            return new JsonObject { ["error"] = new JsonObject { ["code"] = status.ToString(System.Globalization.CultureInfo.InvariantCulture), ["message"] = message } }.ToJsonString();
        }
        var (errorType, code) = status switch
        {
            401 => ("invalid_request_error", "invalid_api_key"),
            429 => ("requests", "rate_limit_exceeded"),
            >= 500 => ("server_error", (string?)null),
            _ => ("invalid_request_error", null),
        };
        return new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = message, ["type"] = errorType, ["param"] = null, ["code"] = code },
        }.ToJsonString();
    }

    private static string ChatCompletion(FakeLlmReply reply, FakeLlmRequest request, int id)
    {
        var message = new JsonObject { ["role"] = "assistant", ["content"] = reply.Kind == FakeLlmReplyKind.Text ? reply.Body : null, ["refusal"] = null };
        if (reply.Kind == FakeLlmReplyKind.ToolCalls)
        {
            var calls = new JsonArray();
            var index = 0;
            foreach (var (name, arguments) in reply.Calls)
            {
                calls.Add(new JsonObject
                {
                    ["id"] = $"call_{id}_{index++}",
                    ["type"] = "function",
                    // OpenAI sends the arguments as a string of JSON, which is what lets a model produce invalid JSON.
                    ["function"] = new JsonObject { ["name"] = name, ["arguments"] = arguments },
                });
            }
            message["tool_calls"] = calls;
        }
        var completion = new JsonObject
        {
            ["id"] = $"chatcmpl-fake{id}",
            ["object"] = "chat.completion",
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["model"] = request.Model ?? "unknown",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = message,
                ["logprobs"] = null,
                ["finish_reason"] = reply.Kind == FakeLlmReplyKind.ToolCalls ? "tool_calls" : "stop",
            }),
            ["system_fingerprint"] = "fp_fake",
        };
        if (reply.Usage is var (input, output))
        {
            completion["usage"] = new JsonObject { ["prompt_tokens"] = input, ["completion_tokens"] = output, ["total_tokens"] = input + output };
        }
        return completion.ToJsonString();
    }

    private static string AnthropicMessage(FakeLlmReply reply, FakeLlmRequest request, int id)
    {
        var content = new JsonArray();
        if (reply.Kind == FakeLlmReplyKind.Text)
        {
            content.Add(new JsonObject { ["type"] = "text", ["text"] = reply.Body });
        }
        var index = 0;
        foreach (var (name, arguments) in reply.Calls)
        {
            content.Add(new JsonObject
            {
                ["type"] = "tool_use",
                ["id"] = $"toolu_fake{id}_{index++}",
                ["name"] = name,
                // Anthropic sends "input" as a JSON value; arguments that are not JSON go as a string so the client
                // still sees something that is not the object it needs.
                ["input"] = ParseOrString(arguments),
            });
        }
        var message = new JsonObject
        {
            ["id"] = $"msg_fake{id}",
            ["type"] = "message",
            ["role"] = "assistant",
            ["model"] = request.Model ?? "unknown",
            ["content"] = content,
            ["stop_reason"] = reply.Kind == FakeLlmReplyKind.ToolCalls ? "tool_use" : "end_turn",
            ["stop_sequence"] = null,
        };
        if (reply.Usage is var (input, output))
        {
            message["usage"] = new JsonObject { ["input_tokens"] = input, ["output_tokens"] = output };
        }
        return message.ToJsonString();
    }

    private static JsonNode? ParseOrString(string arguments)
    {
        try
        {
            return JsonNode.Parse(arguments);
        }
        catch (JsonException)
        {
            return JsonValue.Create(arguments);
        }
    }
}

/// <summary>One request as received by <see cref="FakeLlmProvider"/>, with accessors that read it the wire's way.</summary>
/// <param name="Wire">The provider's wire: <c>openai</c>, <c>azure-openai</c> or <c>anthropic</c>.</param>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">Path, e.g. <c>/v1/chat/completions</c>.</param>
/// <param name="Query">Query string with its <c>?</c>, or empty.</param>
/// <param name="Headers">All request headers (case-insensitive names).</param>
/// <param name="Body">The raw request body.</param>
/// <param name="ReceivedAt">Wall-clock arrival time (for measuring waits between requests).</param>
public sealed record FakeLlmRequest(
    string Wire, string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body, DateTimeOffset ReceivedAt)
{
    private JsonObject? _json;
    private bool _parsed;

    /// <summary>The body parsed as a JSON object, or null when it is not one.</summary>
    public JsonObject? Json
    {
        get
        {
            if (!_parsed)
            {
                try
                {
                    _json = JsonNode.Parse(Body) as JsonObject;
                }
                catch (JsonException)
                {
                }
                _parsed = true;
            }
            return _json;
        }
    }

    /// <summary>A header's value, or null.</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>
    /// The key as the wire carries it: OpenAI <c>Authorization: Bearer</c>; Azure <c>api-key</c>; Anthropic
    /// <c>x-api-key</c> or <c>Authorization: Bearer</c> (the Anthropic SDK 13.x sends its <c>ApiKey</c> as Bearer).
    /// </summary>
    public string? ApiKey => Wire switch
    {
        "openai" => BearerToken,
        "azure-openai" => Header("api-key"),
        _ => Header("x-api-key") ?? BearerToken,
    };

    private string? BearerToken =>
        Header("Authorization") is { } value && value.StartsWith("Bearer ", StringComparison.Ordinal) ? value[7..] : null;

    /// <summary>The body's <c>model</c>.</summary>
    public string? Model => Json?["model"]?.GetValue<string>();

    /// <summary>
    /// The system prompt: Anthropic's top-level <c>system</c> (string or text blocks), or the text of the OpenAI
    /// <c>system</c>/<c>developer</c> messages.
    /// </summary>
    public string? SystemPrompt => Wire == "anthropic"
        ? TextOf(Json?["system"])
        : Messages().Where(m => m?["role"]?.GetValue<string>() is "system" or "developer").Select(m => TextOf(m!["content"])).FirstOrDefault();

    /// <summary>The text of the last <c>user</c> message (string content or text parts joined).</summary>
    public string? UserMessage => Messages().LastOrDefault(m => m?["role"]?.GetValue<string>() == "user") is { } user ? TextOf(user["content"]) : null;

    /// <summary>The names of the tools offered (<c>tools[].function.name</c> or <c>tools[].name</c>).</summary>
    public IReadOnlyList<string> ToolNames => [.. Tools().Select(t => (Wire == "anthropic" ? t?["name"] : t?["function"]?["name"])?.GetValue<string>() ?? "")];

    /// <summary>A tool's parameter schema (<c>function.parameters</c> or <c>input_schema</c>), or null.</summary>
    public JsonNode? ToolSchema(string name) => Tools()
        .Where(t => (Wire == "anthropic" ? t?["name"] : t?["function"]?["name"])?.GetValue<string>() == name)
        .Select(t => Wire == "anthropic" ? t?["input_schema"] : t?["function"]?["parameters"])
        .FirstOrDefault();

    /// <summary>The <c>tool_choice</c> exactly as sent (compact JSON, e.g. <c>"required"</c> or <c>{"type":"any"}</c>), or null.</summary>
    public string? ToolChoiceJson => Json?["tool_choice"]?.ToJsonString();

    private IEnumerable<JsonNode?> Messages() => Json?["messages"] as JsonArray ?? [];

    private IEnumerable<JsonNode?> Tools() => Json?["tools"] as JsonArray ?? [];

    private static string? TextOf(JsonNode? content) => content switch
    {
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        JsonArray parts => string.Concat(parts.Select(p => p?["text"]?.GetValue<string>() ?? "")),
        _ => null,
    };
}

/// <summary>What a <see cref="FakeLlmReply"/> makes the fake answer.</summary>
public enum FakeLlmReplyKind
{
    /// <summary>A successful answer with one or more tool calls.</summary>
    ToolCalls,
    /// <summary>A successful answer with text and no tool call.</summary>
    Text,
    /// <summary>An HTTP error in the wire's error body shape.</summary>
    Error,
    /// <summary>Any status with a verbatim body.</summary>
    Raw,
    /// <summary>No answer until the client gives up or the fake is disposed.</summary>
    Hang,
}

/// <summary>One answer of <see cref="FakeLlmProvider"/>; build with the factory methods, adjust with <c>with</c>.</summary>
public sealed record FakeLlmReply
{
    private FakeLlmReply(FakeLlmReplyKind kind) => Kind = kind;

    /// <summary>The kind of answer.</summary>
    public FakeLlmReplyKind Kind { get; }

    /// <summary>HTTP status (200 for answers).</summary>
    public int StatusCode { get; init; } = 200;

    /// <summary>Text answer, error message (<see cref="FakeLlmReplyKind.Error"/>) or verbatim body (<see cref="FakeLlmReplyKind.Raw"/>).</summary>
    public string? Body { get; init; }

    /// <summary>Tool calls: name and arguments as JSON text (sent verbatim by OpenAI, parsed into <c>input</c> by Anthropic).</summary>
    public IReadOnlyList<(string Name, string Arguments)> Calls { get; init; } = [];

    /// <summary>Token usage to report (input, output); null leaves <c>usage</c> out.</summary>
    public (int Input, int Output)? Usage { get; init; } = (120, 18);

    /// <summary>Extra response headers, e.g. <c>Retry-After</c>.</summary>
    public IReadOnlyList<(string Name, string Value)> Headers { get; init; } = [];

    /// <summary>One call of the analyzer tool for <paramref name="level"/> with these arguments.</summary>
    public static FakeLlmReply Verdict(RiskLevel level, string title, string explanation, string? summary = null)
    {
        var arguments = new JsonObject { ["title"] = title, ["explanation"] = explanation };
        if (summary is not null)
        {
            arguments["summary"] = summary;
        }
        return ToolCall($"{level}RiskAISessionAnalyzer", arguments.ToJsonString());
    }

    /// <summary>One call of any tool with raw JSON arguments (which may be invalid JSON on purpose).</summary>
    public static FakeLlmReply ToolCall(string name, string argumentsJson) => ToolCalls((name, argumentsJson));

    /// <summary>Several calls in one answer.</summary>
    public static FakeLlmReply ToolCalls(params (string Name, string Arguments)[] calls) => new(FakeLlmReplyKind.ToolCalls) { Calls = calls };

    /// <summary>A text answer without any tool call.</summary>
    public static FakeLlmReply Text(string text) => new(FakeLlmReplyKind.Text) { Body = text };

    /// <summary>Status <paramref name="code"/> with <paramref name="body"/> verbatim and an optional <c>Retry-After</c>.</summary>
    public static FakeLlmReply Status(int code, string body, string? retryAfter = null) =>
        new(FakeLlmReplyKind.Raw) { StatusCode = code, Body = body, Headers = retryAfter is null ? [] : [("Retry-After", retryAfter)] };

    /// <summary>Status <paramref name="code"/> with <paramref name="message"/> in the wire's real error body shape.</summary>
    public static FakeLlmReply Error(int code, string message, string? retryAfter = null) =>
        new(FakeLlmReplyKind.Error) { StatusCode = code, Body = message, Headers = retryAfter is null ? [] : [("Retry-After", retryAfter)] };

    /// <summary>Never answers (until the client disconnects or the fake is disposed).</summary>
    public static FakeLlmReply Hang() => new(FakeLlmReplyKind.Hang);

    /// <summary>This reply with one more response header.</summary>
    public FakeLlmReply WithHeader(string name, string value) => this with { Headers = [.. Headers, (name, value)] };
}
