using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;

namespace Vigil.Adapters.Http;

/// <summary>
/// A Kubernetes request that opens a terminal stream in a container: <c>/api/v1/namespaces/{ns}/pods/{pod}/exec</c> or
/// <c>…/attach</c> (any method: kubectl upgrades a GET to a WebSocket, the older SPDY upgrade comes as a POST), with its
/// query parameters (<c>command</c>, repeated, in order; <c>container</c>; <c>tty</c>; <c>stdin</c>).
/// </summary>
/// <param name="Namespace">The pod's namespace.</param>
/// <param name="Pod">The pod's name.</param>
/// <param name="Subresource"><c>exec</c> or <c>attach</c>.</param>
/// <param name="Arguments">The <c>command</c> parameters (the program and its arguments; empty for <c>attach</c>).</param>
/// <param name="Tty">True when <c>tty=true</c> (an interactive terminal).</param>
public sealed partial record KubernetesExec(string Namespace, string Pod, string Subresource, IReadOnlyList<string> Arguments, bool Tty)
{
    /// <summary>
    /// The command as a POSIX shell command line (each argument quoted when it needs it), analyzed as
    /// <see cref="Analysis.InputType.Shell"/>; null for <c>attach</c> and an exec without a command.
    /// </summary>
    public string? CommandLine => Arguments.Count == 0 ? null : string.Join(' ', Arguments.Select(Quote));

    /// <summary>The exec or attach request <paramref name="target"/> names, or null for any other request.</summary>
    public static KubernetesExec? Parse(ProxyTarget target)
    {
        var match = ExecPath().Match(target.Path);
        if (!match.Success)
        {
            return null;
        }
        var query = QueryHelpers.ParseQuery(target.Query);
        string[] arguments = query.TryGetValue("command", out var command) ? [.. command.Select(c => c ?? "")] : [];
        var tty = query.TryGetValue("tty", out var t) && t.ToString() is "true" or "1";
        return new KubernetesExec(
            Uri.UnescapeDataString(match.Groups["ns"].Value), Uri.UnescapeDataString(match.Groups["pod"].Value), match.Groups["sub"].Value, arguments, tty);
    }

    /// <summary>POSIX single quotes around an argument with anything but plainly safe characters (<c>'</c> as <c>'\''</c>).</summary>
    private static string Quote(string argument)
    {
        if (argument.Length > 0 && SafeArgument().IsMatch(argument))
        {
            return argument;
        }
        return new StringBuilder("'").Append(argument.Replace("'", "'\\''", StringComparison.Ordinal)).Append('\'').ToString();
    }

    [GeneratedRegex("^[A-Za-z0-9_@%+=:,./-]+$")]
    private static partial Regex SafeArgument();

    // The connection's URL may carry a base path (a cluster behind a proxy): match the API path at the end.
    [GeneratedRegex("/api/v1/namespaces/(?<ns>[^/]+)/pods/(?<pod>[^/]+)/(?<sub>exec|attach)/?$")]
    private static partial Regex ExecPath();
}
