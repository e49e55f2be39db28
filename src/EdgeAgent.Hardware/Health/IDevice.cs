namespace EdgeAgent.Hardware.Health;

/// <summary>What every driver offers the health poller.</summary>
public interface IDevice : IAsyncDisposable
{
    string Id { get; }
    /// <summary>camera, display, mic-array, audio-capture.</summary>
    string Kind { get; }
    /// <summary>One health poll (power inquiry, ERST, GET ALL...). Throws <see cref="DeviceException"/> when it cannot.</summary>
    Task<DevicePollResult> PollAsync(CancellationToken cancellationToken);
}
