using System.CommandLine;
using System.Text.Json.Nodes;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil masking create|list|show|update|delete</c> over <c>/api/datamasking-rules</c>. A rule names connections,
/// the entity types to find in their results (<c>--entity EMAIL_ADDRESS[=STRATEGY]</c>), custom types
/// (<c>--custom NAME=REGEX</c>, <c>--deny NAME=WORD,WORD</c>) and columns masked whole
/// (<c>--column [SCHEMA.TABLE.]COLUMN[=STRATEGY[,ENTITY_TYPE]]</c>, globs allowed), and whether Kubernetes Secret values
/// reach the clients of its <c>kubernetes</c> connections (<c>--kubernetes-secrets redact|reveal</c>). The body comes from
/// <c>--file rule.json</c> (the API's shape) with the flags given overriding its fields; <c>update</c> starts from the
/// stored rule, and a list flag replaces that list.
/// </summary>
public static class MaskingCommand
{
    private const string Path = "api/datamasking-rules";

    private static readonly string[] Columns = ["name", "connection_names", "strategy", "score_threshold", "entity_types", "custom", "columns", "kubernetes_secrets", "updated_at"];

    /// <summary>The fields a rule is written with: everything else the API returns (id, timestamps) is left out of a PUT.</summary>
    private static readonly string[] RequestFields =
        ["name", "description", "connection_names", "supported_entity_types", "custom_entity_types", "score_threshold", "strategy", "columns", "kubernetes_secrets"];

    /// <summary>Builds the verb group.</summary>
    public static Command Create()
    {
        var masking = new Command("masking", "Manage data masking rules (what is masked in results, per connection)");
        masking.Subcommands.Add(Write("create", "Create a masking rule", update: false));
        var verbs = new ResourceVerbs(Path, "masking rule", "masking rules", Columns, Project);
        masking.Subcommands.Add(verbs.List());
        masking.Subcommands.Add(verbs.Show());
        masking.Subcommands.Add(Write("update", "Change a masking rule (only the fields given; a list flag replaces that list)", update: true));
        masking.Subcommands.Add(verbs.Delete("Delete a masking rule (its connections' results are no longer masked by it)"));
        return masking;
    }

    /// <summary>The options of <c>create</c> and <c>update</c>.</summary>
    private sealed class RuleOptions
    {
        public Option<string[]> Connections { get; } = Many("--connection", "Connection whose results the rule masks (repeatable)", "-c");
        public Option<string[]> Entities { get; } = Many("--entity", "Presidio entity type to find, optionally with its strategy: EMAIL_ADDRESS or CREDIT_CARD=partial (repeatable, or comma-separated)", "-e");
        public Option<string[]> Customs { get; } = Many("--custom", "Custom entity type found by a .NET regex: NAME=REGEX (repeatable)");
        public Option<string[]> Denies { get; } = Many("--deny", "Custom entity type found by whole words: NAME=WORD,WORD (repeatable)");
        public Option<string[]> ColumnRules { get; } = Many("--column", "Column masked whole: [SCHEMA.TABLE.]COLUMN[=STRATEGY[,ENTITY_TYPE]], globs * and ? allowed (repeatable)");
        public Option<string?> Strategy { get; } = new("--strategy", "-s") { Description = "Default strategy: redact (default), partial, hash or null" };
        public Option<double?> Threshold { get; } = new("--threshold") { Description = "score_threshold: findings scoring lower are left alone (0-1, default 0)" };
        public Option<string?> Description { get; } = new("--description");
        public Option<string?> KubernetesSecrets { get; } = new("--kubernetes-secrets")
        {
            Description = "Kubernetes Secret values (data, stringData) on the rule's kubernetes connections: redact (default) or reveal "
                + "(sent to the client as the cluster sends them; the recording keeps them redacted)",
        };
        public Option<FileInfo?> File { get; } = new("--file", "-f") { Description = "Read the rule (the API's JSON shape) from a file; flags override its fields" };

