using System.CommandLine;
using System.Text.Json.Nodes;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil users create|list|show|update|delete</c> over <c>/api/users</c>. Passwords are read from stdin
/// (<c>--password-stdin</c>), never from argv, which other users can see in the process list.
/// </summary>
public static class UsersCommand
{
    private static readonly string[] Columns = ["id", "email", "name", "groups", "status", "role", "has_password"];

    /// <summary>Builds the verb group.</summary>
    public static Command Create()
    {
        var users = new Command("users", "Manage users (people)");
        users.Subcommands.Add(CreateUser());
        users.Subcommands.Add(List());
        users.Subcommands.Add(Show());
        users.Subcommands.Add(Update());
        users.Subcommands.Add(Delete());
        return users;
    }

    /// <summary>A repeatable <c>--group</c> option.</summary>
    internal static Option<string[]> GroupOption(string description) => new("--group", "-g")
    {
        Description = description,
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    private static Command CreateUser()
    {
        var email = new Argument<string>("email") { Description = "The user's e-mail (their login)" };
        var name = new Option<string?>("--name") { Description = "Display name" };
        var groups = GroupOption("Group to add the user to (repeatable)");
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Set a local password, read from the first line of stdin" };
        var json = CliFormat.JsonOption();
        var command = new Command("create", "Create a user") { email, name, groups, passwordStdin, json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            var body = new JsonObject
            {
                ["email"] = parse.GetValue(email),
                ["groups"] = new JsonArray((parse.GetValue(groups) ?? []).Select(g => (JsonNode)g).ToArray()),
            };
            if (parse.GetValue(name) is { } n)
            {
                body["name"] = n;
            }
            if (parse.GetValue(passwordStdin))
            {
                body["password"] = await CliFormat.ReadPasswordAsync(fromStdin: true, "Password: ", ct);
            }
            CliFormat.Show(await client.SendAsync(HttpMethod.Post, "api/users", body, ct), parse.GetValue(json));
            return 0;
        }));
        return command;
    }

    private static Command List()
    {
        var group = new Option<string?>("--group", "-g") { Description = "Only members of this group" };
        var status = new Option<string?>("--status") { Description = "active or inactive" };
        status.AcceptOnlyFromAmong("active", "inactive");
        var page = CliFormat.PageOption();
        var json = CliFormat.JsonOption();
        var command = new Command("list", "List users") { group, status, page, json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            await CliFormat.ListAsync(client, "api/users", [("group", parse.GetValue(group)), ("status", parse.GetValue(status))],
                parse.GetValue(page), parse.GetValue(json), Columns, ct);
            return 0;
        }));
        return command;
    }

    private static Command Show()
    {
        var user = new Argument<string>("user") { Description = "Id or e-mail" };
        var json = CliFormat.JsonOption();
        var command = new Command("show", "Show a user") { user, json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            CliFormat.Show(await client.SendAsync(HttpMethod.Get, $"api/users/{CliFormat.Segment(parse.GetValue(user)!)}", null, ct), parse.GetValue(json));
            return 0;
        }));
        return command;
    }

    private static Command Update()
    {
        var user = new Argument<string>("user") { Description = "Id or e-mail" };
        var email = new Option<string?>("--email") { Description = "New e-mail" };
        var name = new Option<string?>("--name") { Description = "New display name" };
        var groups = GroupOption("Replace the user's groups with these (repeatable)");
        var status = new Option<string?>("--status") { Description = "active or inactive (inactive refuses every credential)" };
        status.AcceptOnlyFromAmong("active", "inactive");
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Set a new local password, read from the first line of stdin" };
        var json = CliFormat.JsonOption();
        var command = new Command("update", "Change a user (only the fields given)") { user, email, name, groups, status, passwordStdin, json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            var body = new JsonObject();
            if (parse.GetValue(email) is { } e)
            {
                body["email"] = e;
            }
            if (parse.GetValue(name) is { } n)
            {
                body["name"] = n;
            }
            // An option not given parses as an empty array: only send groups when --group was given.
            if (parse.GetResult(groups) is not null && parse.GetValue(groups) is { } g)
            {
                body["groups"] = new JsonArray(g.Select(x => (JsonNode)x).ToArray());
            }
            if (parse.GetValue(status) is { } s)
            {
                body["status"] = s;
            }
            if (parse.GetValue(passwordStdin))
            {
                body["password"] = await CliFormat.ReadPasswordAsync(fromStdin: true, "Password: ", ct);
            }
            if (body.Count == 0)
            {
                throw new CliException("nothing to change: pass --email, --name, --group, --status or --password-stdin");
            }
            var path = $"api/users/{CliFormat.Segment(parse.GetValue(user)!)}";
            var result = await client.SendAsync(HttpMethod.Patch, path, body, ct);
            // A 204 answer: show the user as it is now (under its new e-mail when that changed).
            result ??= await client.SendAsync(HttpMethod.Get, parse.GetValue(email) is { } changed ? $"api/users/{CliFormat.Segment(changed)}" : path, null, ct);
            CliFormat.Show(result, parse.GetValue(json));
            return 0;
        }));
        return command;
    }

    private static Command Delete()
    {
        var user = new Argument<string>("user") { Description = "Id or e-mail" };
        var command = new Command("delete", "Delete a user (their tokens stop working)") { user };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            await client.SendAsync(HttpMethod.Delete, $"api/users/{CliFormat.Segment(parse.GetValue(user)!)}", null, ct);
            Console.WriteLine($"deleted user {parse.GetValue(user)}");
            return 0;
        }));
        return command;
    }
}
