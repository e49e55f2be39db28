using EdgeAgent.Compliance.Probes;
using EdgeAgent.Configuration;
using EdgeAgent.Devices;
using EdgeAgent.Lessons;

namespace EdgeAgent.Compliance;

/// <summary>The probes of a room, built from its configuration (used by the service and by <c>edgeagent check</c>).</summary>
public static class ComplianceProbes
{
    public static IReadOnlyList<IComplianceProbe> For(AgentOptions options, DeviceRegistry devices, Func<LessonBook> book, TimeProvider time) =>
    [
        new DeviceProbe(devices),
        new VideoSourceProbe(options.Stream),
        new AudioLevelProbe(options.Stream, options.Compliance.MicTestSeconds),
        new EchoCancellerProbe(options, devices),
        new NetworkProbe(options),
        new RecordingSpaceProbe(options, book, time),
        new ClockProbe(options.Compliance.SntpServer, time),
    ];
}
