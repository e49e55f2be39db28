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
