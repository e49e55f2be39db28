using System.Device.Gpio;
using EdgeAgent.Configuration;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Hardware.Audio;
using EdgeAgent.Hardware.Cameras;
using EdgeAgent.Hardware.Displays;
using EdgeAgent.Hardware.Gpio;
using EdgeAgent.Hardware.Health;
using EdgeAgent.Hardware.Transport;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Devices;

/// <summary>A configured device with its driver and the settings the agent needs around it.</summary>
public sealed record ClassroomDevice(DeviceOptions Options, IDevice Driver)
{
    public string Id => Options.Id;
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A preset given by name (from config) or number.</summary>
    public int? ResolvePreset(string nameOrNumber)
    {
        if (Options.Presets is { } presets && presets.TryGetValue(nameOrNumber, out var n)) return n;
        return int.TryParse(nameOrNumber, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var k) && k <= 127 ? k : null;
    }
}

/// <summary>
/// The room's devices, built from configuration: one driver per device, over its real protocol. Owns and
/// disposes the drivers. GPIO lines (on-air light, lesson button, display relay) are opened here too, on the
/// Linux GPIO character device; a box without GPIO runs without them and says so.
/// </summary>
public sealed partial class DeviceRegistry : IAsyncDisposable
{
    private readonly Dictionary<string, ClassroomDevice> _devices = new(StringComparer.Ordinal);
    private readonly GpioController? _gpio;
    private readonly Dictionary<string, GpioOutput> _powerRelays = new(StringComparer.Ordinal);

    public DeviceRegistry(AgentOptions options, ILoggerFactory loggers, TimeProvider time, GpioDriver? gpioDriver = null)
    {
        var log = loggers.CreateLogger<DeviceRegistry>();
        foreach (var d in options.Devices)
        {
            var timeout = TimeSpan.FromMilliseconds(d.TimeoutMs);
            IDevice driver = d.Kind switch
            {
                DeviceKind.Camera => new ViscaIpCamera(d.Id, new UdpDatagramTransport(d.Host!, d.Port!.Value),
                    new ViscaIpCameraSettings { ReplyTimeout = timeout }, time, loggers.CreateLogger<ViscaIpCamera>()),
                DeviceKind.Display => new PjLinkDisplay(d.Id, new TcpStreamConnector(d.Host!, d.Port!.Value, timeout), d.Password,
                    new PjLinkDisplaySettings { ReplyTimeout = timeout * 2 }, time, loggers.CreateLogger<PjLinkDisplay>()),
                DeviceKind.MicArray => new CommandStringMicArray(d.Id, new TcpStreamConnector(d.Host!, d.Port!.Value, timeout),
                    new MicArraySettings { ReplyTimeout = timeout * 2 }, time, loggers.CreateLogger<CommandStringMicArray>()),
                DeviceKind.AudioCapture => new AudioCaptureDevice(d.Id, d.AlsaDevice!, new AlsaCaptureProbe()),
                _ => throw new InvalidOperationException($"device kind '{d.Kind}' passed validation but has no driver"),
            };
            _devices[d.Id] = new ClassroomDevice(d, driver) { PollInterval = TimeSpan.FromSeconds(d.PollSeconds ?? options.DevicePollSeconds) };
        }

        if (options.Gpio is { } g)
        {
            try
            {
                _gpio = new GpioController(gpioDriver ?? new System.Device.Gpio.Drivers.LibGpiodDriver(g.Chip));
                if (g.OnAirLight is { } light) OnAirLight = new OnAirLight(_gpio, light.Pin, light.ActiveLow, time);
                if (g.DisplayRelay is { } relay) DisplayRelay = new DisplayRelay(_gpio, relay.Pin, relay.ActiveLow);
                foreach (var (device, line) in g.PowerRelays ?? []) _powerRelays[device] = new PowerRelay(_gpio, line.Pin, line.ActiveLow);
                if (g.LessonButton is { } button) LessonButton = new LessonButton(_gpio, button.Pin, button.ActiveLow, TimeSpan.FromMilliseconds(g.DebounceMs), time);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                GpioProblem = $"GPIO chip {g.Chip} unavailable: {e.Message}";
                LogGpioUnavailable(log, g.Chip, e.Message);
            }
        }
    }

    public IReadOnlyCollection<ClassroomDevice> All => _devices.Values;
    public OnAirLight? OnAirLight { get; }
    /// <summary>The display relay (<c>gpio.displayRelay</c>); it is every display's mains relay too, unless a display has its own.</summary>
    public DisplayRelay? DisplayRelay { get; }
    public LessonButton? LessonButton { get; }
    /// <summary>Why configured GPIO lines are not available, or null.</summary>
    public string? GpioProblem { get; }

    public ClassroomDevice? Find(string id) => _devices.GetValueOrDefault(id);

    /// <summary>The relay that cuts a device's mains: its own (<c>gpio.powerRelays</c>), or for a display the display relay; null when it has none.</summary>
    public GpioOutput? PowerRelayOf(string id) =>
        _powerRelays.GetValueOrDefault(id) ?? (Find(id)?.Options.Kind == DeviceKind.Display ? DisplayRelay : null);

    public IEnumerable<(ClassroomDevice Device, T Driver)> OfType<T>() =>
        _devices.Values.Where(d => d.Driver is T).Select(d => (d, (T)d.Driver));

    public async ValueTask DisposeAsync()
    {
        foreach (var d in _devices.Values) await d.Driver.DisposeAsync().ConfigureAwait(false);
        OnAirLight?.Dispose();
        LessonButton?.Dispose();
        _gpio?.Dispose();
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Error, Message = "GPIO chip {Chip} unavailable ({Reason}); on-air light, lesson button and relay are off")]
    private static partial void LogGpioUnavailable(ILogger logger, int chip, string reason);
}
