namespace Vigil.Ssh.Tests.Support;

/// <summary>A temporary directory removed on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("vigil-ssh-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
