using System.Diagnostics;

namespace Vigil.Tests.Fixtures;

/// <summary>Runs real client programs (psql, pgbench, the vigil binary) and captures their output.</summary>
public static class Processes
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static async Task<Result> RunAsync(
        string file, IEnumerable<string> arguments, IDictionary<string, string>? environment = null, string? stdin = null, TimeSpan? timeout = null)
    {
        var start = StartInfo(file, arguments, environment);
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

    /// <summary>
    /// Starts <paramref name="file"/> in the background with stdin closed; its output is collected as it comes so a
    /// test can wait for a line (<see cref="Running.WaitForStderrAsync"/>), signal it and then await its result.
    /// </summary>
    public static Running Start(string file, IEnumerable<string> arguments, IDictionary<string, string>? environment = null)
    {
        var start = StartInfo(file, arguments, environment);
        return new Running(Process.Start(start)!, $"{file} {string.Join(' ', start.ArgumentList)}");
    }

    private static ProcessStartInfo StartInfo(string file, IEnumerable<string> arguments, IDictionary<string, string>? environment)
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
        return start;
    }

    /// <summary>A process started by <see cref="Start"/>; disposing kills it if it still runs.</summary>
    public sealed class Running : IDisposable
    {
        private readonly Process _process;
        private readonly string _commandLine;
        private readonly Task<string> _stdout;
        private readonly System.Text.StringBuilder _stderr = new();
        private readonly Task _stderrDone;
        private readonly SemaphoreSlim _stderrChanged = new(0);

        internal Running(Process process, string commandLine)
        {
            _process = process;
            _commandLine = commandLine;
            _process.StandardInput.Close();
            _stdout = process.StandardOutput.ReadToEndAsync();
            _stderrDone = Task.Run(async () =>
            {
                var buffer = new char[4096];
                int read;
                while ((read = await process.StandardError.ReadAsync(buffer)) > 0)
                {
                    lock (_stderr)
                    {
                        _stderr.Append(buffer, 0, read);
                    }
                    _stderrChanged.Release();
                }
                _stderrChanged.Release();
            });
        }

        /// <summary>The process id (for <c>kill -INT</c>).</summary>
        public int Id => _process.Id;

        /// <summary>What the process wrote to stderr so far.</summary>
        public string Stderr
        {
            get
            {
                lock (_stderr)
                {
                    return _stderr.ToString();
                }
            }
        }

        /// <summary>Waits until stderr matches <paramref name="pattern"/> (a regex) and returns the match.</summary>
        /// <exception cref="TimeoutException">No match within <paramref name="timeout"/> (default 60 s) or the process ended first.</exception>
        public async Task<System.Text.RegularExpressions.Match> WaitForStderrAsync(string pattern, TimeSpan? timeout = null)
        {
            using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
            var regex = new System.Text.RegularExpressions.Regex(pattern);
            while (true)
            {
                if (regex.Match(Stderr) is { Success: true } match)
                {
                    return match;
                }
                if (_stderrDone.IsCompleted)
                {
                    throw new TimeoutException($"{_commandLine} ended without writing /{pattern}/ to stderr:\n{Stderr}");
                }
                try
                {
                    await _stderrChanged.WaitAsync(cts.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"{_commandLine} did not write /{pattern}/ to stderr:\n{Stderr}");
                }
            }
        }

        /// <summary>Sends SIGINT (what Ctrl-C sends) with <c>/bin/kill -INT PID</c>.</summary>
        public async Task InterruptAsync()
        {
            var result = await RunAsync("/bin/kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"kill -INT {_process.Id} failed: {result.Stderr}");
            }
        }

        /// <summary>Waits for the process to end (killing it after <paramref name="timeout"/>, default 120 s) and returns its result.</summary>
        public async Task<Result> WaitAsync(TimeSpan? timeout = null)
        {
            using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(120));
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{_commandLine} did not finish; stderr so far:\n{Stderr}");
            }
            var stdout = await _stdout;
            await _stderrDone;
            return new Result(_process.ExitCode, stdout, Stderr);
        }

        /// <inheritdoc />
        public void Dispose()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill(entireProcessTree: true);
                }
            }
            catch (InvalidOperationException)
            {
            }
            _process.Dispose();
            _stderrChanged.Dispose();
        }
    }

    /// <summary>The built vigil.dll next to the test assembly (the project reference copies it).</summary>
    public static string VigilDll => Path.Combine(AppContext.BaseDirectory, "vigil.dll");
}
