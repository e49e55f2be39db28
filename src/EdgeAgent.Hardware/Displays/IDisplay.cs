using EdgeAgent.Hardware.Health;

namespace EdgeAgent.Hardware.Displays;

public enum DisplayPower { Off, On, Cooling, Warming }

public enum ErrorLevel { Ok, Warning, Error }

/// <summary>One part of a display that reports its own condition (a fan, a lamp, a panel, ...).</summary>
public sealed record DisplayPart(string Part, ErrorLevel Level);

/// <summary>
/// What a display says about its parts, each ok, warning or error: whichever parts its protocol reports (PJLink's
/// ERST has six; another protocol names its own). Empty when the display reports none.
/// </summary>
public sealed record DisplayErrorStatus(IReadOnlyList<DisplayPart> Parts)
{
    public ErrorLevel Worst => Parts.Count == 0 ? ErrorLevel.Ok : Parts.Max(p => p.Level);

    /// <summary>The level of a part by name; Ok when the display does not report it.</summary>
    public ErrorLevel Of(string part) => Parts.FirstOrDefault(p => p.Part == part)?.Level ?? ErrorLevel.Ok;

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
