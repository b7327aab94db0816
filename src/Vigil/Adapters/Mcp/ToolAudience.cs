using ModelContextProtocol.Server;
using Vigil.Identity;

namespace Vigil.Adapters.Mcp;

/// <summary>Who sees and may call an MCP tool (<see cref="ToolAudienceAttribute"/>).</summary>
public enum Audience
{
    /// <summary>Every identity; the API's RBAC decides what each call may touch.</summary>
    Everyone,
    /// <summary>Auditors and admins: the read side of administration (rules, users, audit).</summary>
    Auditors,
    /// <summary>Admins only: changes to connections, policies, identities, tokens, webhooks.</summary>
    Admins,
}

/// <summary>
/// Marks an MCP tool method with its <see cref="Audience"/>; a tool without it is for <see cref="Audience.Everyone"/>.
/// <c>tools/list</c> shows a caller only the tools of its audience, and a call to another tool is refused before it
/// runs (the API would refuse it too: this keeps an agent's tool list honest).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ToolAudienceAttribute(Audience audience) : Attribute
{
    /// <summary>The audience.</summary>
    public Audience Audience { get; } = audience;
}

/// <summary>Reads a tool's audience and matches it against a caller.</summary>
public static class ToolAudiences
{
    /// <summary>The audience of <paramref name="tool"/> (<see cref="Audience.Everyone"/> when unmarked).</summary>
    public static Audience Of(McpServerTool tool) =>
        tool.Metadata.OfType<ToolAudienceAttribute>().FirstOrDefault()?.Audience ?? Audience.Everyone;

    /// <summary>True when <paramref name="caller"/> belongs to <paramref name="audience"/>.</summary>
    public static bool Includes(this Audience audience, CallerIdentity caller) => audience switch
    {
        Audience.Everyone => true,
        Audience.Auditors => caller.CanAudit,
        _ => caller.IsAdmin,
    };
}
