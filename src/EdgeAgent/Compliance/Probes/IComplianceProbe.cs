namespace EdgeAgent.Compliance.Probes;

/// <summary>Measures some metrics of the room. Never throws for a room problem: a metric it cannot measure comes back unknown with the reason.</summary>
public interface IComplianceProbe
{
    string Name { get; }
    IReadOnlyList<string> Metrics { get; }
    Task<IReadOnlyList<Measurement>> MeasureAsync(CancellationToken ct);
}
