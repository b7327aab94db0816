using Vigil.Analysis;

namespace Vigil.Adapters.Postgres;

/// <summary>
/// A portal made by Bind: its prepared statement (name and SQL) and the verdict that statement's Parse got (each
/// Execute runs under it), the number of parameters bound, and the result format codes the client asked for (§55.7
/// Bind; the statement's RowDescription says the types, these the formats). Compared by reference: a new Bind of the
/// same name is a new portal.
/// </summary>
internal sealed record BoundPortal(string StatementName, string Sql, int Parameters, AiAnalysis? Analysis, short[] ResultFormats)
{
    /// <summary>A portal the gateway never saw bound (the server will refuse its Execute).</summary>
    public static readonly BoundPortal Unknown = new("", "", 0, null, []);
}
