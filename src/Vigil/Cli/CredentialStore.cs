using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vigil.Cli;

/// <summary>What <c>vigil login</c> stores: <c>{"gateway_url", "token", "email"}</c> (email absent for a token login).</summary>
/// <param name="GatewayUrl">The gateway the token belongs to, normalized by <see cref="GatewayClient.NormalizeUrl"/>.</param>
/// <param name="Token">The API token (<c>vgl_…</c>).</param>
/// <param name="Email">The user's e-mail, when known.</param>
public sealed record StoredCredentials(
    [property: JsonPropertyName("gateway_url")] string GatewayUrl,
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("email")] string? Email);

/// <summary>
/// The per-user credentials file, <c>$XDG_CONFIG_HOME/vigil/credentials.json</c> (XDG Base Directory Specification;
/// <c>~/.config</c> when <c>XDG_CONFIG_HOME</c> is unset or not absolute). The <c>vigil</c> directory is mode 0700
/// and the file 0600, both set when they are created (the file is written to a new 0600 file and renamed over the
/// old one), so the token is never readable by others, not even briefly.
/// </summary>
public static class CredentialStore
{
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FileMode600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The credentials file path for the current environment.</summary>
    public static string FilePath
    {
        get
        {
            var config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } x && Path.IsPathRooted(x)
                ? x
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
            return Path.Combine(config, "vigil", "credentials.json");
        }
    }

    /// <summary>The stored credentials, or null when there are none.</summary>
    /// <exception cref="CliException">The file exists but cannot be read or is not valid.</exception>
    public static StoredCredentials? Load()
    {
        var path = FilePath;
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read {path}: {e.Message}");
        }
        try
        {
            var credentials = JsonSerializer.Deserialize<StoredCredentials>(text, Options);
            if (credentials is not { GatewayUrl.Length: > 0, Token.Length: > 0 })
            {
                throw new CliException($"{path} has no gateway_url or token: run `vigil login` again");
            }
            return credentials;
        }
        catch (JsonException)
        {
            throw new CliException($"{path} is not valid JSON: run `vigil login` again");
        }
    }

    /// <summary>Writes <paramref name="credentials"/> (replacing any stored ones) and returns the file path.</summary>
    /// <exception cref="CliException">The file cannot be written.</exception>
    public static string Save(StoredCredentials credentials)
    {
        var path = FilePath;
        var directory = Path.GetDirectoryName(path)!;
        var temporary = Path.Combine(directory, $".credentials.{Guid.NewGuid():N}.tmp");
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, DirectoryMode);
                // An existing directory keeps its mode on CreateDirectory: tighten it, it is ours.
                File.SetUnixFileMode(directory, DirectoryMode);
            }
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = FileMode600;
            }
            using (var stream = new FileStream(temporary, options))
            {
                JsonSerializer.Serialize(stream, credentials, Options);
                stream.Flush(flushToDisk: true);
            }
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, FileMode600);
            }
            File.Move(temporary, path, overwrite: true);
            return path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw new CliException($"cannot write {path}: {e.Message}");
        }
    }

    /// <summary>Deletes the stored credentials; false when there were none.</summary>
    /// <exception cref="CliException">The file exists but cannot be deleted.</exception>
    public static bool Delete()
    {
        var path = FilePath;
        if (!File.Exists(path))
        {
            return false;
        }
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot delete {path}: {e.Message}");
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
