using EdgeAgent.Configuration;
using EdgeAgent.Devices;
using EdgeAgent.Hardware.Audio;
using EdgeAgent.Hardware.Health;

namespace EdgeAgent.Compliance.Probes;

/// <summary>
/// In a room that plays its partner (<c>stream.partnerUrl</c> set), the partner's voice comes out of the room's
/// speakers and the microphones hear it: every mic array's acoustic echo canceller must be on. "on", "off", or
/// "not-needed" in a room that plays no partner; unknown where an array cannot say (it has none, or does not answer).
/// </summary>
public sealed class EchoCancellerProbe(AgentOptions options, DeviceRegistry devices) : IComplianceProbe
{
    public const string Metric = "audio.aec";

    public string Name => "echo canceller";
    public IReadOnlyList<string> Metrics => [Metric];

    public async Task<IReadOnlyList<Measurement>> MeasureAsync(CancellationToken ct)
    {
        if (string.IsNullOrEmpty(options.Stream.PartnerUrl))
            return [Measurement.Of(Metric, "not-needed", "the room plays no partner (stream.partnerUrl is not set): no far-end voice to echo")];
        var arrays = devices.OfType<IMicArray>().ToList();
        if (arrays.Count == 0) return [Measurement.Unknown(Metric, "no mic array with a control port to ask")];
        var states = new List<(string Id, bool? On, string? Why)>();
        foreach (var (device, mic) in arrays)
        {
            try
            {
                states.Add((device.Id, await mic.GetEchoCancellationAsync(ct).ConfigureAwait(false), null));
            }
            catch (DeviceException e)
            {
                states.Add((device.Id, null, e.Message));
            }
        }
        var evidence = string.Join(", ", states.Select(s => $"{s.Id} AEC {(s.On is { } on ? (on ? "on" : "off") : s.Why ?? "not available")}"));
        if (states.Any(s => s.On == false)) return [Measurement.Of(Metric, "off", evidence)];
        if (states.Any(s => s.On is null)) return [Measurement.Unknown(Metric, evidence)];
        return [Measurement.Of(Metric, "on", evidence)];
    }
}
