using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Vigil.Hosting;

namespace Vigil.WebConsole;

/// <summary>How a form field is typed and turned into the API's JSON.</summary>
public enum FieldKind
{
    /// <summary>One line of text; a JSON string.</summary>
    Text,

    /// <summary>Several lines; a JSON string.</summary>
    LongText,

    /// <summary>Comma-separated names; a JSON array of strings.</summary>
    List,

    /// <summary>A number; a JSON number.</summary>
    Number,

    /// <summary>One of <see cref="FormField.Choices"/> (empty: the API's default); a JSON string.</summary>
    Choice,

    /// <summary>A JSON value typed as is (the API's nested lists, e.g. a masking rule's <c>columns</c>).</summary>
    Json,

    /// <summary>A write-only secret: never filled in from stored data; empty keeps the stored value.</summary>
    Secret,
}

/// <summary>
/// One field of a console form over an API request body. <see cref="Key"/> is the JSON property path in the API's
/// snake_case shape, with <c>.</c> between nested objects (<c>risk_evaluation.low_risk_action</c>), so the same key
/// reads a view and writes a request, and the API's validation messages (<c>field 'KEY…'</c>) find it.
/// </summary>
public sealed record FormField(string Key, string Label, FieldKind Kind, string? Hint = null, IReadOnlyList<string>? Choices = null)
{
    /// <summary>The HTML id of the input (<c>f-</c> and the key with <c>.</c> and <c>_</c> as <c>-</c>).</summary>
    public string Id => "f-" + Key.Replace('.', '-').Replace('_', '-');
}

/// <summary>
/// A form's values as typed and, after a refused save, the message and the field it names (null: shown above the form).
/// Turns values into the API request body and API views into values, so the console validates nothing itself: the
/// request types' own checks (<c>ToRule</c>, <c>ToGuardrail</c>, <c>Validate</c>) run on what the form becomes.
/// </summary>
public sealed record PolicyForm(IReadOnlyDictionary<string, string> Values, string? Error = null, string? ErrorField = null)
{
    /// <summary>The value typed in <paramref name="key"/>, or empty.</summary>
    public string this[string key] => Values.TryGetValue(key, out var v) ? v : "";

    /// <summary>The form showing <paramref name="view"/> (an API view, serialized as the API does); secrets stay empty.</summary>
    public static PolicyForm From(object view, IReadOnlyList<FormField> fields)
    {
        var json = JsonSerializer.SerializeToNode(view, view.GetType(), Api.Json);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in fields.Where(f => f.Kind != FieldKind.Secret))
        {
            var node = Get(json, field.Key);
            values[field.Key] = node switch
            {
                null => "",
                JsonValue v when v.TryGetValue<string>(out var text) => text,
                JsonArray a when field.Kind == FieldKind.List => string.Join(", ", a.Select(x => x?.GetValue<string>())),
                JsonValue v => v.ToJsonString(Api.Json),
                _ => node.ToJsonString(s_indented),
            };
        }
        return new PolicyForm(values);
    }

    /// <summary>The posted values of <paramref name="fields"/> (trimmed).</summary>
    public static PolicyForm Read(IFormCollection form, IReadOnlyList<FormField> fields) =>
        new(fields.ToDictionary(f => f.Key, f => f.Kind == FieldKind.Secret ? form[f.Key].ToString() : form[f.Key].ToString().Trim(), StringComparer.Ordinal));

    /// <summary>
    /// The API request body: empty fields are left out (the API's default applies), lists split at commas, numbers and
    /// JSON parsed. On a field that does not parse, this form with the error next to it instead.
    /// </summary>
    public (T? Request, PolicyForm? Refused) ToRequest<T>(IReadOnlyList<FormField> fields) where T : class
    {
        var body = new JsonObject();
        foreach (var field in fields)
        {
            var text = this[field.Key];
            if (text.Length == 0)
            {
                continue;
            }
            JsonNode? node;
            switch (field.Kind)
            {
                case FieldKind.List:
                    node = new JsonArray([.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(s => (JsonNode?)JsonValue.Create(s))]);
                    break;
                case FieldKind.Number:
                    if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                    {
                        return (null, Refuse(fields, $"field '{field.Key}' must be a number"));
                    }
                    node = Math.Floor(number) == number && Math.Abs(number) < int.MaxValue ? JsonValue.Create((int)number) : JsonValue.Create(number);
                    break;
                case FieldKind.Json:
                    try
                    {
                        node = JsonNode.Parse(text);
                    }
                    catch (JsonException e)
                    {
                        return (null, Refuse(fields, $"field '{field.Key}' is not valid JSON: {e.Message.Split(". ")[0]}"));
                    }
                    break;
                default:
                    node = JsonValue.Create(text);
                    break;
            }
            Set(body, field.Key, node);
        }
        try
        {
            return (body.Deserialize<T>(Api.Json) ?? throw new JsonException("no value"), null);
        }
        catch (JsonException e)
        {
            // The same wording as a bad API body; the path names the field (e.g. $.columns[0].strategy).
            var path = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "" : $" at field '{e.Path.TrimStart('$', '.')}'";
            return (null, Refuse(fields, $"invalid value{path}: {e.Message.Split(". ")[0]}"));
        }
    }

    /// <summary>This form refused with <paramref name="message"/> shown next to the field it names (the earliest mentioned).</summary>
    public PolicyForm Refuse(IReadOnlyList<FormField> fields, string message) =>
        this with { Error = message, ErrorField = FieldOf(message, fields) };

    /// <summary>The key of the field <paramref name="message"/> mentions first (as a whole key, e.g. <c>columns</c> in <c>field 'columns[0].strategy'</c>), or null.</summary>
    public static string? FieldOf(string message, IReadOnlyList<FormField> fields) =>
        fields.Select(f => (f.Key, Match: Regex.Match(message, $@"(?<![\w.]){Regex.Escape(f.Key)}(?![\w])", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1))))
            .Where(x => x.Match.Success)
            .OrderBy(x => x.Match.Index).ThenByDescending(x => x.Key.Length)
            .Select(x => x.Key).FirstOrDefault();

    private static readonly JsonSerializerOptions s_indented = new(Api.Json) { WriteIndented = true };

    private static JsonNode? Get(JsonNode? node, string path)
    {
        foreach (var part in path.Split('.'))
        {
            node = node is JsonObject o && o.TryGetPropertyValue(part, out var child) ? child : null;
        }
        return node;
    }

    private static void Set(JsonObject body, string path, JsonNode? value)
    {
        var parts = path.Split('.');
        var target = body;
        foreach (var part in parts[..^1])
        {
            if (target[part] is not JsonObject child)
            {
                target[part] = child = new JsonObject();
            }
            target = child;
        }
        target[parts[^1]] = value;
    }
}
