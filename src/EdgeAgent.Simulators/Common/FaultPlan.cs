namespace EdgeAgent.Simulators.Common;

/// <summary>What a simulated device does wrong, set by tests (or the demo) while it runs.</summary>
public enum Fault
{
    None,
    /// <summary>Receives and says nothing.</summary>
    NoReply,
    /// <summary>Answers with bytes that break the protocol.</summary>
    Garbage,
    /// <summary>Answers correctly but late (<see cref="FaultPlan.SlowDelay"/>).</summary>
    Slow,
    /// <summary>
    /// Answers correctly, but only when the test says so (<see cref="FaultPlan.ReleaseHeld"/>): an answer that is late
    /// by as much as the test needs, whatever the machine's speed.
    /// </summary>
    Held,
    /// <summary>Answers with the protocol's error reply (<see cref="FaultPlan.ErrorCode"/>).</summary>
    ErrorReply,
    /// <summary>Drops the connection (TCP devices).</summary>
    DropConnection,
}

/// <summary>A fault and how many messages it applies to; thread-safe.</summary>
public sealed class FaultPlan
{
    private readonly Lock _gate = new();
    private Fault _fault;
    private int _remaining;

    public TimeSpan SlowDelay { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>Protocol-specific error: VISCA error byte (0x03 buffer full, 0x41 not executable), PJLink 1..4.</summary>
    public int ErrorCode { get; set; }

    /// <summary>Applies <paramref name="fault"/> to the next <paramref name="count"/> messages (all, by default).</summary>
    public void Set(Fault fault, int count = int.MaxValue, int errorCode = 0)
    {
        lock (_gate)
        {
            _fault = fault;
            _remaining = count;
            ErrorCode = errorCode;
        }
    }

    public void Clear() => Set(Fault.None, 0);

    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>For a <see cref="Fault.Held"/> message: returns when the test releases what is held.</summary>
    public Task WaitReleasedAsync(CancellationToken ct)
    {
        lock (_gate) return _release.Task.WaitAsync(ct);
    }

    /// <summary>Sends every answer held so far (later <see cref="Fault.Held"/> messages are held again).</summary>
    public void ReleaseHeld()
    {
        lock (_gate)
        {
            _release.TrySetResult();
            _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>The fault for the message now being handled.</summary>
    public Fault Take()
    {
        lock (_gate)
        {
            if (_fault == Fault.None || _remaining <= 0) return Fault.None;
            if (_remaining != int.MaxValue) _remaining--;
            return _fault;
        }
    }
}
