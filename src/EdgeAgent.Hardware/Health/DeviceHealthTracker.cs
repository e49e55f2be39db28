namespace EdgeAgent.Hardware.Health;

/// <summary>
/// Turns a device's poll outcomes into its <see cref="DeviceHealth"/>: counts errors and timeouts, keeps
/// "last seen", and marks a device offline at the first poll it does not answer (so a device that stops
/// answering is offline within two poll intervals, and online again at the first poll it answers).
/// </summary>
public sealed class DeviceHealthTracker(IDevice device, TimeProvider time)
{
    private readonly Lock _gate = new();
    private long _errors;
    private long _timeouts;
    private DateTimeOffset? _lastSeen;
    private DeviceHealth _current = new(device.Id, device.Kind, DeviceState.Offline, "not polled yet", null, time.GetUtcNow(), 0, 0);

    public IDevice Device => device;

    /// <summary>False until the first poll has finished.</summary>
    public bool HasPolled { get; private set; }

    public DeviceHealth Current { get { lock (_gate) return _current; } }

    /// <summary>Polls once, with a deadline, and returns the new health. Never throws for a device fault.</summary>
    public async Task<DeviceHealth> PollAsync(TimeSpan deadline, CancellationToken cancellationToken)
    {
        DeviceState state;
        string detail;
        DeviceReadings? readings = null;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(deadline);
        try
        {
            var result = await device.PollAsync(cts.Token).ConfigureAwait(false);
            (state, detail, readings) = (result.State, result.Detail, result.Readings);
        }
        catch (DeviceException e)
        {
            (state, detail) = (e.ImpliedState, e.Message);
            Count(e.Kind == DeviceErrorKind.Timeout);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            (state, detail) = (DeviceState.Offline, $"no answer within {deadline.TotalSeconds:F1} s");
            Count(timeout: true);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A driver bug must not take the poller down; it shows as a faulty device with the reason.
            (state, detail) = (DeviceState.Faulty, $"driver error: {e.GetType().Name}: {e.Message}");
            Count(timeout: false);
        }

        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (state is DeviceState.Online or DeviceState.Degraded) _lastSeen = now;
            HasPolled = true;
            _current = new DeviceHealth(device.Id, device.Kind, state, detail, _lastSeen, now, Interlocked.Read(ref _errors), Interlocked.Read(ref _timeouts), device.LateReplies, readings);
            return _current;
        }
    }

    private void Count(bool timeout)
    {
        if (timeout) Interlocked.Increment(ref _timeouts);
        else Interlocked.Increment(ref _errors);
    }
}
