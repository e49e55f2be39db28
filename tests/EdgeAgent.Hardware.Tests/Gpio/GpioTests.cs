using System.Device.Gpio;
using EdgeAgent.Hardware.Gpio;
using EdgeAgent.Simulators.Gpio;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Hardware.Tests.Gpio;

public sealed class GpioTests : IDisposable
{
    private readonly SimulatedGpioDriver _driver = new();
    private readonly GpioController _controller;
    private readonly FakeTimeProvider _time = new();

    public GpioTests() => _controller = new GpioController(_driver);

    public void Dispose() => _controller.Dispose();

    [Theory]
    [InlineData(false, 1, 0)]
    [InlineData(true, 0, 1)]
    public void On_air_light_honours_active_low(bool activeLow, int litLevel, int darkLevel)
    {
        using var light = new OnAirLight(_controller, 17, activeLow, _time);
        Assert.Equal((PinValue)darkLevel, _driver.Level(17));
        light.On();
        Assert.Equal((PinValue)litLevel, _driver.Level(17));
        light.Off();
        Assert.Equal((PinValue)darkLevel, _driver.Level(17));
    }

    [Fact]
    public void On_air_light_blinks_on_the_clock_and_stops_when_set()
    {
        using var light = new OnAirLight(_controller, 17, activeLow: false, _time);
        light.Blink(TimeSpan.FromMilliseconds(500));
        Assert.True(light.IsLit);
        _time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.False(light.IsLit);
        _time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.True(light.IsLit);
        light.On();
        var writes = _driver.Writes.Count;
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(writes, _driver.Writes.Count);
        Assert.Equal(PinValue.High, _driver.Level(17));
        Assert.Equal(OnAirMode.On, light.Mode);
    }

    [Fact]
    public void Display_relay_switches()
    {
        var relay = new DisplayRelay(_controller, 22, activeLow: true);
        Assert.Equal(PinValue.High, _driver.Level(22));
        relay.Set(true);
        Assert.Equal(PinValue.Low, _driver.Level(22));
        Assert.True(relay.IsOn);
    }

    [Fact]
    public void A_bouncy_short_press_counts_once()
    {
        _driver.SetInput(27, PinValue.High); // pulled up, released
        using var button = new LessonButton(_controller, 27, activeLow: true, TimeSpan.FromMilliseconds(50), _time);
        var presses = 0;
        button.Pressed += () => presses++;

        // Press with contact bounce: low, high, low within a few ms.
        _driver.SetInput(27, PinValue.Low);
        _time.Advance(TimeSpan.FromMilliseconds(3));
        _driver.SetInput(27, PinValue.High);
        _time.Advance(TimeSpan.FromMilliseconds(3));
        _driver.SetInput(27, PinValue.Low);
        _time.Advance(TimeSpan.FromMilliseconds(300));
        Assert.Equal(0, presses);

        // Release, bouncing too.
        _driver.SetInput(27, PinValue.High);
        _time.Advance(TimeSpan.FromMilliseconds(2));
        _driver.SetInput(27, PinValue.Low);
        _time.Advance(TimeSpan.FromMilliseconds(2));
        _driver.SetInput(27, PinValue.High);
        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(1, presses);
    }

    [Fact]
    public void A_glitch_shorter_than_the_debounce_is_not_a_press()
    {
        _driver.SetInput(27, PinValue.High);
        using var button = new LessonButton(_controller, 27, activeLow: true, TimeSpan.FromMilliseconds(50), _time);
        var presses = 0;
        button.Pressed += () => presses++;
        _driver.SetInput(27, PinValue.Low);
        _time.Advance(TimeSpan.FromMilliseconds(10));
        _driver.SetInput(27, PinValue.High);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, presses);
    }

    [Fact]
    public void A_long_press_is_reported_as_long_and_does_not_toggle()
    {
        using var button = new LessonButton(_controller, 5, activeLow: false, TimeSpan.FromMilliseconds(20), _time);
        var presses = 0;
        TimeSpan? held = null;
        button.Pressed += () => presses++;
        button.LongPressed += h => held = h;
        _driver.SetInput(5, PinValue.High);
        _time.Advance(TimeSpan.FromSeconds(3));
        _driver.SetInput(5, PinValue.Low);
        _time.Advance(TimeSpan.FromMilliseconds(20));
        Assert.Equal(TimeSpan.FromSeconds(3), held);
        Assert.Equal(0, presses);
    }
}
