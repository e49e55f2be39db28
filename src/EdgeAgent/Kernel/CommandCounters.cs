namespace EdgeAgent.Kernel;

/// <summary>Figures about commands: kept by the router, shown by <c>ping</c>.</summary>
public sealed class CommandCounters
{
    private long _received, _replied, _busy, _dropped, _retained;
    public long Received => Interlocked.Read(ref _received);
    public long Replied => Interlocked.Read(ref _replied);
    public long Busy => Interlocked.Read(ref _busy);
    /// <summary>Requests that could not be answered (no usable reply topic) or whose reply did not fit the reply queue.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);
    /// <summary>Commands delivered because they were retained on the broker: never executed.</summary>
    public long RetainedDropped => Interlocked.Read(ref _retained);
    public void CountReceived() => Interlocked.Increment(ref _received);
    public void CountReplied() => Interlocked.Increment(ref _replied);
    public void CountBusy() => Interlocked.Increment(ref _busy);
    public void CountDropped() => Interlocked.Increment(ref _dropped);
    public void CountRetained() => Interlocked.Increment(ref _retained);
}
