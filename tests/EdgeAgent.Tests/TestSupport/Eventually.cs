using System.Diagnostics;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>Waits on a condition with a timeout instead of sleeping and hoping.</summary>
public static class Eventually
{
    public static async Task True(Func<bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"timed out after {timeout.TotalSeconds:F1} s waiting for {what}");
            await Task.Delay(10);
        }
    }

    /// <summary>The same for a condition that has to ask something (a command over MQTT, a file).</summary>
    public static async Task True(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"timed out after {timeout.TotalSeconds:F1} s waiting for {what}");
            await Task.Delay(50);
        }
    }

    /// <summary>Waits until <paramref name="find"/> gives something, and returns it.</summary>
    public static async Task<T> Value<T>(Func<T?> find, TimeSpan timeout, string what) where T : class
    {
        T? found = null;
        await True(() => (found = find()) is not null, timeout, what);
        return found!;
    }
}