        public RuleOptions() => KubernetesSecrets.AcceptOnlyFromAmong("redact", "reveal");

        public IEnumerable<Option> All => [Connections, Entities, Customs, Denies, ColumnRules, Strategy, Threshold, Description, KubernetesSecrets, File];

        private static Option<string[]> Many(string name, string description, params string[] aliases) =>
            new(name, aliases) { Description = description, Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };

        /// <summary>Overlays the flags that were given onto <paramref name="body"/>.</summary>
        /// <exception cref="CliException">A flag's value does not have its syntax.</exception>
        public void Apply(ParseResult parse, JsonObject body)
        {
            if (Given(parse, Connections) is { } connections)
            {
                body["connection_names"] = Strings(connections);
            }
            if (Given(parse, Entities) is { } entities)
            {
                body["supported_entity_types"] = EntityGroups(entities);
            }
            var customs = Given(parse, Customs);
            var denies = Given(parse, Denies);
            if (customs is not null || denies is not null)
            {
                var list = new JsonArray();
                foreach (var custom in customs ?? [])
                {
                    var (name, regex) = Pair(custom, "--custom", "NAME=REGEX");
                    list.Add(new JsonObject { ["name"] = name, ["regex"] = regex });
                }
                foreach (var deny in denies ?? [])
                {
                    var (name, words) = Pair(deny, "--deny", "NAME=WORD,WORD");
                    list.Add(new JsonObject { ["name"] = name, ["deny_list"] = Strings(words.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)) });
                }
                body["custom_entity_types"] = list;
            }
            if (Given(parse, ColumnRules) is { } columns)
            {
                body["columns"] = new JsonArray([.. columns.Select(ColumnRule)]);
            }
            if (parse.GetValue(Strategy) is { } strategy)
            {
                body["strategy"] = strategy;
            }
            if (parse.GetValue(Threshold) is { } threshold)
            {
                body["score_threshold"] = threshold;
            }
            if (parse.GetValue(Description) is { } description)
            {
                body["description"] = description;
            }
            if (parse.GetValue(KubernetesSecrets) is { } secrets)
            {
                body["kubernetes_secrets"] = secrets;
            }
        }

        private static string[]? Given(ParseResult parse, Option<string[]> option) =>
            parse.GetResult(option) is not null && parse.GetValue(option) is { Length: > 0 } values ? values : null;

