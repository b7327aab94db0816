using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Vigil.Adapters.Mcp.Admin;

/// <summary>
/// An MCP tool made from an <see cref="ApiRoute"/>: its <c>tools/list</c> entry (name, title, description, input schema,
/// annotations from <see cref="ToolEffect"/>, never open-world), its <see cref="ToolAudienceAttribute"/> as metadata for
/// the endpoint's list and call filters, and a call that binds the arguments (<see cref="RouteArguments"/>; the endpoint's filter has checked them), sends the
/// one API request with the caller's token (<see cref="VigilApi"/>) and renders the answer.
/// <para>
/// Errors never escape as exceptions: bad arguments and API refusals (the problem's <c>detail</c> and status) come back
/// as a result with <c>isError: true</c>, so the call is audited as a failure and the agent reads what to fix.
/// </para>
/// </summary>
public sealed class ApiRouteTool : McpServerTool
{
    private readonly ApiRoute _route;

    /// <summary>Builds the tool; throws <see cref="ArgumentException"/> when a path argument is not a required string of the schema.</summary>
    public ApiRouteTool(ApiRoute route)
    {
        var properties = route.Input["properties"]!.AsObject();
        var required = route.Input["required"]?.AsArray().Select(r => r!.GetValue<string>()).ToHashSet() ?? [];
        foreach (var argument in RouteArguments.PathArguments(route.Path))
        {
            if (!required.Contains(argument) || properties[argument]?["type"]?.GetValue<string>() != "string")
            {
                throw new ArgumentException($"tool {route.Name}: path argument '{argument}' must be a required string", nameof(route));
            }
        }
        _route = route;
        ProtocolTool = new Tool
        {
            Name = route.Name,
            Title = route.Title,
            Description = route.Description,
            InputSchema = JsonSerializer.SerializeToElement(route.Input),
            Annotations = new ToolAnnotations
            {
                Title = route.Title,
                ReadOnlyHint = route.Effect == ToolEffect.Read,
                DestructiveHint = route.Effect is ToolEffect.Change or ToolEffect.Delete,
                IdempotentHint = route.Effect != ToolEffect.Create,
                OpenWorldHint = false,
            },
        };
        Metadata = [new ToolAudienceAttribute(route.Audience)];
    }

    /// <inheritdoc/>
    public override Tool ProtocolTool { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<object> Metadata { get; }

    /// <inheritdoc/>
    public override async ValueTask<CallToolResult> InvokeAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken = default)
    {
        var arguments = RouteArguments.From(request.Params?.Arguments);
        var api = (request.Services ?? throw new InvalidOperationException("MCP request without services")).GetRequiredService<VigilApi>();
        try
        {
            var (path, body) = arguments.Bind(_route);
            var answer = await api.SendAsync(_route.Method, path, body, cancellationToken);
            return _route.Answer(answer.Body, arguments);
        }
        catch (McpException e)
        {
            return ToolResults.Error($"{_route.Name} failed: {e.Message}");
        }
    }
}
