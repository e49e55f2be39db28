namespace EdgeAgent.Simulators.Common;

/// <summary>One line per command a simulator receives: on the console for the demo, in memory for tests.</summary>
public sealed class SimulatorLog(TextWriter? console)
{
    private readonly Lock _gate = new();
    private readonly List<string> _lines = [];

    public static SimulatorLog Silent() => new(null);

    public void Write(string device, string line)
    {
        var text = $"{device}: {line}";
        lock (_gate)
        {
            _lines.Add(text);
            console?.WriteLine($"[sim] {text}");
        }
    }

    public IReadOnlyList<string> Lines { get { lock (_gate) return _lines.ToList(); } }
}
