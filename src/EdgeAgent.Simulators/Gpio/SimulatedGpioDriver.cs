using System.Device.Gpio;

namespace EdgeAgent.Simulators.Gpio;

/// <summary>
/// A GPIO chip in memory for tests and the demo: outputs record every write, inputs are driven by
/// <see cref="SetInput"/>, which raises the edge callbacks the way the kernel's line events do.
/// </summary>
public sealed class SimulatedGpioDriver(int pinCount = 64) : GpioDriver
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, PinMode> _modes = [];
    private readonly Dictionary<int, PinValue> _values = [];
    private readonly List<(int Pin, PinEventTypes Types, PinChangeEventHandler Callback)> _callbacks = [];
    private readonly List<(int Pin, PinValue Value)> _writes = [];

    /// <summary>Every value written to an output, in order.</summary>
    public IReadOnlyList<(int Pin, PinValue Value)> Writes { get { lock (_gate) return _writes.ToList(); } }

    public PinValue Level(int pin) { lock (_gate) return _values.GetValueOrDefault(pin, PinValue.Low); }

    public bool IsOpen(int pin) { lock (_gate) return _modes.ContainsKey(pin); }

    /// <summary>Drives an input line, raising rising/falling callbacks when the level changes.</summary>
    public void SetInput(int pin, PinValue value)
    {
        List<PinChangeEventHandler> fire;
        PinEventTypes edge;
        lock (_gate)
        {
            var old = _values.GetValueOrDefault(pin, PinValue.Low);
            _values[pin] = value;
            if (old == value) return;
            edge = value == PinValue.High ? PinEventTypes.Rising : PinEventTypes.Falling;
            fire = _callbacks.Where(c => c.Pin == pin && (c.Types & edge) != 0).Select(c => c.Callback).ToList();
        }
        foreach (var callback in fire) callback(this, new PinValueChangedEventArgs(edge, pin));
    }

    protected override int PinCount => pinCount;

    protected override void OpenPin(int pinNumber)
    {
        if (pinNumber < 0 || pinNumber >= pinCount) throw new ArgumentOutOfRangeException(nameof(pinNumber));
        lock (_gate) _modes[pinNumber] = PinMode.Input;
    }

    protected override void ClosePin(int pinNumber)
    {
        lock (_gate)
        {
            _modes.Remove(pinNumber);
            _callbacks.RemoveAll(c => c.Pin == pinNumber);
        }
    }

    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        lock (_gate)
        {
            _modes[pinNumber] = mode;
            if (mode == PinMode.InputPullUp && !_values.ContainsKey(pinNumber)) _values[pinNumber] = PinValue.High;
        }
    }

    protected override PinMode GetPinMode(int pinNumber) { lock (_gate) return _modes[pinNumber]; }

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => mode is PinMode.Input or PinMode.Output or PinMode.InputPullUp or PinMode.InputPullDown;

    protected override PinValue Read(int pinNumber) => Level(pinNumber);

    /// <summary>Raised after every write to an output: what is wired to the line (a relay, <see cref="MainsRelay"/>) follows it.</summary>
    public event Action<int, PinValue>? Written;

    protected override void Write(int pinNumber, PinValue value)
    {
        lock (_gate)
        {
            _values[pinNumber] = value;
            _writes.Add((pinNumber, value));
        }
        Written?.Invoke(pinNumber, value);
    }

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the simulated driver raises callbacks; use AddCallbackForPinValueChangedEvent");

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        lock (_gate) _callbacks.Add((pinNumber, eventTypes, callback));
    }

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        lock (_gate) _callbacks.RemoveAll(c => c.Pin == pinNumber && c.Callback == callback);
    }
}
