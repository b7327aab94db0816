using System.Diagnostics;

namespace Vigil.Tests.Fixtures;

/// <summary>Runs real client programs (psql, pgbench, the vigil binary) and captures their output.</summary>
public static class Processes
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static async Task<Result> RunAsync(
        string file, IEnumerable<string> arguments, IDictionary<string, string>? environment = null, string? stdin = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} did not finish");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The built vigil.dll next to the test assembly (the project reference copies it).</summary>
    public static string VigilDll => Path.Combine(AppContext.BaseDirectory, "vigil.dll");
}
