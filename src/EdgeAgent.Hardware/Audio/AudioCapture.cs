using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using EdgeAgent.Hardware.Health;

namespace EdgeAgent.Hardware.Audio;

/// <summary>
/// Where audio for a level measurement comes from. Typed, never a string from a user: an ALSA device name
/// checked against a strict pattern, or a sine test tone with a known amplitude (for tests and the demo).
/// </summary>
public abstract record AudioCaptureSource
{
    public sealed record Alsa(string Device) : AudioCaptureSource;
    /// <param name="Amplitude">0..1 of full scale; 0 is silence.</param>
    public sealed record TestTone(double Amplitude, int FrequencyHz = 1000) : AudioCaptureSource;

    internal IEnumerable<string> FfmpegInput(TimeSpan duration)
    {
        switch (this)
        {
            case Alsa a:
                if (!AlsaCaptureProbe.IsAlsaName(a.Device)) throw new DeviceException(DeviceErrorKind.BadArgument, $"'{a.Device}' is not an ALSA device name");
                return ["-f", "alsa", "-i", a.Device, "-t", Seconds(duration)];
            case TestTone t:
                if (t.Amplitude is < 0 or > 4 || double.IsNaN(t.Amplitude) || t.FrequencyHz is < 20 or > 20000)
                    throw new DeviceException(DeviceErrorKind.BadArgument, "test tone amplitude or frequency out of range");
                var expr = string.Create(CultureInfo.InvariantCulture, $"aevalsrc=exprs={t.Amplitude:0.######}*sin(2*PI*{t.FrequencyHz}*t):s=48000:d={duration.TotalSeconds:0.###}");
                return ["-f", "lavfi", "-i", expr];
            default:
                throw new DeviceException(DeviceErrorKind.BadArgument, "unknown audio source");
        }
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
}

/// <summary>Overall RMS and peak level of a capture, in dBFS (negative infinity for digital silence).</summary>
public sealed record AudioLevel(double RmsDbfs, double PeakDbfs)
{
    public bool Silent => RmsDbfs < -60;
    /// <summary>Peak at or above -0.1 dBFS: the input is driven into clipping.</summary>
    public bool Clipping => PeakDbfs >= -0.1;
}

/// <summary>
/// Plain ALSA capture devices (a USB array with no control port): whether one is present, from /proc/asound,
/// and its input level over a short capture, measured by ffmpeg's <c>astats</c> filter.
/// </summary>
public sealed partial class AlsaCaptureProbe(string procAsound = "/proc/asound", string ffmpeg = "ffmpeg")
{
    [GeneratedRegex("^(?:plug)?hw:(?:(?<card>[0-9]{1,2})|CARD=(?<name>[A-Za-z0-9_]+))(?:,(?:DEV=)?(?<dev>[0-9]{1,2}))?$")]
    private static partial Regex AlsaName();

    public static bool IsAlsaName(string name) => name == "default" || AlsaName().IsMatch(name);

    /// <summary>True when the card exists and has a capture PCM with that device number.</summary>
    public bool IsPresent(string device)
    {
        if (device == "default") return Directory.Exists(procAsound) && Directory.EnumerateDirectories(procAsound, "card*").Any(HasCapture);
        var m = AlsaName().Match(device);
        if (!m.Success) throw new DeviceException(DeviceErrorKind.BadArgument, $"'{device}' is not an ALSA device name");
        var card = m.Groups["card"].Success ? Path.Combine(procAsound, "card" + m.Groups["card"].Value) : Path.Combine(procAsound, m.Groups["name"].Value);
        var dev = m.Groups["dev"].Success ? m.Groups["dev"].Value : "0";
        return Directory.Exists(Path.Combine(card, $"pcm{dev}c"));
    }

    private static bool HasCapture(string cardDirectory) => Directory.EnumerateDirectories(cardDirectory, "pcm*c").Any();

    /// <summary>Captures for <paramref name="duration"/> and returns the overall level. Throws <see cref="DeviceException"/> when it cannot.</summary>
    public async Task<AudioLevel> MeasureAsync(AudioCaptureSource source, TimeSpan duration, CancellationToken ct)
    {
        var info = new ProcessStartInfo(ffmpeg)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-hide_banner", "-nostats", "-nostdin" }) info.ArgumentList.Add(a);
        foreach (var a in source.FfmpegInput(duration)) info.ArgumentList.Add(a);
        foreach (var a in new[] { "-af", "astats=measure_perchannel=none", "-f", "null", "-" }) info.ArgumentList.Add(a);

        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new DeviceException(DeviceErrorKind.Unreachable, $"cannot run {ffmpeg}: {e.Message}", e);
        }
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(duration + TimeSpan.FromSeconds(15));
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            if (ct.IsCancellationRequested) throw;
            throw new DeviceException(DeviceErrorKind.Timeout, "audio capture did not finish in time");
        }
        var output = await stderr.ConfigureAwait(false);
        if (process.ExitCode != 0)
            throw new DeviceException(DeviceErrorKind.Unreachable, $"audio capture failed (ffmpeg exit {process.ExitCode}): {LastLine(output)}");
        return ParseAstats(output);
    }

    /// <summary>Reads "RMS level dB" and "Peak level dB" of astats' Overall section.</summary>
    public static AudioLevel ParseAstats(string ffmpegStderr)
    {
        var overall = ffmpegStderr.LastIndexOf("Overall", StringComparison.Ordinal);
        var text = overall >= 0 ? ffmpegStderr[overall..] : ffmpegStderr;
        return new AudioLevel(Read(text, "RMS level dB"), Read(text, "Peak level dB"));
    }

    private static double Read(string text, string label)
    {
        var m = Regex.Match(text, Regex.Escape(label) + @":\s*(-?inf|-?[0-9]+(?:\.[0-9]+)?)");
        if (!m.Success) throw new DeviceProtocolException($"ffmpeg astats output has no '{label}'");
        return m.Groups[1].Value.EndsWith("inf", StringComparison.Ordinal)
            ? double.NegativeInfinity
            : double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static string LastLine(string s) => s.TrimEnd().Split('\n').LastOrDefault()?.Trim() ?? "";
}

/// <summary>An ALSA capture device as a polled device: present or not.</summary>
public sealed class AudioCaptureDevice(string id, string alsaDevice, AlsaCaptureProbe probe) : IDevice
{
    public string Id { get; } = id;
    public string Kind => "audio-capture";
    public string AlsaDevice { get; } = alsaDevice;
    public AlsaCaptureProbe Probe => probe;

    public Task<DevicePollResult> PollAsync(CancellationToken cancellationToken) =>
        Task.FromResult(probe.IsPresent(AlsaDevice)
            ? new DevicePollResult(DeviceState.Online, $"{AlsaDevice} present")
            : throw new DeviceException(DeviceErrorKind.Unreachable, $"ALSA capture device {AlsaDevice} not found"));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
