namespace EdgeAgent.Kernel;

/// <summary>
/// What the agent cannot do right now, in words, for <c>ping</c> and <c>health</c> (a full disk, a state database it
/// cannot write). Each cause sets and clears its own reason; the agent keeps running in every case.
/// </summary>
public sealed class Degradation
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, string> _reasons = new(StringComparer.Ordinal);

    /// <summary>Raised when a reason is set or cleared (health goes out at once).</summary>
    public event Action? Changed;

    public IReadOnlyList<string> Reasons
    {
        get { lock (_gate) return _reasons.Values.ToList(); }
    }

    public bool IsDegraded
    {
        get { lock (_gate) return _reasons.Count > 0; }
    }

    /// <summary>Sets the reason of <paramref name="cause"/>; true when it was not set before (or said something else).</summary>
    public bool Set(string cause, string reason)
    {
        bool changed;
        lock (_gate)
        {
            changed = !_reasons.TryGetValue(cause, out var old) || old != reason;
            _reasons[cause] = reason;
        }
        if (changed) Changed?.Invoke();
        return changed;
    }

    /// <summary>Clears <paramref name="cause"/>; true when it was set.</summary>
    public bool Clear(string cause)
    {
        bool changed;
        lock (_gate) changed = _reasons.Remove(cause);
        if (changed) Changed?.Invoke();
        return changed;
    }

    public bool Has(string cause)
    {
        lock (_gate) return _reasons.ContainsKey(cause);
    }
}
