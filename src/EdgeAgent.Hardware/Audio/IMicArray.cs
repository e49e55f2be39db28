using EdgeAgent.Hardware.Health;

namespace EdgeAgent.Hardware.Audio;

/// <summary>The latest input levels of every channel, in dBFS (-60 = silence floor, 0 = full scale).</summary>
public sealed record MicLevels(DateTimeOffset At, IReadOnlyList<double> Dbfs);

/// <summary>A microphone array with a control port.</summary>
public interface IMicArray : IDevice
{
    Task<bool> GetMuteAsync(CancellationToken cancellationToken);
    Task SetMuteAsync(bool mute, CancellationToken cancellationToken);
    /// <param name="channel">1..64</param>
    Task<double> GetGainAsync(int channel, CancellationToken cancellationToken);
    /// <param name="gainDb">-110.0..+30.0 dB</param>
    Task SetGainAsync(int channel, double gainDb, CancellationToken cancellationToken);
    /// <summary>Asks for level samples every <paramref name="milliseconds"/> (0 turns metering off).</summary>
    Task SetMeterRateAsync(int milliseconds, CancellationToken cancellationToken);
    /// <summary>The acoustic echo canceller: on, off, or null when the array has none (it answers the request with an error).</summary>
    Task<bool?> GetEchoCancellationAsync(CancellationToken cancellationToken);
    /// <summary>Switches the echo canceller of every channel; false when the array has none.</summary>
    Task<bool> SetEchoCancellationAsync(bool on, CancellationToken cancellationToken);
    /// <summary>The echo canceller as the array last reported it (null: not reported, or none).</summary>
    bool? EchoCancellation { get; }
    /// <summary>The newest levels received, or null when metering has not produced any.</summary>
    MicLevels? Levels { get; }
}
