using System.Diagnostics;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>
/// A one-way SRT relay between two rooms, as a county relay would be: libsrt's own <c>srt-live-transmit</c> with a
/// listener for the publisher (<see cref="PublishPort"/>) and one for the player (<see cref="PlayPort"/>), on
/// 127.0.0.1 free ports. It can be killed and started again on the same ports.
/// </summary>
public sealed class SrtRelay : IDisposable
{
    private Process? _process;

    public SrtRelay()
    {
        PublishPort = Machine.FreeUdpPort();
        PlayPort = Machine.FreeUdpPort();
        Start();
    }

    public int PublishPort { get; }
    public int PlayPort { get; }
    public bool Running => _process is { HasExited: false };

    public void Start()
    {
        if (Running) return;
        var info = new ProcessStartInfo("srt-live-transmit") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-q", $"srt://127.0.0.1:{PublishPort}?mode=listener", $"srt://127.0.0.1:{PlayPort}?mode=listener" }) info.ArgumentList.Add(a);
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public void Kill() => Machine.Kill(ref _process);

    public void Dispose() => Kill();
}
