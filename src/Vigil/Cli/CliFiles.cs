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
}
