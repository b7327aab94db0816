using Vigil.Analysis;

namespace Vigil.Adapters.Postgres;

/// <summary>
/// A portal made by Bind: its prepared statement's SQL and the verdict that statement's Parse got (each Execute runs
/// under it), and the number of parameters bound. Compared by reference: a new Bind of the same name is a new portal.
/// </summary>
internal sealed record BoundPortal(string Sql, int Parameters, AiAnalysis? Analysis)
{
    /// <summary>A portal the gateway never saw bound (the server will refuse its Execute).</summary>
    public static readonly BoundPortal Unknown = new("", 0, null);
}
