using System.CommandLine;
using System.Text.Json.Nodes;

namespace Vigil.Cli;

/// <summary><c>vigil groups create|list|show|update|delete</c> over <c>/api/groups</c>.</summary>
public static class GroupsCommand
{
    /// <summary>Builds the verb group.</summary>
    public static Command Create()
    {
        var groups = new Command("groups", "Manage groups (built-in groups are the roles)");
        groups.Subcommands.Add(CreateGroup());
        groups.Subcommands.Add(List());
        groups.Subcommands.Add(Show());
        groups.Subcommands.Add(Update());
        groups.Subcommands.Add(Delete());
        return groups;
    }

    private static Command CreateGroup()
    {
        var name = new Argument<string>("name");
        var description = new Option<string?>("--description") { Description = "What the group is for" };
        var json = CliFormat.JsonOption();
        var command = new Command("create", "Create a group") { name, description, json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            var body = new JsonObject { ["name"] = parse.GetValue(name) };
            if (parse.GetValue(description) is { } d)
            {
                body["description"] = d;
            }
            CliFormat.Show(await client.SendAsync(HttpMethod.Post, "api/groups", body, ct), parse.GetValue(json));
            return 0;
        }));
        return command;
    }

    private static Command List()
    {
        var page = CliFormat.PageOption();
        var json = CliFormat.JsonOption();
        var command = new Command("list", "List groups") { page, json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            await CliFormat.ListAsync(client, "api/groups", [], parse.GetValue(page), parse.GetValue(json),
                ["name", "builtin", "description"], ct);
            return 0;
        }));
        return command;
    }

    private static Command Show()
    {
        var name = new Argument<string>("name");
        var json = CliFormat.JsonOption();
        var command = new Command("show", "Show a group and its members") { name, json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            CliFormat.Show(await client.SendAsync(HttpMethod.Get, $"api/groups/{CliFormat.Segment(parse.GetValue(name)!)}", null, ct), parse.GetValue(json));
            return 0;
        }));
        return command;
    }

    private static Command Update()
    {
        var name = new Argument<string>("name");
        var description = new Option<string>("--description") { Description = "New description", Required = true };
        var json = CliFormat.JsonOption();
        var command = new Command("update", "Change a group's description") { name, description, json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            var path = $"api/groups/{CliFormat.Segment(parse.GetValue(name)!)}";
            var result = await client.SendAsync(HttpMethod.Put, path, new JsonObject { ["description"] = parse.GetValue(description) }, ct);
            CliFormat.Show(result ?? await client.SendAsync(HttpMethod.Get, path, null, ct), parse.GetValue(json));
            return 0;
        }));
        return command;
    }

    private static Command Delete()
    {
        var name = new Argument<string>("name");
        var command = new Command("delete", "Delete a group") { name };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            await client.SendAsync(HttpMethod.Delete, $"api/groups/{CliFormat.Segment(parse.GetValue(name)!)}", null, ct);
            Console.WriteLine($"deleted group {parse.GetValue(name)}");
            return 0;
        }));
        return command;
    }
}
