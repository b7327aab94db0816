using System.CommandLine;
using System.Text.Json.Nodes;

namespace Vigil.Cli;

/// <summary>
/// The list, show and delete verbs of a named API resource that names connections (analyzer rules, masking rules,
/// guardrails), one implementation for all: <c>list [-c CONNECTION] [--page N] [--json]</c>, <c>show NAME [--json]</c>,
/// <c>delete NAME</c>. Tables show <paramref name="Columns"/> of each item after <paramref name="Project"/>; <c>--json</c>
/// prints the API's JSON unchanged.
/// </summary>
/// <param name="Path">The collection's API path, e.g. <c>/api/guardrails</c>.</param>
/// <param name="Noun">One item, e.g. <c>guardrail</c> ("deleted guardrail NAME").</param>
/// <param name="Plural">Several, e.g. <c>guardrails</c>.</param>
internal sealed record ResourceVerbs(string Path, string Noun, string Plural, string[] Columns, Func<JsonNode?, JsonNode?> Project)
{
    /// <summary><c>list</c>, filtered by <c>--connection</c>.</summary>
    public Command List()
    {
        var connection = new Option<string?>("--connection", "-c") { Description = $"Only the {Plural} that name this connection" };
        var page = CliFormat.PageOption();
        var json = CliFormat.JsonOption();
        var command = new Command("list", $"List {Plural}") { connection, page, json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            await CliFormat.ListAsync(client, Path, [("connection", parse.GetValue(connection))], parse.GetValue(page), parse.GetValue(json), Columns, ct, n => Project(n)!);
            return 0;
        }));
        return command;
    }

    /// <summary><c>show NAME</c>.</summary>
    public Command Show()
    {
        var name = new Argument<string>("name") { Description = $"The {Noun}'s name or id" };
        var json = CliFormat.JsonOption();
        var command = new Command("show", $"Show a {Noun}") { name, json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            var item = await client.SendAsync(HttpMethod.Get, $"{Path}/{CliFormat.Segment(parse.GetValue(name)!)}", null, ct);
            CliFormat.Show(parse.GetValue(json) ? item : Project(item), parse.GetValue(json));
            return 0;
        }));
        return command;
    }

    /// <summary><c>delete NAME</c>; <paramref name="description"/> says what deleting it changes.</summary>
    public Command Delete(string description)
    {
        var name = new Argument<string>("name") { Description = $"The {Noun}'s name or id" };
        var command = new Command("delete", description) { name };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            await client.SendAsync(HttpMethod.Delete, $"{Path}/{CliFormat.Segment(parse.GetValue(name)!)}", null, ct);
            Console.WriteLine($"deleted {Noun} {parse.GetValue(name)}");
            return 0;
        }));
        return command;
    }
}
