namespace Vigil.Cli;

/// <summary>Files a verb reads on the user's behalf (<c>-f script.sql</c>, <c>--ssl-root-cert ca.pem</c>, a rule file).</summary>
internal static class CliFiles
{
    /// <summary>The text of <paramref name="file"/>, given with <paramref name="option"/>.</summary>
    /// <exception cref="CliException">
    /// One line naming the option and the path: "-f missing.sql: no such file", "permission denied", "is a directory"
    /// or the system's reason.
    /// </exception>
    public static async Task<string> ReadTextAsync(FileInfo file, string option, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllTextAsync(file.FullName, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var why = e switch
            {
                FileNotFoundException or DirectoryNotFoundException when Directory.Exists(file.FullName) => "is a directory, not a file",
                FileNotFoundException or DirectoryNotFoundException => "no such file",
                UnauthorizedAccessException when Directory.Exists(file.FullName) => "is a directory, not a file",
                UnauthorizedAccessException => "permission denied",
                _ => e.Message,
            };
            throw new CliException($"{option} {file}: {why}");
        }
    }

    /// <summary>
    /// Reads <paramref name="file"/> (a <c>--file</c> option's value) as one JSON object: the API's shape of
    /// <paramref name="what"/> (e.g. "the rule").
    /// </summary>
    /// <exception cref="CliException">The file cannot be read or is not a JSON object.</exception>
    public static async Task<System.Text.Json.Nodes.JsonObject> ReadObjectAsync(FileInfo file, string what, CancellationToken cancellationToken)
    {
        var text = await ReadTextAsync(file, "--file", cancellationToken);
        try
        {
            return System.Text.Json.Nodes.JsonNode.Parse(text) as System.Text.Json.Nodes.JsonObject ?? throw new CliException($"{file.Name}: expected a JSON object ({what})");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new CliException($"{file.Name}: {e.Message}");
        }
    }
}
