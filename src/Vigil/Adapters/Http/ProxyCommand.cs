using System.Text;

namespace Vigil.Adapters.Http;

/// <summary>
/// A proxied request as the pipeline's command text, the form the HTTP analyzer reads (<see cref="Analysis.InputType.Http"/>):
/// <c>METHOD /path?query</c>, then a newline and the analyzed prefix of the body when there is one. A body that is not
/// text (by <c>Content-Type</c>, or containing NUL) is written as <c>[N bytes of TYPE]</c>; one longer than the window
/// ends with a line saying so. Headers are not part of it: they carry credentials.
/// </summary>
public static class ProxyCommand
{
    /// <summary>The command text of a request.</summary>
    public static string Format(string method, ProxyTarget target, RequestBodyWindow body, string? contentType, long? contentLength)
    {
        var line = method + " " + target.PathAndQuery;
        if (body.Length == 0)
        {
            return line;
        }
        var prefix = body.Prefix.AsSpan(0, body.Length);
        var text = IsText(contentType) && prefix.IndexOf((byte)0) < 0
            ? Encoding.UTF8.GetString(prefix)
            : $"[{contentLength?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "≥" + body.Length} bytes of {contentType ?? "an unknown type"}]";
        return body.HasMore && IsText(contentType)
            ? $"{line}\n{text}\n[… the body goes on past the first {body.Length} bytes{(contentLength is { } total ? $" ({total} bytes in all)" : "")}]"
            : $"{line}\n{text}";
    }

    /// <summary>
    /// True for bodies read as text: no type, <c>text/*</c>, JSON, YAML, XML, form data and JavaScript (including
    /// <c>+json</c> suffixes such as Kubernetes' <c>application/merge-patch+json</c>).
    /// </summary>
    public static bool IsText(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return true;
        }
        var type = contentType.Split(';')[0].Trim().ToLowerInvariant();
        return type.StartsWith("text/", StringComparison.Ordinal) || type.EndsWith("json", StringComparison.Ordinal) || type.EndsWith("+json", StringComparison.Ordinal)
            || type.Contains("yaml", StringComparison.Ordinal) || type.EndsWith("xml", StringComparison.Ordinal)
            || type is "application/x-www-form-urlencoded" or "application/javascript";
    }
}
