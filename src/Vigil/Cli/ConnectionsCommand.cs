using System.CommandLine;
using System.Text.Json.Nodes;

namespace Vigil.Cli;

/// <summary><c>vigil connections create|update|list|show|delete|test</c>.</summary>
public static class ConnectionsCommand
{
    /// <summary>Builds the verb group.</summary>
    public static Command Create()
    {
        var group = new Command("connections", "Manage connections (targets)");
        group.Subcommands.Add(CreateCommand());
        group.Subcommands.Add(UpdateCommand());
        var listJson = CliFormat.JsonOption();
        var list = new Command("list", "List the connections you may use") { listJson };
        list.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            var page = await client.SendAsync(HttpMethod.Get, "api/connections?page_size=1000", null, ct);
            if (parse.GetValue(listJson))
            {
                CliOutput.Json(page);
                return 0;
            }
            CliOutput.Table(page?["data"]?.AsArray() ?? [], "name", "type", "host", "port", "database", "username", "ssl_mode", "url");
            return 0;
        }));
        group.Subcommands.Add(list);
        var showName = new Argument<string>("name");
        var showJson = CliFormat.JsonOption();
        var show = new Command("show", "Show one connection (never its password)") { showName, showJson };
        show.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            CliFormat.Show(await client.SendAsync(HttpMethod.Get, $"api/connections/{Uri.EscapeDataString(parse.GetValue(showName)!)}", null, ct), parse.GetValue(showJson));
            return 0;
        }));
        group.Subcommands.Add(show);
        var deleteName = new Argument<string>("name");
        var delete = new Command("delete", "Delete a connection") { deleteName };
        delete.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            await client.SendAsync(HttpMethod.Delete, $"api/connections/{Uri.EscapeDataString(parse.GetValue(deleteName)!)}", null, ct);
            Console.WriteLine($"deleted {parse.GetValue(deleteName)}");
            return 0;
        }));
        group.Subcommands.Add(delete);
        group.Subcommands.Add(TestCommand());
        return group;
    }

    /// <summary>
    /// <c>vigil connections test NAME [--json]</c> (<c>POST /api/connections/{name}/test</c>, admins): prints the
    /// result's message (or with <c>--json</c> the result); exits 0 when the target was reached, 1 when not (the
    /// message then on stderr after <c>vigil: </c>).
    /// </summary>
    private static Command TestCommand()
    {
        var name = new Argument<string>("name");
        var json = CliFormat.JsonOption();
        var command = new Command("test", "Test that the gateway reaches a connection's target with its credentials (admins)") { name, json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            var result = await client.SendAsync(HttpMethod.Post, $"api/connections/{CliFormat.Segment(parse.GetValue(name)!)}/test", null, ct);
            var ok = result?["ok"]?.GetValue<bool>() == true;
            var message = result?["message"]?.GetValue<string>() ?? "";
            if (parse.GetValue(json))
            {
                CliOutput.Json(result);
            }
            else if (ok)
            {
                Console.WriteLine(message);
            }
            else
            {
                await Console.Error.WriteLineAsync($"vigil: {message}");
            }
            return ok ? 0 : 1;
        }));
        return command;
    }

    private static Command CreateCommand()
    {
        var name = new Argument<string>("name");
        var type = new Option<string>("--type") { Description = "postgres, http, kubernetes or ssh", DefaultValueFactory = _ => "postgres" };
        var host = new Option<string?>("--host") { Description = "postgres, ssh: the server's host" };
        var port = new Option<int?>("--port") { Description = "postgres, ssh: the server's port (default 5432, ssh 22)" };
        var database = new Option<string?>("--database") { Description = "postgres: the database" };
        var username = new Option<string?>("--username") { Description = "postgres: the role to log in as; ssh: the user" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "postgres, ssh: read the password from stdin (else VIGIL_CONNECTION_PASSWORD)" };
        var privateKeyFile = new Option<FileInfo?>("--private-key-file") { Description = "ssh: the private key to log in with (OpenSSH or PEM, unencrypted)" };
        var hostKey = new Option<string?>("--host-key") { Description = "ssh: the target's host key to pin (a line of `ssh-keyscan HOST`, a known_hosts line or SHA256:…)" };
        var sslMode = new Option<string>("--ssl-mode") { Description = "postgres: disable|prefer|require|verify-full", DefaultValueFactory = _ => "prefer" };
        var rootCert = new Option<FileInfo?>("--ssl-root-cert") { Description = "postgres: PEM file of the CA to trust for verify-full" };
        var url = new Option<string?>("--url") { Description = "http, kubernetes: the upstream's base URL" };
        var headersFile = new Option<FileInfo?>("--headers-file") { Description = "http, kubernetes: a file of 'Name: value' lines injected into every request (secrets)" };
        var tokenStdin = new Option<bool>("--token-stdin") { Description = "kubernetes: read the bearer token from stdin (else VIGIL_CONNECTION_TOKEN)" };
        var clientCertificate = new Option<FileInfo?>("--client-certificate") { Description = "kubernetes: PEM client certificate for mutual TLS" };
        var clientKey = new Option<FileInfo?>("--client-key") { Description = "kubernetes: PEM private key of --client-certificate" };
        var certificateAuthority = new Option<FileInfo?>("--certificate-authority") { Description = "http, kubernetes: PEM CA the upstream's certificate must chain to" };
        var insecure = new Option<bool>("--insecure-skip-tls-verify") { Description = "http, kubernetes: accept any upstream certificate" };
        var recording = RecordingOption();
        var (resultRows, resultBytes) = ResultOptions();
        var command = new Command("create", "Register a connection")
        {
            name, type, host, port, database, username, passwordStdin, privateKeyFile, hostKey, sslMode, rootCert, url, headersFile, tokenStdin, clientCertificate, clientKey,
            certificateAuthority, insecure, recording, resultRows, resultBytes,
        };
        // Each type's required options, checked as usage errors (as System.CommandLine's own Required would be).
        command.Validators.Add(result =>
        {
            var required = result.GetValue(type) switch
            {
                "http" or "kubernetes" => [url],
                "ssh" => [host, username, hostKey],
                _ => new Option[] { host, database, username },
            };
            foreach (var option in required)
            {
                if (result.GetResult(option) is null)
                {
                    result.AddError($"Option '{option.Name}' is required");
                }
            }
        });
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            var body = new JsonObject
            {
                ["name"] = parse.GetValue(name),
                ["type"] = parse.GetValue(type),
                ["recording"] = parse.GetValue(recording),
                ["record_result_rows"] = parse.GetValue(resultRows),
                ["record_result_bytes"] = parse.GetValue(resultBytes),
            };
            if (parse.GetValue(type) is "http" or "kubernetes")
            {
                // Secrets never come from argv: it is visible to other users in the process list.
                var token = parse.GetValue(tokenStdin)
                    ? (await Console.In.ReadLineAsync(ct))?.TrimEnd('\r', '\n')
                    : Environment.GetEnvironmentVariable("VIGIL_CONNECTION_TOKEN");
                body["url"] = parse.GetValue(url);
                body["headers"] = parse.GetValue(headersFile) is { } h ? HeaderLines(await CliFiles.ReadTextAsync(h, "--headers-file", ct)) : null;
                body["token"] = token is { Length: > 0 } ? token : null;
                body["client_certificate"] = parse.GetValue(clientCertificate) is { } c ? await CliFiles.ReadTextAsync(c, "--client-certificate", ct) : null;
                body["client_key"] = parse.GetValue(clientKey) is { } k ? await CliFiles.ReadTextAsync(k, "--client-key", ct) : null;
                body["certificate_authority"] = parse.GetValue(certificateAuthority) is { } a ? await CliFiles.ReadTextAsync(a, "--certificate-authority", ct) : null;
                body["insecure_skip_tls_verify"] = parse.GetValue(insecure) ? true : null;
            }
            else if (parse.GetValue(type) == "ssh")
            {
                body["host"] = parse.GetValue(host);
                body["port"] = parse.GetValue(port) ?? 22;
                body["username"] = parse.GetValue(username);
                body["private_key"] = parse.GetValue(privateKeyFile) is { } keyFile ? await CliFiles.ReadTextAsync(keyFile, "--private-key-file", ct) : null;
                var password = parse.GetValue(passwordStdin)
                    ? (await Console.In.ReadLineAsync(ct))?.TrimEnd('\r', '\n')
                    : Environment.GetEnvironmentVariable("VIGIL_CONNECTION_PASSWORD");
                body["password"] = password is { Length: > 0 } ? password : null;
                body["host_key"] = parse.GetValue(hostKey);
            }
            else
            {
                body["host"] = parse.GetValue(host);
                body["port"] = parse.GetValue(port) ?? 5432;
                body["database"] = parse.GetValue(database);
                body["username"] = parse.GetValue(username);
                body["password"] = parse.GetValue(passwordStdin)
                    ? (await Console.In.ReadLineAsync(ct))?.TrimEnd('\r', '\n')
                    : Environment.GetEnvironmentVariable("VIGIL_CONNECTION_PASSWORD");
                body["ssl_mode"] = parse.GetValue(sslMode);
                body["ssl_root_cert"] = parse.GetValue(rootCert) is { } f ? await CliFiles.ReadTextAsync(f, "--ssl-root-cert", ct) : null;
            }
            CliOutput.Json(await client.SendAsync(HttpMethod.Post, "api/connections", body, ct));
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// <c>Name: value</c> lines (as curl's <c>-H @file</c>; blank lines and lines starting with '#' skipped) as the
    /// <c>headers</c> object. A line without a colon is an error that names its line number, never its text (a secret).
    /// </summary>
    private static JsonObject HeaderLines(string text)
    {
        var headers = new JsonObject();
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r');
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#'))
            {
                continue;
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new CliException($"--headers-file: line {number} is not 'Name: value'");
            }
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        return headers;
    }

    /// <summary><c>--recording async|strict</c>: whether a statement waits for its input event to be durable before it is forwarded.</summary>
    private static Option<string?> RecordingOption()
    {
        var option = new Option<string?>("--recording")
        {
            Description = "async (default: recorded in batches) or strict (forwarded only once its input is recorded durably)",
        };
        option.AcceptOnlyFromAmong("async", "strict");
        return option;
    }

    /// <summary>
    /// <c>--record-result-rows N</c> and <c>--record-result-bytes N</c>: how much of each statement's (masked) result the
    /// session keeps; 0 turns result recording off. Unset, the gateway's defaults (100 rows, 65536 bytes) or the stored values apply.
    /// </summary>
    private static (Option<int?> Rows, Option<int?> Bytes) ResultOptions() => (
        new Option<int?>("--record-result-rows") { Description = $"Rows of each result to record (0 = off, max {Connections.ResultRecording.MaxRows}; default {Connections.ResultRecording.DefaultRows})" },
        new Option<int?>("--record-result-bytes") { Description = $"Bytes of each result to record (0 = off, max {Connections.ResultRecording.MaxBytes}; default {Connections.ResultRecording.DefaultBytes})" });

    /// <summary>
    /// <c>vigil connections update NAME [--access-group G]… [--access-mode M]… [--review-group G]… [--min-approvals N]
    /// [--review-timeout 30m] [--max-access-duration 8h] [--require-jit-for-connect true|false]
    /// [--require-review-for-exec true|false] [--recording async|strict] [--record-result-rows N] [--record-result-bytes N]</c>: PATCHes only the options given (a repeated list option replaces the list).
    /// </summary>
    private static Command UpdateCommand()
    {
        var name = new Argument<string>("name");
        var accessGroups = new Option<string[]>("--access-group") { Description = "A group whose members may use it (repeat; replaces the list)" };
        var accessModes = new Option<string[]>("--access-mode") { Description = "exec or connect (repeat; replaces the list)" };
        var reviewGroups = new Option<string[]>("--review-group") { Description = "A group whose members decide its reviews (repeat; replaces the list)" };
        var minApprovals = new Option<int?>("--min-approvals") { Description = "Distinct approvals a review needs (1-10)" };
        var reviewTimeout = new Option<string?>("--review-timeout") { Description = "How long a review waits before it expires, e.g. 30m" };
        var maxAccess = new Option<string?>("--max-access-duration") { Description = "Longest just-in-time access a request may ask for, e.g. 8h" };
        var requireJit = new Option<bool?>("--require-jit-for-connect") { Description = "Native clients need approved just-in-time access" };
        var requireReview = new Option<bool?>("--require-review-for-exec") { Description = "Every exec command needs a review" };
        var recording = RecordingOption();
        var (resultRows, resultBytes) = ResultOptions();
        var command = new Command("update", "Change a connection's access, review and recording settings")
        {
            name, accessGroups, accessModes, reviewGroups, minApprovals, reviewTimeout, maxAccess, requireJit, requireReview, recording, resultRows, resultBytes,
        };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            var body = new JsonObject();
            void List(string field, Option<string[]> option)
            {
                if (parse.GetResult(option) is not null)
                {
                    body[field] = new JsonArray([.. parse.GetValue(option)!.Select(v => JsonValue.Create(v))]);
                }
            }
            List("access_groups", accessGroups);
            List("access_modes", accessModes);
            List("review_groups", reviewGroups);
            body["min_approvals"] = parse.GetValue(minApprovals);
            body["review_timeout"] = parse.GetValue(reviewTimeout);
            body["max_access_duration"] = parse.GetValue(maxAccess);
            body["require_jit_for_connect"] = parse.GetValue(requireJit);
            body["require_review_for_exec"] = parse.GetValue(requireReview);
            body["recording"] = parse.GetValue(recording);
            body["record_result_rows"] = parse.GetValue(resultRows);
            body["record_result_bytes"] = parse.GetValue(resultBytes);
            foreach (var unset in body.Where(p => p.Value is null).Select(p => p.Key).ToList())
            {
                body.Remove(unset);
            }
            if (body.Count == 0)
            {
                throw new CliException("nothing to change: pass at least one option (see --help)");
            }
            CliOutput.Json(await client.SendAsync(HttpMethod.Patch, $"api/connections/{Uri.EscapeDataString(parse.GetValue(name)!)}", body, ct));
            return 0;
        }));
        return command;
    }
}
