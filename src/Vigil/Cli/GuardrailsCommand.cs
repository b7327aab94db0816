using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil guardrails create|list|show|delete</c> over <c>/api/guardrails</c>. <c>create</c> builds the body from
/// <c>--file guardrail.json</c> (the API's shape) and the flags: <c>--deny-input</c>/<c>--deny-output</c> words become
/// one <c>deny_words_list</c> rule per direction (<c>--match-in</c> applies to the input one), each
/// <c>--input-pattern</c>/<c>--output-pattern</c> one <c>pattern_match</c> rule; they are appended to the file's rules.
/// </summary>
public static class GuardrailsCommand
{
    private const string Path = "api/guardrails";

    private static readonly string[] Columns = ["name", "connection_names", "input", "output", "updated_at"];

    /// <summary>Builds the verb group.</summary>
    public static Command Create()
    {
        var guardrails = new Command("guardrails", "Manage guardrails: deny words and patterns refused in commands and results");
        guardrails.Subcommands.Add(CreateVerb());
        var verbs = new ResourceVerbs(Path, "guardrail", "guardrails", Columns, Project);
        guardrails.Subcommands.Add(verbs.List());
        guardrails.Subcommands.Add(verbs.Show());
        guardrails.Subcommands.Add(verbs.Delete("Delete a guardrail"));
        return guardrails;
    }

    private static Option<string[]> Repeatable(string name, string description, params string[] aliases) =>
        new(name, aliases) { Description = description, Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };

    private static Command CreateVerb()
    {
        var name = new Argument<string?>("name") { Description = "Guardrail name (else the file's)", Arity = ArgumentArity.ZeroOrOne };
        var connections = Repeatable("--connection", "Connection the guardrail applies to (repeatable)", "-c");
        var description = new Option<string?>("--description");
        var denyInput = Repeatable("--deny-input", "Word or phrase refused in commands (repeatable)");
        var denyOutput = Repeatable("--deny-output", "Word or phrase that stops a result (repeatable)");
        var inputPatterns = Repeatable("--input-pattern", "Regular expression refused in commands (repeatable; one rule each)");
        var outputPatterns = Repeatable("--output-pattern", "Regular expression that stops a result (repeatable; one rule each)");
        var matchIn = new Option<string?>("--match-in") { Description = "Where --deny-input words count in SQL: all (default) or code" };
        matchIn.AcceptOnlyFromAmong("all", "code");
        var message = new Option<string?>("--message") { Description = "Text shown to a refused client, for the rules the flags create" };
        var file = new Option<FileInfo?>("--file", "-f") { Description = "Read the guardrail (the API's JSON shape) from a file; flags add to it" };
        var json = CliFormat.JsonOption();
        var command = new Command("create", "Create a guardrail")
        {
            name, connections, description, denyInput, denyOutput, inputPatterns, outputPatterns, matchIn, message, file, json,
        };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            var body = parse.GetValue(file) is { } path ? await CliFiles.ReadObjectAsync(path, "the guardrail", ct) : new JsonObject();
            if (parse.GetValue(name) is { } given)
            {
                body["name"] = given;
            }
            else if (body["name"] is null)
            {
                throw new CliException("no guardrail name: pass NAME or a --file with a 'name' field");
            }
            if (parse.GetValue(connections) is { Length: > 0 } names)
            {
                body["connection_names"] = new JsonArray(names.Select(c => (JsonNode)c).ToArray());
            }
            if (parse.GetValue(description) is { } text)
            {
                body["description"] = text;
            }
            var refusal = parse.GetValue(message);
            AddRules(body, "input", parse.GetValue(denyInput), parse.GetValue(inputPatterns), parse.GetValue(matchIn), refusal);
            AddRules(body, "output", parse.GetValue(denyOutput), parse.GetValue(outputPatterns), null, refusal);
            var saved = await client.SendAsync(HttpMethod.Post, Path, body, ct);
            CliFormat.Show(parse.GetValue(json) ? saved : Project(saved), parse.GetValue(json));
            return 0;
        }));
        return command;
    }

    /// <summary>Appends the rules the flags describe to <c>body[direction].rules</c>.</summary>
    private static void AddRules(JsonObject body, string direction, string[]? words, string[]? patterns, string? matchIn, string? message)
    {
        var added = new List<JsonObject>();
        if (words is { Length: > 0 })
        {
            var rule = new JsonObject { ["type"] = "deny_words_list", ["words"] = new JsonArray(words.Select(w => (JsonNode)w).ToArray()) };
            if (matchIn is not null)
            {
                rule["match_in"] = matchIn;
            }
            added.Add(rule);
        }
        added.AddRange((patterns ?? []).Select(p => new JsonObject { ["type"] = "pattern_match", ["pattern_regex"] = p }));
        if (added.Count == 0)
        {
            return;
        }
        if (body[direction] is not JsonObject side)
        {
            body[direction] = side = new JsonObject();
        }
        if (side["rules"] is not JsonArray rules)
        {
            side["rules"] = rules = [];
        }
        foreach (var rule in added)
        {
            if (message is not null)
            {
                rule["message"] = message;
            }
            rules.Add(rule);
        }
    }

    /// <summary>Each direction's rules as one readable line (<c>deny drop,truncate [code]; pattern /…/</c>) for tables and records.</summary>
    private static JsonNode? Project(JsonNode? guardrail)
    {
        if (guardrail?.DeepClone() is not JsonObject obj)
        {
            return guardrail;
        }
        foreach (var direction in (string[])["input", "output"])
        {
            var rules = obj[direction]?["rules"] as JsonArray ?? [];
            obj[direction] = rules.Count == 0 ? null : string.Join("; ", rules.Select(Summary));
        }
        return obj;
    }

    private static string Summary(JsonNode? rule)
    {
        var name = rule?["name"]?.GetValue<string>() is { } n ? $"{n}: " : "";
        if (rule?["type"]?.GetValue<string>() == "pattern_match")
        {
            return $"{name}pattern /{rule["pattern_regex"]?.GetValue<string>()}/";
        }
        var scope = rule?["match_in"]?.GetValue<string>() == "code" ? " [code]" : "";
        return $"{name}deny {CliFormat.Text(rule?["words"])}{scope}";
    }
}
