using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil ai rules create|list|show|update|delete</c> over <c>/api/ai/session-analyzer/rules</c>. A rule maps each
/// risk level of its connections' commands to an action (<c>allow</c>, <c>require_approval</c>, <c>block</c>); a
/// connection belongs to at most one rule (the gateway answers 409 otherwise). The body comes from
/// <c>--file rule.json</c> (the API's shape), with the flags given overriding its fields; <c>update</c> starts from
/// the stored rule, so it changes only what is given.
/// </summary>
public static class AiRulesCommand
{
    private const string Path = "api/ai/session-analyzer/rules";

    private static readonly string[] Columns = ["name", "connection_names", "low", "medium", "high", "on_provider_error", "native_analysis", "timeout_ms", "updated_at"];

    /// <summary>The fields a rule is written with: everything else the API returns (timestamps) is left out of a PUT.</summary>
    private static readonly string[] RequestFields =
        ["name", "description", "connection_names", "risk_evaluation", "custom_prompt", "on_provider_error", "timeout_ms", "native_analysis"];

    /// <summary>Builds the verb group.</summary>
    public static Command Create()
    {
        var rules = new Command("rules", "Manage the analyzer's per-connection rules");
        rules.Subcommands.Add(Write("create", "Create a rule", update: false));
        var verbs = new ResourceVerbs(Path, "rule", "rules", Columns, Project);
        rules.Subcommands.Add(verbs.List());
        rules.Subcommands.Add(verbs.Show());
        rules.Subcommands.Add(Write("update", "Change a rule (only the fields given)", update: true));
        rules.Subcommands.Add(verbs.Delete("Delete a rule (its connections' commands are then allowed at every level)"));
        return rules;
    }

    /// <summary>The options of <c>create</c> and <c>update</c>.</summary>
    private sealed class RuleOptions
    {
        public Option<string[]> Connections { get; } = new("--connection", "-c")
        {
            Description = "Connection the rule applies to (repeatable; update: replaces the list)",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        public Option<string?> Description { get; } = new("--description");
        public Option<string?> Low { get; } = Action("--low", "low", "allow");
        public Option<string?> Medium { get; } = Action("--medium", "medium", "require_approval");
        public Option<string?> High { get; } = Action("--high", "high", "block");
        public Option<string?> CustomPrompt { get; } = new("--custom-prompt") { Description = "Text added to the system prompt for this rule's connections" };
        public Option<string?> OnProviderError { get; } = new("--on-provider-error") { Description = "Action when the provider fails (default: require_approval)" };
        public Option<int?> TimeoutMs { get; } = new("--timeout-ms") { Description = "Provider timeout, milliseconds (default: 10000)" };
        public Option<string?> NativeAnalysis { get; } = new("--native-analysis") { Description = "static (default), llm or off" };
        public Option<FileInfo?> File { get; } = new("--file", "-f") { Description = "Read the rule (the API's JSON shape) from a file; flags override its fields" };

        public RuleOptions() => NativeAnalysis.AcceptOnlyFromAmong("static", "llm", "off");

        public IEnumerable<Option> All => [Connections, Description, Low, Medium, High, CustomPrompt, OnProviderError, TimeoutMs, NativeAnalysis, File];

        // Actions are validated by the gateway, which also accepts the upstream product's spellings.
        private static Option<string?> Action(string name, string level, string fallback) =>
            new(name) { Description = $"Action for {level}-risk commands: allow, require_approval or block (default: {fallback})" };

        /// <summary>Overlays the flags that were given onto <paramref name="body"/>.</summary>
        public void Apply(ParseResult parse, JsonObject body)
        {
            if (parse.GetResult(Connections) is not null && parse.GetValue(Connections) is { Length: > 0 } connections)
            {
                body["connection_names"] = new JsonArray(connections.Select(c => (JsonNode)c).ToArray());
            }
            foreach (var (key, option) in new[] { ("description", Description), ("custom_prompt", CustomPrompt), ("on_provider_error", OnProviderError), ("native_analysis", NativeAnalysis) })
            {
                if (parse.GetValue(option) is { } value)
                {
                    body[key] = value;
                }
            }
            if (parse.GetValue(TimeoutMs) is { } timeout)
            {
                body["timeout_ms"] = timeout;
            }
            foreach (var (key, option) in new[] { ("low_risk_action", Low), ("medium_risk_action", Medium), ("high_risk_action", High) })
            {
                if (parse.GetValue(option) is { } action)
                {
                    if (body["risk_evaluation"] is not JsonObject evaluation)
                    {
                        body["risk_evaluation"] = evaluation = new JsonObject();
                    }
                    evaluation[key] = action;
                }
            }
        }
    }

    private static Command Write(string verb, string description, bool update)
    {
        var name = new Argument<string?>("name") { Description = "Rule name", Arity = update ? ArgumentArity.ExactlyOne : ArgumentArity.ZeroOrOne };
        var options = new RuleOptions();
        var json = CliFormat.JsonOption();
        var command = new Command(verb, description) { name, json };
        foreach (var option in options.All)
        {
            command.Options.Add(option);
        }
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            var ruleName = parse.GetValue(name);
            var body = update
                ? RequestBody(await client.SendAsync(HttpMethod.Get, $"{Path}/{CliFormat.Segment(ruleName!)}", null, ct))
                : new JsonObject();
            if (parse.GetValue(options.File) is { } file)
            {
                foreach (var (key, value) in await CliFiles.ReadObjectAsync(file, "the rule", ct))
                {
                    body[key] = value?.DeepClone();
                }
            }
            options.Apply(parse, body);
            // The rule's own name: the argument, else the file's; the gateway refuses a PUT that renames.
            if (ruleName is not null)
            {
                body["name"] = ruleName;
            }
            else if (body["name"] is null)
            {
                throw new CliException("no rule name: pass NAME or a --file with a 'name' field");
            }
            if (!update && body["risk_evaluation"] is null)
            {
                // Each level then takes its default action (low allow, medium require_approval, high block).
                body["risk_evaluation"] = new JsonObject();
            }
            var saved = update
                ? await client.SendAsync(HttpMethod.Put, $"{Path}/{CliFormat.Segment(ruleName!)}", body, ct)
                : await client.SendAsync(HttpMethod.Post, Path, body, ct);
            CliFormat.Show(parse.GetValue(json) ? saved : Project(saved), parse.GetValue(json));
            return 0;
        }));
        return command;
    }

    /// <summary>The writable fields of a rule as the API returned it.</summary>
    private static JsonObject RequestBody(JsonNode? rule)
    {
        var body = new JsonObject();
        if (rule is JsonObject obj)
        {
            foreach (var field in RequestFields)
            {
                if (obj[field] is { } value)
                {
                    body[field] = value.DeepClone();
                }
            }
        }
        return body;
    }

    /// <summary>The three actions as <c>low</c>, <c>medium</c>, <c>high</c> fields in place of the nested <c>risk_evaluation</c>, for tables and records.</summary>
    private static JsonNode? Project(JsonNode? rule)
    {
        if (rule?.DeepClone() is not JsonObject obj)
        {
            return rule;
        }
        var evaluation = obj["risk_evaluation"];
        var projected = new JsonObject();
        foreach (var (key, value) in obj)
        {
            if (key == "risk_evaluation")
            {
                projected["low"] = evaluation?["low_risk_action"]?.DeepClone();
                projected["medium"] = evaluation?["medium_risk_action"]?.DeepClone();
                projected["high"] = evaluation?["high_risk_action"]?.DeepClone();
            }
            else
            {
                projected[key] = value?.DeepClone();
            }
        }
        return projected;
    }
}
