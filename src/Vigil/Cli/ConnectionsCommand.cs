using System.CommandLine;
using System.Text.Json.Nodes;

namespace Vigil.Cli;

/// <summary><c>vigil connections create|list|show|delete</c>.</summary>
public static class ConnectionsCommand
{
    /// <summary>Builds the verb group.</summary>
    public static Command Create()
    {
        var group = new Command("connections", "Manage connections (targets)");
        group.Subcommands.Add(CreateCommand());
        var list = new Command("list", "List the connections you may use");
        list.SetAction((_, ct) => CliOutput.RunAsync(async client =>
        {
            var page = await client.SendAsync(HttpMethod.Get, "api/connections?page_size=1000", null, ct);
            CliOutput.Table(page?["data"]?.AsArray() ?? [], "name", "type", "host", "port", "database", "username", "ssl_mode");
            return 0;
        }));
        group.Subcommands.Add(list);
        var showName = new Argument<string>("name");
        var show = new Command("show", "Show one connection (never its password)") { showName };
        show.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            CliOutput.Json(await client.SendAsync(HttpMethod.Get, $"api/connections/{Uri.EscapeDataString(parse.GetValue(showName)!)}", null, ct));
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
        return group;
    }

    private static Command CreateCommand()
    {
        var name = new Argument<string>("name");
        var type = new Option<string>("--type") { Description = "Connection type", DefaultValueFactory = _ => "postgres" };
        var host = new Option<string>("--host") { Required = true };
        var port = new Option<int>("--port") { DefaultValueFactory = _ => 5432 };
        var database = new Option<string>("--database") { Required = true };
        var username = new Option<string>("--username") { Required = true };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from stdin (else VIGIL_CONNECTION_PASSWORD)" };
        var sslMode = new Option<string>("--ssl-mode") { Description = "disable|prefer|require|verify-full", DefaultValueFactory = _ => "prefer" };
        var rootCert = new Option<FileInfo?>("--ssl-root-cert") { Description = "PEM file of the CA to trust for verify-full" };
        var command = new Command("create", "Register a connection") { name, type, host, port, database, username, passwordStdin, sslMode, rootCert };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            // Passwords never come from argv: it is visible to other users in the process list.
            var password = parse.GetValue(passwordStdin)
                ? (await Console.In.ReadLineAsync(ct))?.TrimEnd('\r', '\n')
                : Environment.GetEnvironmentVariable("VIGIL_CONNECTION_PASSWORD");
            var body = new JsonObject
            {
                ["name"] = parse.GetValue(name),
                ["type"] = parse.GetValue(type),
                ["host"] = parse.GetValue(host),
                ["port"] = parse.GetValue(port),
                ["database"] = parse.GetValue(database),
                ["username"] = parse.GetValue(username),
                ["password"] = password,
                ["ssl_mode"] = parse.GetValue(sslMode),
                ["ssl_root_cert"] = parse.GetValue(rootCert) is { } f ? await File.ReadAllTextAsync(f.FullName, ct) : null,
            };
            CliOutput.Json(await client.SendAsync(HttpMethod.Post, "api/connections", body, ct));
            return 0;
        }));
        return command;
    }
}
