using System.Diagnostics;
using EdgeAgent.Kernel;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Media.Send;

/// <summary>
/// One life of one ffmpeg process: started through <see cref="ChildProcesses"/>, its <c>-progress</c> lines parsed
/// as they come, the last lines of its stderr kept for the reason it died. Stopping sends SIGINT (ffmpeg finishes
/// the open segment and writes trailers) and kills after a grace period.
/// </summary>
public sealed partial class FfmpegRun : IAsyncDisposable
{
    private const int StderrLines = 20;
    private readonly Process _process;
    private readonly TimeProvider _time;
    private readonly Queue<string> _stderr = new();
    private readonly FfmpegProgressParser _parser = new();
    private readonly Task _readers;
    private long _lastProgressTicks;

    private FfmpegRun(string name, Process process, TimeProvider time)
    {
        Name = name;
        _process = process;
        _time = time;
        StartedAt = time.GetUtcNow();
        Interlocked.Exchange(ref _lastProgressTicks, StartedAt.UtcTicks);
        _readers = Task.WhenAll(ReadProgressAsync(), ReadStderrAsync());
        Exited = WaitExitAsync();
    }

    public string Name { get; }
    public int Pid => _process.Id;
    public DateTimeOffset StartedAt { get; }
    /// <summary>Completes with the exit code once the process has exited and its output is read.</summary>
    public Task<int> Exited { get; }
    /// <summary>The newest progress block, or null before the first.</summary>
    public FfmpegProgress? Latest { get; private set; }
    /// <summary>When a progress block last showed output moving (frames or bytes grew), or the start time.</summary>
    public DateTimeOffset LastAdvanceAt => new(Interlocked.Read(ref _lastProgressTicks), TimeSpan.Zero);
    public event Action<FfmpegProgress>? Progress;

    public string StderrTail
    {
        get { lock (_stderr) return string.Join('\n', _stderr); }
    }

    public static async Task<FfmpegRun> StartAsync(string name, IReadOnlyList<string> args, TimeProvider time)
    {
        var process = await ChildProcesses.StartAsync(ChildProcesses.Info("ffmpeg", args)).ConfigureAwait(false);
        process.StandardInput.Close();
        return new FfmpegRun(name, process, time);
    }

    private async Task ReadProgressAsync()
    {
        var reader = _process.StandardOutput;
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (_parser.Feed(line) is not { } block) continue;
            var before = Latest;
            Latest = block;
            if (before is null || block.TotalSize > before.TotalSize || block.Frame > before.Frame)
                Interlocked.Exchange(ref _lastProgressTicks, _time.GetUtcNow().UtcTicks);
            Progress?.Invoke(block);
        }
    }

    private async Task ReadStderrAsync()
    {
        var reader = _process.StandardError;
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            // ffmpeg quotes URLs in its errors, with their credentials: a line is kept only redacted.
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

    /// <summary>SIGINT, then SIGKILL if it has not exited within <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace, ILogger? log = null)
    {
        if (Exited.IsCompleted) return;
        ChildProcesses.Signal(Pid, ChildProcesses.SigInt);
        try
        {
            await Exited.WaitAsync(grace, _time).ConfigureAwait(false);
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
    }

    [LoggerMessage(EventId = 6301, Level = LogLevel.Warning, Message = "{Name} ffmpeg (pid {Pid}) did not stop within {Grace}; killing it")]
    private static partial void LogKilled(ILogger log, string name, int pid, TimeSpan grace);
}
