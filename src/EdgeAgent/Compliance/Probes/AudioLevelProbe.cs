using EdgeAgent.Configuration;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Hardware.Audio;

namespace EdgeAgent.Compliance.Probes;

/// <summary>Input level of the room's microphone over a short capture (ffmpeg astats), flagging silence and clipping.</summary>
public sealed class AudioLevelProbe(StreamOptions stream, int seconds, AlsaCaptureProbe? capture = null) : IComplianceProbe
{
    /// <summary>The test source's tone (ffmpeg's sine default amplitude is 1/8).</summary>
    public const double TestToneAmplitude = 0.125;

    private readonly AlsaCaptureProbe _capture = capture ?? new AlsaCaptureProbe();

    public string Name => "audio";
    public IReadOnlyList<string> Metrics => ["audio.level"];

    public async Task<IReadOnlyList<Measurement>> MeasureAsync(CancellationToken ct)
    {
        AudioCaptureSource source = stream.AudioSource switch
        {
            AudioSource.Alsa => new AudioCaptureSource.Alsa(stream.AudioInput!),
            AudioSource.Test => new AudioCaptureSource.TestTone(TestToneAmplitude),
            _ => null!,
        };
        if (source is null) return [Measurement.Unknown("audio.level", "the level of an RTSP camera's audio is not measured in this version")];
        if (source is AudioCaptureSource.Alsa alsa && !_capture.IsPresent(alsa.Device))
            return [Measurement.Unknown("audio.level", $"ALSA device {alsa.Device} is not present")];
        var level = await _capture.MeasureAsync(source, TimeSpan.FromSeconds(seconds), ct).ConfigureAwait(false);
        return [Measure(level, source is AudioCaptureSource.Alsa a ? a.Device : "the test tone", seconds)];
    }

    /// <summary>Silence and clipping fail whatever the RMS says: they are reported as levels outside every range.</summary>
    public static Measurement Measure(AudioLevel level, string what, int seconds)
    {
        var evidence = $"{what}, {seconds} s: RMS {level.RmsDbfs:0.0} dBFS, peak {level.PeakDbfs:0.0} dBFS";
        if (level.Silent) return Measurement.Of("audio.level", Math.Max(level.RmsDbfs, -120), evidence + " (silent)");
        if (level.Clipping) return Measurement.Of("audio.level", 0, evidence + " (clipping)");
        return Measurement.Of("audio.level", Math.Round(level.RmsDbfs, 1), evidence);
    }
}
