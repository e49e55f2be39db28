using System.Text.Json.Nodes;
using EdgeAgent.Simulators.MicArray;
using EdgeAgent.Simulators.PjLink;
using EdgeAgent.Simulators.Visca;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>Two cameras, a display and a mic array on loopback, and the config entries that point at them.</summary>
public sealed class SimulatedClassroom : IAsyncDisposable
{
    public const string DisplayPassword = "JBMIAProjectorLink";

    public ViscaCameraSimulator Camera1 { get; } = new(name: "cam1");
    public ViscaCameraSimulator Camera2 { get; } = new(name: "cam2");
    public PjLinkDisplaySimulator Display { get; } = new(password: DisplayPassword, pjLinkClass: 2) { WarmupTime = TimeSpan.FromMilliseconds(200), CooldownTime = TimeSpan.FromMilliseconds(200) };
    public MicArraySimulator Mic { get; } = new();

    public JsonArray Devices(int timeoutMs = 1000, int? pollSeconds = null)
    {
        JsonObject Entry(string id, string kind, string protocol, int port) => new()
        {
            ["id"] = id, ["kind"] = kind, ["protocol"] = protocol, ["host"] = "127.0.0.1", ["port"] = port,
            ["timeoutMs"] = timeoutMs, ["pollSeconds"] = pollSeconds,
        };
        var cam1 = Entry("cam1", "camera", "visca-ip", Camera1.Port);
        cam1["presets"] = new JsonObject { ["teacher"] = 1, ["blackboard"] = 2, ["students"] = 3 };
        var cam2 = Entry("cam2", "camera", "visca-ip", Camera2.Port);
        cam2["presets"] = new JsonObject { ["students"] = 1 };
        var display = Entry("display1", "display", "pjlink", Display.Port);
        display["password"] = DisplayPassword;
        display["lessonInput"] = "31";
        return [cam1, cam2, display, Entry("mic1", "mic-array", "command-string", Mic.Port)];
    }

    public async ValueTask DisposeAsync()
    {
        await Camera1.DisposeAsync();
        await Camera2.DisposeAsync();
        await Display.DisposeAsync();
        await Mic.DisposeAsync();
    }
}
