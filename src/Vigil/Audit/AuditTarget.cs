using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Vigil.Audit;

/// <summary>
/// What an audited request acts on, derived from the matched route pattern (not the raw path, so ids never leak into
/// <see cref="ResourceType"/>):
/// <list type="bullet">
/// <item><see cref="ResourceType"/>: the literal segments after <c>/api</c> up to the first route parameter
/// (<c>/api/connections/{name}</c> → <c>connections</c>, <c>/api/ai/session-analyzer/rules/{name}</c> →
/// <c>ai/session-analyzer/rules</c>).</item>
/// <item><see cref="Action"/>: <c>POST</c> → <c>create</c>, <c>PUT</c>/<c>PATCH</c> → <c>update</c>, <c>DELETE</c> →
/// <c>delete</c>; a <c>POST</c> to a route that ends in a literal segment after a parameter uses that segment
/// (<c>/api/reviews/{id}/approve</c> → <c>approve</c>); <c>POST /api/sessions</c> → <c>exec</c>; any other method
/// its lower-case name.</item>
/// <item><see cref="Resource"/>: the value of the route's first parameter, when it has one.</item>
/// </list>
/// </summary>
/// <param name="Action">The verb recorded.</param>
/// <param name="ResourceType">The resource collection.</param>
/// <param name="Resource">The first route parameter's value; null on routes without one.</param>
public sealed record AuditTarget(string Action, string ResourceType, string? Resource)
{
    /// <summary>The target of the request in <paramref name="http"/> (routing has run).</summary>
    public static AuditTarget Of(HttpContext http)
    {
        var method = http.Request.Method;
        List<string> prefix = [];
        string? parameter = null;
        string? lastLiteral = null;
        if (http.GetEndpoint() is RouteEndpoint { RoutePattern: var pattern })
        {
            foreach (var segment in pattern.PathSegments)
            {
                if (segment.Parts is [RoutePatternLiteralPart literal])
                {
                    lastLiteral = literal.Content;
                    if (parameter is null)
                    {
                        prefix.Add(literal.Content);
                    }
                }
                else
                {
                    lastLiteral = null;
                    parameter ??= segment.Parts.OfType<RoutePatternParameterPart>().FirstOrDefault()?.Name;
                }
            }
        }
        else
        {
            prefix.AddRange((http.Request.Path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries).Take(2));
        }
        if (prefix is [var api, ..] && string.Equals(api, "api", StringComparison.OrdinalIgnoreCase))
        {
            prefix.RemoveAt(0);
        }
        var resourceType = prefix.Count > 0 ? string.Join('/', prefix).ToLowerInvariant() : "api";
        var action = method.ToUpperInvariant() switch
        {
            "POST" when parameter is not null && lastLiteral is not null => lastLiteral.ToLowerInvariant(),
            "POST" when parameter is null && resourceType == "sessions" => "exec",
            "POST" => "create",
            "PUT" or "PATCH" => "update",
            "DELETE" => "delete",
            _ => method.ToLowerInvariant(),
        };
        var resource = parameter is not null && http.Request.RouteValues.TryGetValue(parameter, out var value)
            ? Convert.ToString(value, CultureInfo.InvariantCulture)
            : null;
        return new AuditTarget(action, resourceType, string.IsNullOrEmpty(resource) ? null : resource);
    }

    /// <summary>
    /// The resource a successful request without a route parameter created: the last segment of the result's
    /// <c>Location</c> (so it matches the <c>{name}</c>/<c>{id}</c> later requests use), else the <c>email</c>,
    /// <c>name</c> or <c>id</c> property of the result's value; null when there is none.
    /// </summary>
    internal static string? FromResult(object? result)
    {
        if (result is null)
        {
            return null;
        }
        // Created, Created<T>, Accepted, Accepted<T> carry Location as a plain property; no interface exposes it.
        if (result.GetType().GetProperty("Location", BindingFlags.Public | BindingFlags.Instance)?.GetValue(result) is string { Length: > 0 } location
            && LastSegment(location) is { } fromLocation)
        {
            return fromLocation;
        }
        var value = result is IValueHttpResult valued ? valued.Value : result is IResult ? null : result;
        if (value is null or string)
        {
            return null;
        }
        foreach (var name in (string[])["Email", "Name", "Id"])
        {
            var property = value.GetType().GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is { CanRead: true } && property.GetIndexParameters().Length == 0 && Scalar(property.GetValue(value)) is { } text)
            {
                return text;
            }
        }
        return null;
    }

    /// <summary>The top-level <c>email</c> or <c>name</c> of a (redacted) JSON request body: what a failed create tried to create.</summary>
    internal static string? FromRequest(string? request)
    {
        if (request is null)
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(request);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("truncated", out _) && root.TryGetProperty("body", out var body))
            {
                root = body;
            }
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }
            foreach (var name in (string[])["email", "name"])
            {
                if (root.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.String && property.GetString() is { Length: > 0 } text)
                {
                    return text;
                }
            }
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Scalar(object? value) => value switch
    {
        string { Length: > 0 } text => text,
        Guid or int or long or short or uint or ulong => Convert.ToString(value, CultureInfo.InvariantCulture),
        _ => null,
    };

    private static string? LastSegment(string location)
    {
        var path = Uri.TryCreate(location, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https" ? absolute.AbsolutePath : location;
        var cut = path.IndexOfAny(['?', '#']);
        if (cut >= 0)
        {
            path = path[..cut];
        }
        var segment = path.TrimEnd('/').Split('/')[^1];
        return segment.Length == 0 ? null : Uri.UnescapeDataString(segment);
    }
}
