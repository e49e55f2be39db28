using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Devices;
using EdgeAgent.Hardware.Audio;
using EdgeAgent.Hardware.Cameras;
using EdgeAgent.Hardware.Displays;
using EdgeAgent.Hardware.Health;

namespace EdgeAgent.Compliance.Probes;

/// <summary>Cameras and microphones that answer now, and the display: reachable, powered, PJLink error status.</summary>
public sealed class DeviceProbe(DeviceRegistry devices) : IComplianceProbe
{
    public string Name => "devices";
    public IReadOnlyList<string> Metrics => ["cameras.online", "microphones.online", "display.status"];

    public async Task<IReadOnlyList<Measurement>> MeasureAsync(CancellationToken ct)
    {
        var cameras = devices.OfType<IPtzCamera>().Select(x => x.Device).ToList();
        var mics = devices.All.Where(d => d.Options.Kind is DeviceKind.MicArray or DeviceKind.AudioCapture).ToList();
        var polls = await Task.WhenAll(devices.All.Select(async d => (Device: d, Answer: await Poll(d.Driver, ct).ConfigureAwait(false)))).ConfigureAwait(false);
        string Answers(IEnumerable<ClassroomDevice> list) =>
            string.Join(", ", list.Select(d => $"{d.Id} {polls.First(p => p.Device == d).Answer.Detail}"));
        int Online(IEnumerable<ClassroomDevice> list) => list.Count(d => polls.First(p => p.Device == d).Answer.Ok);

        var results = new List<Measurement>
        {
            Measurement.Of("cameras.online", Online(cameras), cameras.Count == 0 ? "no camera configured" : Answers(cameras)),
            Measurement.Of("microphones.online", Online(mics), mics.Count == 0 ? "no microphone configured" : Answers(mics)),
        };
        var displays = devices.OfType<IDisplay>().ToList();
        if (displays.Count == 0) results.Add(Measurement.Of("display.status", "unreachable", "no display configured"));
        else
        {
            // The worst display decides.
            var statuses = new List<(string Status, string Evidence)>();
            foreach (var (device, display) in displays)
            {
                try
                {
                    var power = await display.GetPowerAsync(ct).ConfigureAwait(false);
                    var errors = await display.GetErrorStatusAsync(ct).ConfigureAwait(false);
                    var status = errors.Worst switch { ErrorLevel.Error => "error", ErrorLevel.Warning => "warning", _ => "ok" };
                    statuses.Add((status, $"{device.Id}: power {power.ToString().ToLowerInvariant()}, {errors.Summary}"));
                }
                catch (Exception e) when (e is DeviceException or IOException or TimeoutException or System.Net.Sockets.SocketException)
                {
                    statuses.Add(("unreachable", $"{device.Id}: {e.Message}"));
                }
            }
            string[] order = ["unreachable", "error", "warning", "ok"];
            var worst = statuses.OrderBy(s => Array.IndexOf(order, s.Status)).First().Status;
            results.Add(Measurement.Of("display.status", worst, string.Join("; ", statuses.Select(s => s.Evidence))));
        }
        return results;
    }

    private static async Task<(bool Ok, string Detail)> Poll(IDevice device, CancellationToken ct)
    {
        try
        {
            var r = await device.PollAsync(ct).ConfigureAwait(false);
            return (r.State is DeviceState.Online or DeviceState.Degraded, r.State.ToString().ToLowerInvariant());
        }
        catch (Exception e) when (e is DeviceException or IOException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return (false, $"not answering ({e.Message})");
        }
    }
}