        private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)v)]);

        /// <summary><c>TYPE</c> items go to a group named <c>DEFAULT</c>; <c>TYPE=STRATEGY</c> items to one group per strategy, named after it.</summary>
        private static JsonArray EntityGroups(IEnumerable<string> values)
        {
            var items = values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                .Select(item => item.Split('=', 2, StringSplitOptions.TrimEntries))
                .Select(parts => (Type: parts[0], Strategy: parts.Length == 2 ? parts[1] : null));
            var groups = new JsonArray();
            foreach (var group in items.GroupBy(i => i.Strategy))
            {
                var entry = new JsonObject
                {
                    ["name"] = group.Key?.ToUpperInvariant() ?? "DEFAULT",
                    ["entity_types"] = Strings(group.Select(i => i.Type)),
                };
                if (group.Key is not null)
                {
                    entry["strategy"] = group.Key;
                }
                groups.Add(entry);
            }
            return groups;
        }

        /// <summary><c>[TABLE_PATTERN.]COLUMN_PATTERN[=STRATEGY[,ENTITY_TYPE]]</c>: the table is everything before the last dot.</summary>
        private static JsonNode ColumnRule(string value)
        {
            var parts = value.Split('=', 2, StringSplitOptions.TrimEntries);
            var dot = parts[0].LastIndexOf('.');
            var column = new JsonObject
            {
                ["table_pattern"] = dot < 0 ? "*" : parts[0][..dot],
                ["column_pattern"] = parts[0][(dot + 1)..],
            };
            if (column["column_pattern"]!.GetValue<string>().Length == 0 || column["table_pattern"]!.GetValue<string>().Length == 0)
            {
                throw new CliException($"--column '{value}': expected [SCHEMA.TABLE.]COLUMN[=STRATEGY[,ENTITY_TYPE]]");
            }
            if (parts.Length == 2)
            {
                var options = parts[1].Split(',', 2, StringSplitOptions.TrimEntries);
                if (options[0].Length > 0)
                {
                    column["strategy"] = options[0];
                }
                if (options.Length == 2)
                {
                    column["entity_type"] = options[1];
                }
            }
            return column;
        }

        private static (string Name, string Value) Pair(string value, string flag, string syntax)
        {
            var equals = value.IndexOf('=', StringComparison.Ordinal);
            return equals > 0 && equals < value.Length - 1
                ? (value[..equals].Trim(), value[(equals + 1)..])
                : throw new CliException($"{flag} '{value}': expected {syntax}");
        }
    }

    private static Command Write(string verb, string description, bool update)
    {
        var name = new Argument<string?>("name") { Description = update ? "Rule name or id" : "Rule name", Arity = update ? ArgumentArity.ExactlyOne : ArgumentArity.ZeroOrOne };
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
            if (!update && ruleName is not null)
            {
                body["name"] = ruleName;
            }
            else if (body["name"] is null)
            {
                throw new CliException("no rule name: pass NAME or a --file with a 'name' field");
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
        foreach (var field in RequestFields)
        {
            if (rule?[field] is { } value)
            {
                body[field] = value.DeepClone();
            }
        }
        return body;
    }

    /// <summary>
    /// The nested lists in the flags' own syntax, for tables and records: <c>entity_types</c> (<c>TYPE[=STRATEGY]</c>),
    /// <c>custom</c> (<c>NAME=/REGEX/</c> or <c>NAME=[WORD,…]</c>) and <c>columns</c>
    /// (<c>TABLE.COLUMN[=STRATEGY[,ENTITY_TYPE]]</c>), each list joined by "; ".
    /// </summary>
    private static JsonNode? Project(JsonNode? rule)
    {
        if (rule?.DeepClone() is not JsonObject obj)
        {
            return rule;
        }
        var projected = new JsonObject();
        foreach (var (key, value) in obj)
        {
            switch (key)
            {
                case "supported_entity_types":
                    projected["entity_types"] = Joined((value as JsonArray ?? []).SelectMany(g => (g?["entity_types"] as JsonArray ?? [])
                        .Select(t => CliFormat.Text(t) + (g?["strategy"] is { } s ? "=" + CliFormat.Text(s) : ""))));
                    break;
                case "custom_entity_types":
                    projected["custom"] = Joined((value as JsonArray ?? []).Select(c => CliFormat.Text(c?["name"]) + "="
                        + (c?["regex"] is { } regex ? $"/{CliFormat.Text(regex)}/" : $"[{string.Join(',', (c?["deny_list"] as JsonArray ?? []).Select(CliFormat.Text))}]")));
                    break;
                case "columns":
                    projected["columns"] = Joined((value as JsonArray ?? []).Select(ColumnText));
                    break;
                case "connection_ids":
                    break;
                default:
                    projected[key] = value?.DeepClone();
                    break;
            }
        }
        return projected;
    }

    /// <summary>Items joined by "; " (they may hold commas themselves); null for none, which prints as "-".</summary>
    private static JsonNode? Joined(IEnumerable<string> items) => string.Join("; ", items) is { Length: > 0 } text ? text : null;

    /// <summary>A column rule in <c>--column</c> syntax.</summary>
    private static string ColumnText(JsonNode? column)
    {
        var text = $"{CliFormat.Text(column?["table_pattern"])}.{CliFormat.Text(column?["column_pattern"])}";
        var strategy = column?["strategy"] is { } s ? CliFormat.Text(s) : "";
        var entity = CliFormat.Text(column?["entity_type"]);
        return entity != "COLUMN" ? $"{text}={strategy},{entity}" : strategy.Length > 0 ? $"{text}={strategy}" : text;
    }
}
