namespace Vigil.Analysis;

/// <summary>
/// The kinds of input the analyzer understands (the <c>type</c> of a <c>vigil analyze</c> line, and a connection's
/// type): a PostgreSQL statement or script, a POSIX shell command line, a <c>kubectl</c> command line, an HTTP request
/// written as <c>METHOD PATH</c> optionally followed by a newline and a body.
/// </summary>
public static class InputType
{
    /// <summary>SQL for PostgreSQL (one or more statements).</summary>
    public const string Postgres = "postgres";
    /// <summary>A POSIX shell command line.</summary>
    public const string Shell = "shell";
    /// <summary>A <c>kubectl</c> command line.</summary>
    public const string Kubernetes = "kubernetes";
    /// <summary><c>METHOD PATH</c>, then optionally a newline and the request body.</summary>
    public const string Http = "http";

    /// <summary>Every supported type.</summary>
    public static readonly IReadOnlyList<string> All = [Postgres, Shell, Kubernetes, Http];

    /// <summary>
    /// What the commands of a connection of <paramref name="connectionType"/> are: an <c>ssh</c> connection runs
    /// <see cref="Shell"/> command lines; every other connection type is its own input type.
    /// </summary>
    public static string ForConnection(string connectionType) => connectionType == Connections.ConnectionTypes.Ssh ? Shell : connectionType;
}
