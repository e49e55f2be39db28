namespace EdgeAgent.Hardware.Health;

/// <summary>What every driver offers the health poller.</summary>
public interface IDevice : IAsyncDisposable
{
    string Id { get; }
    /// <summary>camera, display, mic-array, audio-capture.</summary>
    string Kind { get; }
    /// <summary>One health poll (power inquiry, ERST, GET ALL...). Throws <see cref="DeviceException"/> when it cannot.</summary>
    Task<DevicePollResult> PollAsync(CancellationToken cancellationToken);
    /// <summary>Replies that came after their request had timed out, matched by what the protocol echoes and discarded.</summary>
    long LateReplies => 0;
    /// <summary>Drops a kept connection so that the next request opens a fresh one (nothing to drop: nothing happens).</summary>
    Task ReconnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
