using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;

namespace Vigil.Adapters.Mcp.Admin;

/// <summary>What a tool does to the gateway's configuration; sets its MCP annotations (<see cref="ApiRouteTool"/>).</summary>
public enum ToolEffect
{
    /// <summary>Reads only (<c>readOnlyHint</c>).</summary>
    Read,
    /// <summary>Adds something new; calling twice adds twice or fails the second time.</summary>
    Create,
    /// <summary>Overwrites what exists (<c>destructiveHint</c>, <c>idempotentHint</c>).</summary>
    Change,
    /// <summary>Removes or revokes (<c>destructiveHint</c>, <c>idempotentHint</c>).</summary>
    Delete,
}

/// <summary>
/// One admin tool as data: a REST route of the gateway's API with the MCP tool's name, title, description, audience,
/// effect and input schema, and how its answer is shown. <see cref="ApiRouteTool"/> turns it into a tool.
/// <para>
/// Arguments map onto the request by name: each <c>{argument}</c> in <see cref="Path"/> is taken from the arguments
/// (path-escaped); of the rest, a <c>GET</c> or <c>DELETE</c> sends them as the query string, any other method as the
/// JSON body, unchanged (the tool's argument names are the API's field names).
/// </para>
/// </summary>
/// <param name="Name">The tool's name, e.g. <c>connection_create</c>.</param>
/// <param name="Title">A short human title.</param>
/// <param name="Audience">Who sees and may call it.</param>
/// <param name="Effect">What it does to the configuration.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The API path relative to the gateway, e.g. <c>api/connections/{name}</c>.</param>
/// <param name="Description">What the tool does and what to know before calling it, for a model.</param>
/// <param name="Input">The input schema: a <see cref="Schema.Object"/>; path arguments must be required strings.</param>
/// <param name="Answer">Turns the API's answer (null for 204) into the tool result.</param>
public sealed record ApiRoute(
    string Name, string Title, Audience Audience, ToolEffect Effect, HttpMethod Method, string Path, string Description, JsonObject Input,
    ApiRoute.Renderer Answer)
{
    /// <summary>Renders the API's answer <paramref name="body"/> of a call made with <paramref name="arguments"/>.</summary>
    public delegate CallToolResult Renderer(JsonNode? body, RouteArguments arguments);
}

/// <summary>The ways an admin tool shows the API's answer, built on <see cref="ToolResults"/>.</summary>
public static class Answers
{
    /// <summary>A paged list as a table of <paramref name="columns"/> (dotted paths reach inside).</summary>
    public static ApiRoute.Renderer Table(string title, params string[] columns) => (body, _) => ToolResults.List(body, title, columns);

    /// <summary>One object as <c>key: value</c> lines under <paramref name="title"/> (<c>{argument}</c> placeholders filled).</summary>
    public static ApiRoute.Renderer Item(string title) => (body, arguments) => ToolResults.Object(body, arguments.Fill(title));

    /// <summary>No content (a delete or revoke): <c>{done: true, message}</c> with <paramref name="message"/> (placeholders filled).</summary>
    public static ApiRoute.Renderer Done(string message) => (_, arguments) =>
    {
        var text = arguments.Fill(message);
        return ToolResults.Of(new JsonObject { ["done"] = true, ["message"] = text }, text);
    };
}
