using EdgeAgent.Hardware.Health;

namespace EdgeAgent.Hardware.Displays;

public enum DisplayPower { Off, On, Cooling, Warming }

public enum ErrorLevel { Ok, Warning, Error }

/// <summary>PJLink ERST: six components, each ok, warning or error.</summary>
public sealed record DisplayErrorStatus(ErrorLevel Fan, ErrorLevel Lamp, ErrorLevel Temperature, ErrorLevel Cover, ErrorLevel Filter, ErrorLevel Other)
{
    public IEnumerable<(string Part, ErrorLevel Level)> Parts =>
    [
        ("fan", Fan), ("lamp", Lamp), ("temperature", Temperature), ("cover", Cover), ("filter", Filter), ("other", Other),
    ];

    public ErrorLevel Worst => Parts.Max(p => p.Level);

    public string Summary => Worst == ErrorLevel.Ok
        ? "no errors"
        : string.Join(", ", Parts.Where(p => p.Level != ErrorLevel.Ok).Select(p => $"{p.Part} {p.Level.ToString().ToLowerInvariant()}"));
}

public sealed record LampStatus(int Hours, bool On);

public sealed record DisplayInfo(string Name, string Manufacturer, string Product, string Other, int Class, string? Serial, string? SoftwareVersion);

/// <summary>A display or projector.</summary>
public interface IDisplay : IDevice
{
    Task SetPowerAsync(bool on, CancellationToken cancellationToken);
    Task<DisplayPower> GetPowerAsync(CancellationToken cancellationToken);
    /// <summary>Selects an input such as "31" (HDMI 1); retried while the display warms up.</summary>
    Task SetInputAsync(string input, CancellationToken cancellationToken);
    Task<string> GetInputAsync(CancellationToken cancellationToken);
    Task<IReadOnlyList<string>> ListInputsAsync(CancellationToken cancellationToken);
    Task SetAvMuteAsync(bool mute, CancellationToken cancellationToken);
    Task<bool> GetAvMuteAsync(CancellationToken cancellationToken);
    Task<DisplayErrorStatus> GetErrorStatusAsync(CancellationToken cancellationToken);
    Task<IReadOnlyList<LampStatus>> GetLampsAsync(CancellationToken cancellationToken);
    Task<DisplayInfo> GetInfoAsync(CancellationToken cancellationToken);
}
