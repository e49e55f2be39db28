using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using EdgeAgent.Simulators.Common;
using EdgeAgent.Simulators.MicArray;
using EdgeAgent.Simulators.PjLink;
using EdgeAgent.Simulators.Visca;

// edgeagent-sim: a simulated classroom on 127.0.0.1 for the demo and for manual tests.
var visca = new Option<int[]>("--visca-port") { Description = "Start a VISCA-over-IP camera on this UDP port (0 = any free port); repeat for more cameras.", AllowMultipleArgumentsPerToken = false };
var pjlink = new Option<int?>("--pjlink-port") { Description = "Start a PJLink display on this TCP port (0 = any free port)." };
var password = new Option<string?>("--pjlink-password") { Description = "PJLink password (authentication on)." };
var pjlinkClass = new Option<int>("--pjlink-class") { Description = "PJLink class, 1 or 2.", DefaultValueFactory = _ => 1 };
var mic = new Option<int?>("--mic-port") { Description = "Start a command-string microphone array on this TCP port (0 = any free port)." };
var portsFile = new Option<FileInfo?>("--ports-file") { Description = "Write the bound ports here as JSON once listening." };
var quiet = new Option<bool>("--quiet") { Description = "Do not print a line per command." };
var linkPort = new Option<int?>("--link-port") { Description = "Start a simulated network link (UDP and TCP) on this port (0 = any free port), forwarding to --link-target." };
var linkTarget = new Option<int?>("--link-target") { Description = "The port on 127.0.0.1 the simulated link forwards to." };
var linkSpec = new Option<string>("--link")
{
    Description = "What the link does: delay=MS (each way),loss=PERCENT,rate=MBPS[,jitter=MS,queue=MS]; changed while it runs by 'link SPEC' on the control pipe.",
    DefaultValueFactory = _ => "delay=0",
};
var control = new Option<FileInfo?>("--control")
{
    Description = "Read faults from this named pipe (made if missing), a line each: DEVICE FAULT, e.g. 'cam1 no-reply', 'cam1 none' "
        + "(faults: none, no-reply, garbage, slow, error, drop).",
};
pjlinkClass.Validators.Add(r => { if (r.GetValue(pjlinkClass) is not (1 or 2)) r.AddError("--pjlink-class must be 1 or 2"); });

var root = new RootCommand("edgeagent-sim: simulated classroom devices (VISCA camera, PJLink display, mic array) on 127.0.0.1")
{
    visca, pjlink, password, pjlinkClass, mic, portsFile, quiet, control, linkPort, linkTarget, linkSpec,
};
root.SetAction(async (result, ct) =>
{
    var log = new SimulatorLog(result.GetValue(quiet) ? null : Console.Out);
    var owned = new List<IAsyncDisposable>();
    var faults = new Dictionary<string, FaultPlan>(StringComparer.Ordinal);
    var byHand = new Dictionary<string, Action>(StringComparer.Ordinal);
    var ports = new JsonObject();
    var cameras = new JsonArray();
    var n = 0;
    foreach (var port in result.GetValue(visca) ?? [])
    {
        var camera = new ViscaCameraSimulator(port, log, $"cam{++n}") { MoveTime = TimeSpan.FromMilliseconds(300) };
        owned.Add(camera);
        faults[$"cam{n}"] = camera.Faults;
        cameras.Add(camera.Port);
        Console.Out.WriteLine($"[sim] cam{n}: VISCA over IP on udp://127.0.0.1:{camera.Port}");
    }
    ports["visca"] = cameras;
    if (result.GetValue(pjlink) is { } pjPort)
    {
        var display = new PjLinkDisplaySimulator(pjPort, result.GetValue(password), result.GetValue(pjlinkClass), log, name: "display1")
        {
            WarmupTime = TimeSpan.FromSeconds(3),
            CooldownTime = TimeSpan.FromSeconds(3),
        };
        owned.Add(display);
        faults["display1"] = display.Faults;
        byHand["display1 power-off"] = () => display.ForcePower(false);
        ports["pjlink"] = display.Port;
        Console.Out.WriteLine($"[sim] display1: PJLink class {display.Class} on tcp://127.0.0.1:{display.Port}{(display.Password is null ? "" : " (password set)")}");
    }
    if (result.GetValue(mic) is { } micPort)
    {
        var array = new MicArraySimulator(micPort, log: log, name: "mic1");
        owned.Add(array);
        faults["mic1"] = array.Faults;
        byHand["mic1 mute"] = () => array.PressMuteButtonAsync(true).GetAwaiter().GetResult();
        ports["mic"] = array.Port;
        Console.Out.WriteLine($"[sim] mic1: command strings on tcp://127.0.0.1:{array.Port}");
    }
    EdgeAgent.Simulators.Network.ImpairmentRelay? relay = null;
    if (result.GetValue(linkPort) is { } lp)
    {
        if (result.GetValue(linkTarget) is not { } target || EdgeAgent.Simulators.Network.Impairment.Parse(result.GetValue(linkSpec)!, out var problem) is not { } impairment)
        {
            Console.Error.WriteLine("edgeagent-sim: --link-port needs --link-target and a valid --link (delay=MS,loss=PERCENT,rate=MBPS)");
            return 64;
        }
        relay = new EdgeAgent.Simulators.Network.ImpairmentRelay(target, impairment, lp);
        owned.Add(relay);
        ports["link"] = relay.Port;
        Console.Out.WriteLine($"[sim] link: 127.0.0.1:{relay.Port} → 127.0.0.1:{target}, {impairment}");
    }
    if (owned.Count == 0)
    {
        Console.Error.WriteLine("edgeagent-sim: nothing to simulate; give --visca-port, --pjlink-port, --mic-port and/or --link-port");
        return 64;
    }
    if (result.GetValue(portsFile) is { } file)
    {
        var tmp = file.FullName + ".tmp";
        await File.WriteAllTextAsync(tmp, ports.ToJsonString(), CancellationToken.None);
        File.Move(tmp, file.FullName, overwrite: true);
    }

    if (result.GetValue(control) is { } pipe)
        ControlPipe.Start(pipe.FullName, faults, Console.Out, relay is null ? null : spec =>
        {
            if (EdgeAgent.Simulators.Network.Impairment.Parse(spec, out var problem) is { } changed)
            {
                relay.Impairment = changed;
                Console.Out.WriteLine($"[sim] link: now {changed}");
            }
            else Console.Out.WriteLine($"[sim] link: ignored '{spec}': {problem}");
        }, byHand);

    var stop = new TaskCompletionSource();
    using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
    using var registration = ct.Register(() => stop.TrySetResult());
    await stop.Task;
    foreach (var o in owned) await o.DisposeAsync();
    Console.Out.WriteLine("[sim] stopped");
    return 0;
});
return await root.Parse(args).InvokeAsync();
