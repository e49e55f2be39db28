using System.Device.Gpio;

namespace EdgeAgent.Hardware.Gpio;

/// <summary>
/// The teacher's one button. Every edge restarts a settle timer; only when the line has been quiet for the
/// debounce time is its level read and compared with the last stable level, so contact bounce never counts.
/// A press released within <see cref="LongPress"/> is a short press (start or stop the lesson); longer presses
/// are reported separately and do not toggle the lesson.
/// </summary>
public sealed class LessonButton : IDisposable
{
    private readonly GpioController _controller;
    private readonly PinValue _activeLevel;
    private readonly TimeSpan _debounce;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly ITimer _settle;
    private bool _stableActive;
    private DateTimeOffset _pressedAt;
    private DateTimeOffset _lastEdgeAt;

    public LessonButton(GpioController controller, int pin, bool activeLow, TimeSpan debounce, TimeProvider? time = null)
    {
        _controller = controller;
        Pin = pin;
        _activeLevel = activeLow ? PinValue.Low : PinValue.High;
        _debounce = debounce;
        _time = time ?? TimeProvider.System;
        var mode = activeLow && controller.IsPinModeSupported(pin, PinMode.InputPullUp) ? PinMode.InputPullUp : PinMode.Input;
        controller.OpenPin(pin, mode);
        _stableActive = controller.Read(pin) == _activeLevel;
        _settle = _time.CreateTimer(_ => Settle(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        controller.RegisterCallbackForPinValueChangedEvent(pin, PinEventTypes.Rising | PinEventTypes.Falling, OnEdge);
    }

    public int Pin { get; }
    /// <summary>The debounced level: true while the button is held down.</summary>
    public bool IsPressed { get { lock (_gate) return _stableActive; } }
    public TimeSpan LongPress { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A short press: start the lesson if none runs, stop it if one does.</summary>
    public event Action? Pressed;
    /// <summary>A press held longer than <see cref="LongPress"/> (reserved; logged by the agent).</summary>
    public event Action<TimeSpan>? LongPressed;

    private void OnEdge(object sender, PinValueChangedEventArgs e)
    {
        lock (_gate) _lastEdgeAt = _time.GetUtcNow();
        _settle.Change(_debounce, Timeout.InfiniteTimeSpan);
    }

    private void Settle()
    {
        Action? fire = null;
        lock (_gate)
        {
            var active = _controller.Read(Pin) == _activeLevel;
            if (active == _stableActive) return;
            _stableActive = active;
            // The transition happened at the last edge before the line went quiet.
            var now = _lastEdgeAt;
            if (active)
            {
                _pressedAt = now;
            }
            else
            {
                var held = now - _pressedAt;
                fire = held <= LongPress ? () => Pressed?.Invoke() : () => LongPressed?.Invoke(held);
            }
        }
        fire?.Invoke();
    }

    public void Dispose()
    {
        _controller.UnregisterCallbackForPinValueChangedEvent(Pin, OnEdge);
        _settle.Dispose();
    }
}
