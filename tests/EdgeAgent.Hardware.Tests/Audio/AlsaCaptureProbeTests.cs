using EdgeAgent.Hardware.Audio;
using EdgeAgent.Hardware.Health;

namespace EdgeAgent.Hardware.Tests.Audio;

/// <summary>Presence from a /proc/asound tree the test builds; levels measured by real ffmpeg on test tones.</summary>
public sealed class AlsaCaptureProbeTests : IDisposable
{
    private readonly string _proc = Path.Combine(Path.GetTempPath(), "edgeagent-asound-" + Guid.NewGuid().ToString("N")[..8]);

    public AlsaCaptureProbeTests()
    {
        Directory.CreateDirectory(Path.Combine(_proc, "card0", "pcm0p"));          // HDMI playback only
        Directory.CreateDirectory(Path.Combine(_proc, "card1", "pcm0c"));          // USB array capture
        Directory.CreateSymbolicLink(Path.Combine(_proc, "Array"), Path.Combine(_proc, "card1"));
    }

    public void Dispose() => Directory.Delete(_proc, recursive: true);

    [Theory]
    [InlineData("hw:1,0", true)]
    [InlineData("hw:1", true)]
    [InlineData("plughw:1,0", true)]
    [InlineData("hw:CARD=Array,DEV=0", true)]
    [InlineData("hw:0,0", false)]
    [InlineData("hw:2,0", false)]
    [InlineData("hw:1,1", false)]
    [InlineData("default", true)]
    public void Presence_comes_from_proc_asound(string device, bool present) =>
        Assert.Equal(present, new AlsaCaptureProbe(_proc).IsPresent(device));

    [Theory]
    [InlineData("hw:1,0; reboot")]
    [InlineData("-f")]
    [InlineData("$(id)")]
    public void Names_that_are_not_alsa_names_are_rejected(string device)
    {
        Assert.False(AlsaCaptureProbe.IsAlsaName(device));
        Assert.Throws<DeviceException>(() => new AlsaCaptureProbe(_proc).IsPresent(device));
    }

    [Fact]
    public async Task A_device_that_is_not_there_polls_offline()
    {
        await using var device = new AudioCaptureDevice("usbmic", "hw:3,0", new AlsaCaptureProbe(_proc));
        var e = await Assert.ThrowsAsync<DeviceException>(() => device.PollAsync(CancellationToken.None));
        Assert.Equal(DeviceState.Offline, e.ImpliedState);
    }

    [Theory]
    [InlineData(0.1, -23.0, -20.0)]
    [InlineData(0.01, -43.0, -40.0)]
    public async Task Level_of_a_known_tone_is_measured(double amplitude, double rms, double peak)
    {
        var level = await new AlsaCaptureProbe(_proc).MeasureAsync(new AudioCaptureSource.TestTone(amplitude), TimeSpan.FromSeconds(1), CancellationToken.None);
        Assert.InRange(level.RmsDbfs, rms - 0.5, rms + 0.5);
        Assert.InRange(level.PeakDbfs, peak - 0.5, peak + 0.5);
        Assert.False(level.Silent);
        Assert.False(level.Clipping);
    }

    [Fact]
    public async Task Silence_and_clipping_are_flagged()
    {
        var probe = new AlsaCaptureProbe(_proc);
        var silent = await probe.MeasureAsync(new AudioCaptureSource.TestTone(0), TimeSpan.FromSeconds(1), CancellationToken.None);
        Assert.True(silent.Silent);
        var clipped = await probe.MeasureAsync(new AudioCaptureSource.TestTone(2.0), TimeSpan.FromSeconds(1), CancellationToken.None);
        Assert.True(clipped.Clipping);
    }

    [Fact]
    public async Task A_capture_device_that_cannot_open_is_a_device_error()
    {
        var e = await Assert.ThrowsAsync<DeviceException>(() =>
            new AlsaCaptureProbe(_proc).MeasureAsync(new AudioCaptureSource.Alsa("hw:9,0"), TimeSpan.FromSeconds(1), CancellationToken.None));
        Assert.Equal(DeviceErrorKind.Unreachable, e.Kind);
    }
}
