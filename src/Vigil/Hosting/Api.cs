using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Vigil.Hosting;

/// <summary>Shared HTTP API conventions: snake_case JSON, RFC 7807 problem details, paging.</summary>
public static class Api
{
    /// <summary>Serializer options of every API body (snake_case, nulls written).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip,
    };

    /// <summary>An RFC 7807 problem with <paramref name="status"/> and a readable <paramref name="detail"/>.</summary>
    public static ProblemHttpResult Problem(int status, string detail) => TypedResults.Problem(detail: detail, statusCode: status);

    /// <summary>
    /// Reads a JSON body as <typeparamref name="T"/>. On failure returns a 400 problem naming the position or field.
    /// </summary>
    public static async Task<(T? Value, ProblemHttpResult? Error)> ReadBodyAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, Json, cancellationToken);
            return value is null ? (null, Problem(400, "request body must be a JSON object")) : (value, null);
        }
        catch (JsonException e)
        {
            var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "" : $" at field '{e.Path.TrimStart('$', '.')}'";
            return (null, Problem(400, $"invalid JSON{field}: {FirstSentence(e.Message)}"));
        }
    }

    /// <summary>Reads <c>page</c> (≥ 1, default 1) and <c>page_size</c> (1–1000, default 50) from the query string.</summary>
    public static (int Page, int PageSize) Paging(HttpRequest request)
    {
        var page = int.TryParse(request.Query["page"], out var p) && p >= 1 ? p : 1;
        var size = int.TryParse(request.Query["page_size"], out var s) && s is >= 1 and <= 1000 ? s : 50;
        return (page, size);
    }

    /// <summary>The query parameter <paramref name="name"/>, or null when it is absent or empty.</summary>
    public static string? Query(HttpRequest request, string name) => request.Query[name].ToString() is { Length: > 0 } value ? value : null;

    /// <summary>
    /// The <c>start_date</c> and <c>end_date</c> query parameters (RFC 3339; each optional), or a 400 problem naming
    /// the one that is not a time.
    /// </summary>
    public static (DateTimeOffset? Start, DateTimeOffset? End, ProblemHttpResult? Error) DateRange(HttpRequest request)
    {
        DateTimeOffset? start = null, end = null;
        foreach (var name in (string[])["start_date", "end_date"])
        {
            if (Query(request, name) is not { } text)
            {
                continue;
            }
            if (!Storage.Rfc3339.TryParse(text, out var value))
            {
                return (null, null, Problem(400, $"query parameter '{name}' must be an RFC 3339 time"));
            }
            if (name == "start_date")
            {
                start = value;
            }
            else
            {
                end = value;
            }
        }
        return (start, end, null);
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..end];
    }
}

/// <summary>The list envelope: <c>{data:[…], pages:{total, page, size}}</c>.</summary>
public sealed record Paged<T>(IReadOnlyList<T> Data, PageInfo Pages);

/// <summary>Paging metadata of a list response.</summary>
public sealed record PageInfo(long Total, int Page, int Size);
