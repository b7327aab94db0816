namespace Vigil.Analysis;

/// <summary>What a rule does with a command of a given risk level, ordered from most to least permissive.</summary>
public enum AnalysisAction
{
    /// <summary>Run it (<c>allow</c>; upstream spelling <c>allow_execution</c>).</summary>
    Allow = 0,
    /// <summary>Park it as a pending review (<c>require_approval</c>; upstream <c>require_access_request</c>).</summary>
    RequireApproval = 1,
    /// <summary>Refuse it (<c>block</c>; upstream <c>block_execution</c>).</summary>
    Block = 2,
}

/// <summary>The API spelling of <see cref="AnalysisAction"/>, accepting the upstream product's names as aliases.</summary>
public static class AnalysisActions
{
    /// <summary><c>allow</c>, <c>require_approval</c> or <c>block</c>.</summary>
    public static string Name(this AnalysisAction action) => action switch
    {
        AnalysisAction.Allow => "allow",
        AnalysisAction.RequireApproval => "require_approval",
        _ => "block",
    };

    /// <summary>Parses an action name or its upstream alias (case-insensitive).</summary>
    public static bool TryParse(string? text, out AnalysisAction action)
    {
        switch (text?.ToLowerInvariant())
        {
            case "allow" or "allow_execution":
                action = AnalysisAction.Allow;
                return true;
            case "require_approval" or "require_access_request":
                action = AnalysisAction.RequireApproval;
                return true;
            case "block" or "block_execution":
                action = AnalysisAction.Block;
                return true;
            default:
                action = AnalysisAction.Allow;
                return false;
        }
    }

    /// <summary>The stricter of two actions.</summary>
    public static AnalysisAction Stricter(AnalysisAction a, AnalysisAction b) => a >= b ? a : b;
}
