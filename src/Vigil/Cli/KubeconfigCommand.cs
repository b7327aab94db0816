using System.CommandLine;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil kubeconfig CONNECTION [--merge] [--context NAME] [--namespace NS] [--server URL]
/// [--certificate-authority FILE | --insecure-skip-tls-verify]</c>: a kubeconfig context that points kubectl (and any
/// client-go tool) at the gateway's <c>/proxy/CONNECTION</c> with the caller's token (<c>VIGIL_TOKEN</c> or the stored
/// login). The server is the gateway's public URL (<c>GET /api/serverinfo</c>, <c>VIGIL_PUBLIC_URL</c> on the gateway,
/// else its HTTPS listener) unless <c>--server</c> names another; it must be https: kubectl sends a bearer token only
/// over TLS, so a plain-http server is written with a warning. When the server is the gateway's own HTTPS listener with
/// its self-signed certificate, that certificate is written as <c>certificate-authority-data</c>. Without <c>--merge</c> it prints a whole kubeconfig on stdout; with it, it
/// writes the context into the first file of <c>KUBECONFIG</c> (else <c>~/.kube/config</c>), keeping the others, makes
/// it current, and keeps the file private (0600: it holds a token).
/// </summary>
public static class KubeconfigCommand
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var connection = new Argument<string>("connection") { Description = "A connection of type kubernetes" };
        var merge = new Option<bool>("--merge") { Description = "Write the context into $KUBECONFIG (or ~/.kube/config) and make it current" };
        var context = new Option<string?>("--context") { Description = "The context name (default vigil-CONNECTION)" };
        var ns = new Option<string?>("--namespace", "-n") { Description = "The context's default namespace" };
        var server = new Option<string?>("--server") { Description = "The gateway address kubectl uses (default: the gateway's public URL)" };
        var authority = new Option<FileInfo?>("--certificate-authority") { Description = "PEM file of the CA that the gateway's TLS certificate chains to" };
        var insecure = new Option<bool>("--insecure-skip-tls-verify") { Description = "Let kubectl accept any certificate from the gateway" };
        var command = new Command("kubeconfig", "Write a kubeconfig context for kubectl through the gateway")
        {
            connection, merge, context, ns, server, authority, insecure,
        };
        command.SetAction((parse, cancellationToken) => CliOutput.RunAsync(async client =>
        {
            var name = parse.GetValue(connection)!;
            var shown = await client.SendAsync(HttpMethod.Get, $"api/connections/{Uri.EscapeDataString(name)}", null, cancellationToken);
            if (shown?["type"]?.GetValue<string>() is { } type && type != "kubernetes")
            {
                throw new CliException($"connection '{name}' is of type {type}, not kubernetes");
            }
            var info = await client.SendAsync(HttpMethod.Get, "api/serverinfo", null, cancellationToken);
            var baseUrl = (parse.GetValue(server) ?? info?["public_url"]?.GetValue<string>() ?? client.GatewayUrl).TrimEnd('/');
            if (!baseUrl.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            {
                await Console.Error.WriteLineAsync($"vigil: warning: {baseUrl} is not https; kubectl sends its token only over TLS (start the gateway with --https-listen, or behind TLS with VIGIL_PUBLIC_URL, or pass --server)");
            }
            // The gateway's own self-signed certificate is trusted for its own HTTPS listener only; a front's is the operator's to give.
            var selfSigned = info?["https_certificate_authority"]?.GetValue<string>() is { } gatewayPem
                && info["https_url"]?.GetValue<string>() is { } httpsUrl && SameListener(baseUrl, httpsUrl) ? gatewayPem : null;
            var entry = new KubeconfigFile(
                parse.GetValue(context) ?? $"vigil-{name}", $"{baseUrl}/proxy/{name}", client.Token!, parse.GetValue(ns),
                parse.GetValue(authority) is { } pem ? await CliFiles.ReadTextAsync(pem, "--certificate-authority", cancellationToken)
                : parse.GetValue(insecure) ? null : selfSigned,
                parse.GetValue(insecure));
            if (!parse.GetValue(merge))
            {
                Console.Write(entry.Standalone());
                return 0;
            }
            var path = Target();
            var existing = File.Exists(path) ? await File.ReadAllTextAsync(path, cancellationToken) : null;
            var merged = entry.Merge(existing);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temporary = path + ".vigil-tmp";
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = Private;
            }
            await using (var file = new FileStream(temporary, options))
            await using (var writer = new StreamWriter(file))
            {
                await writer.WriteAsync(merged.AsMemory(), cancellationToken);
            }
            File.Move(temporary, path, overwrite: true);
            Console.WriteLine($"wrote context {entry.Context} to {path} (now current): kubectl --context {entry.Context} get pods");
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// Whether <paramref name="url"/> is the gateway's HTTPS listener <paramref name="listener"/>: https on the same port,
    /// and the same host or both loopback (the self-signed certificate names localhost, 127.0.0.1 and ::1).
    /// </summary>
    private static bool SameListener(string url, string listener)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var a) || !Uri.TryCreate(listener, UriKind.Absolute, out var b) || a.Scheme != "https" || a.Port != b.Port)
        {
            return false;
        }
        return string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) || (a.IsLoopback && b.IsLoopback);
    }

    /// <summary>The file kubectl reads first: the first entry of <c>KUBECONFIG</c>, else <c>~/.kube/config</c>.</summary>
    private static string Target() =>
        Environment.GetEnvironmentVariable("KUBECONFIG")?.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
}
