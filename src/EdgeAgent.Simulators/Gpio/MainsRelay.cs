using System.Device.Gpio;

namespace EdgeAgent.Simulators.Gpio;

/// <summary>
/// A relay in a simulated device's mains, driven by a line of the <see cref="SimulatedGpioDriver"/>: the device gets
/// power while the line is at its "on" level (low for an active-low relay board). A line never written leaves the
/// device powered, as a relay board's normally-closed contacts do.
/// </summary>
public static class MainsRelay
{
    public static void Wire(SimulatedGpioDriver gpio, int pin, bool activeLow, Action<bool> mains) =>
        gpio.Written += (written, value) =>
        {
            if (written == pin) mains(activeLow ? value == PinValue.Low : value == PinValue.High);
        };
}
