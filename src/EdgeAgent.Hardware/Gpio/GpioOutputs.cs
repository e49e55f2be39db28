using System.Device.Gpio;

namespace EdgeAgent.Hardware.Gpio;

/// <summary>One output line; active-low lines are driven low when "on".</summary>
public class GpioOutput
{
    private readonly GpioController _controller;
    private readonly PinValue _on;
    private readonly PinValue _off;

    public GpioOutput(GpioController controller, int pin, bool activeLow, bool initiallyOn = false)
    {
        _controller = controller;
        Pin = pin;
        (_on, _off) = activeLow ? (PinValue.Low, PinValue.High) : (PinValue.High, PinValue.Low);
        controller.OpenPin(pin, PinMode.Output, initiallyOn ? _on : _off);
        IsOn = initiallyOn;
    }

    public int Pin { get; }
    public bool IsOn { get; private set; }

    public void Set(bool on)
    {
        _controller.Write(Pin, on ? _on : _off);
        IsOn = on;
    }
}

/// <summary>The display's mains relay (for displays without a network power command, or as a hard reset).</summary>
public sealed class DisplayRelay(GpioController controller, int pin, bool activeLow) : GpioOutput(controller, pin, activeLow);

/// <summary>A relay in one device's mains: "on" is powered. Opened powered, so that starting the agent never cuts a device.</summary>
public sealed class PowerRelay(GpioController controller, int pin, bool activeLow) : GpioOutput(controller, pin, activeLow, initiallyOn: true);

public enum OnAirMode { Off, On, Blinking }

/// <summary>The "on air" light: blinking while the room is prepared, steady while the lesson is live.</summary>
public sealed class OnAirLight : IDisposable
{
    private readonly GpioOutput _line;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private ITimer? _blink;

    public OnAirLight(GpioController controller, int pin, bool activeLow, TimeProvider? time = null)
    {
        _line = new GpioOutput(controller, pin, activeLow);
        _time = time ?? TimeProvider.System;
    }

    public OnAirMode Mode { get; private set; }
    public bool IsLit => _line.IsOn;

    public void On() => Switch(OnAirMode.On);
    public void Off() => Switch(OnAirMode.Off);

    /// <summary>Toggles every <paramref name="halfPeriod"/> until set on or off.</summary>
    public void Blink(TimeSpan halfPeriod)
    {
        lock (_gate)
        {
            StopBlink();
            Mode = OnAirMode.Blinking;
            _line.Set(true);
            _blink = _time.CreateTimer(_ => { lock (_gate) if (Mode == OnAirMode.Blinking) _line.Set(!_line.IsOn); }, null, halfPeriod, halfPeriod);
        }
    }

    private void Switch(OnAirMode mode)
    {
        lock (_gate)
        {
            StopBlink();
            Mode = mode;
            _line.Set(mode == OnAirMode.On);
        }
    }

    private void StopBlink()
    {
        _blink?.Dispose();
        _blink = null;
    }

    public void Dispose()
    {
        lock (_gate) StopBlink();
    }
}
