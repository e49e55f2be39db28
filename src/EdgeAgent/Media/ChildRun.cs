using System.Diagnostics;
using EdgeAgent.Kernel;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Media;

/// <summary>
/// One life of one media child process (ffmpeg, srt-live-transmit): started through <see cref="ChildProcesses"/>, its
/// standard output read line by line by the subclass (ffmpeg's <c>-progress</c>, libsrt's statistics), the last lines
/// of its stderr kept, redacted, for the reason it died. <see cref="LastAdvanceAt"/> is when its output last showed
/// media moving: a supervisor kills a run that stops moving. Stopping sends SIGINT (ffmpeg finishes the open segment
/// and writes trailers) and kills after a grace period.
/// </summary>
public abstract partial class ChildRun : IAsyncDisposable
{
    private const int StderrLines = 20;
    private readonly Process _process;
    private readonly Queue<string> _stderr = new();
    private readonly Task _readers;
    private long _lastAdvanceTicks;

    protected ChildRun(string name, Process process, TimeProvider time)
    {
        Name = name;
        _process = process;
        Time = time;
        StartedAt = time.GetUtcNow();
        Interlocked.Exchange(ref _lastAdvanceTicks, StartedAt.UtcTicks);
        _readers = Task.WhenAll(ReadOutputAsync(), ReadStderrAsync());
        Exited = WaitExitAsync();
    }

    public string Name { get; }
    public int Pid => _process.Id;
    public DateTimeOffset StartedAt { get; }
    protected TimeProvider Time { get; }
    /// <summary>Completes with the exit code once the process has exited and its output is read.</summary>
    public Task<int> Exited { get; }
    /// <summary>When the output last showed media moving, or the start time.</summary>
    public DateTimeOffset LastAdvanceAt => new(Interlocked.Read(ref _lastAdvanceTicks), TimeSpan.Zero);

    public string StderrTail
    {
        get { lock (_stderr) return string.Join('\n', _stderr); }
    }

    /// <summary>The last line of stderr, as ": line" for a reason, or empty.</summary>
    public string LastError => StderrTail.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() is { } line ? $": {line}" : "";

    protected static async Task<Process> LaunchAsync(string program, IReadOnlyList<string> args)
    {
        var process = await ChildProcesses.StartAsync(ChildProcesses.Info(program, args)).ConfigureAwait(false);
        process.StandardInput.Close();
        return process;
    }

    /// <summary>One line of standard output.</summary>
    protected abstract void OnOutputLine(string line);

    /// <summary>Called by the subclass when its output shows media moving.</summary>
    protected void Advanced() => Interlocked.Exchange(ref _lastAdvanceTicks, Time.GetUtcNow().UtcTicks);

    private async Task ReadOutputAsync()
    {
        var reader = _process.StandardOutput;
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line) OnOutputLine(line);
    }

    private async Task ReadStderrAsync()
    {
        var reader = _process.StandardError;
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            // Media programs quote URLs in their errors, with their credentials: a line is kept only redacted.
            var clean = Redaction.Text(line.Length > 300 ? line[..300] : line);
            lock (_stderr)
            {
                _stderr.Enqueue(clean);
                while (_stderr.Count > StderrLines) _stderr.Dequeue();
            }
        }
    }

    private async Task<int> WaitExitAsync()
    {
        await _process.WaitForExitAsync().ConfigureAwait(false);
        await _readers.ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <summary>The exit code, or -1 when it cannot be had.</summary>
    public async Task<int> ExitCodeAsync()
    {
        try
        {
            return await Exited.ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            return -1;
        }
    }

    /// <summary>SIGINT, then SIGKILL if it has not exited within <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace, ILogger? log = null)
    {
        if (Exited.IsCompleted) return;
        ChildProcesses.Signal(Pid, ChildProcesses.SigInt);
        try
        {
            await Exited.WaitAsync(grace, Time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            if (log is not null) LogKilled(log, Name, Pid, grace);
            Kill();
            await Exited.ConfigureAwait(false);
        }
    }

    public void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill();
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            await Exited.ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
        GC.SuppressFinalize(this);
    }

    [LoggerMessage(EventId = 6301, Level = LogLevel.Warning, Message = "{Name} (pid {Pid}) did not stop within {Grace}; killing it")]
    private static partial void LogKilled(ILogger log, string name, int pid, TimeSpan grace);
}
