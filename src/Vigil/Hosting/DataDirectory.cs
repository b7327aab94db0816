namespace Vigil.Hosting;

/// <summary>
/// The data directory (<see cref="GatewayOptions.DataDirectory"/>) holds the store and its WAL, the master key, the
/// admin token and TLS keys: it is mode 0700 and every file in it 0600, so no other local user can read recordings or
/// secrets. An existing directory is tightened at start; the files set their own mode when they are created
/// (<see cref="Security.SecretFile"/>, <see cref="Storage.SqliteStore"/>).
/// </summary>
public static class DataDirectory
{
    /// <summary>rwx for the owner only.</summary>
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>rw for the owner only.</summary>
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates <paramref name="path"/> with mode 0700, or sets that mode on an existing one.</summary>
    public static void Prepare(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }
        Directory.CreateDirectory(path, DirectoryMode);
        File.SetUnixFileMode(path, DirectoryMode);
    }
}
