using System.Diagnostics;
using System.Globalization;
using EdgeAgent.Simulators.Common;

namespace EdgeAgent.Simulators.Rtsp;

/// <summary>
/// A network camera on a free 127.0.0.1 port: GStreamer's RTSP server (<c>rtsp-camera.py</c>, run by Debian's python3
/// with python3-gi and gir1.2-gst-rtsp-server-1.0; ffmpeg cannot serve RTSP) serving a live H.264
/// picture (SMPTE bars) at <see cref="Url"/>. <see cref="Kill"/> is the camera losing its power or its cable;
/// <see cref="StartAsync()"/> again brings it back on the same address.
/// </summary>
public sealed class RtspCameraSimulator : IDisposable
{
    private readonly int _port = Loopback.FreeTcpPort();
    private readonly string _path;
    private Process? _process;

    private RtspCameraSimulator(string path)
    {
        _path = path;
        Url = $"rtsp://127.0.0.1:{_port}/{path}";
    }

    public string Url { get; }

    public static async Task<RtspCameraSimulator> StartAsync(string path = "cam1")
    {
        var camera = new RtspCameraSimulator(path);
        await camera.StartAsync();
        return camera;
    }

    public async Task StartAsync()
    {
        Kill();
        // Debian's python3 (where python3-gi is): a python3 of its own earlier on PATH does not have GStreamer.
        var info = new ProcessStartInfo("/usr/bin/python3") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Rtsp", "rtsp-camera.py"));
        info.ArgumentList.Add(_port.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add(_path);
        var process = _process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        var ready = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (ready != "ready")
        {
            Kill();
            throw new InvalidOperationException($"the RTSP camera did not start: {await error.WaitAsync(TimeSpan.FromSeconds(5))}");
        }
    }

    public void Kill()
    {
        if (_process is null) return;
        try
        {
            if (!_process.HasExited) _process.Kill();
            _process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
        _process = null;
    }

    public void Dispose() => Kill();
}
