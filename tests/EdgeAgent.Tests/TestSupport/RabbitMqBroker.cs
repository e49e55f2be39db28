using System.Diagnostics;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>
/// A real RabbitMQ (Debian's rabbitmq-server 3.10, MQTT 3.1.1 plugin) on free ports, everything on 127.0.0.1: its own
/// epmd (the Erlang port mapper, started here in the foreground so that it is ours to stop), the node's data
/// and logs in the test's directory; stopped on dispose.
/// </summary>
public sealed class RabbitMqBroker : IAsyncDisposable
{
    private readonly Process _epmd;
    private readonly Process _server;
    private readonly string _log;

    private RabbitMqBroker(Process epmd, Process server, int mqttPort, string log)
    {
        _epmd = epmd;
        _server = server;
        MqttPort = mqttPort;
        _log = log;
    }

    public int MqttPort { get; }
    public string Log => File.Exists(_log) ? File.ReadAllText(_log) : "";

    public static async Task<RabbitMqBroker> StartAsync(string dir)
    {
        Directory.CreateDirectory(dir);
        int mqtt = Machine.FreeTcpPort(), amqp = Machine.FreeTcpPort(), dist = Machine.FreeTcpPort(), epmdPort = Machine.FreeTcpPort();
        File.WriteAllText(Path.Combine(dir, "rabbitmq.conf"), $"""
            listeners.tcp.default = 127.0.0.1:{amqp}
            mqtt.listeners.tcp.default = 127.0.0.1:{mqtt}
            mqtt.allow_anonymous = true
            mqtt.default_user = guest
            mqtt.default_pass = guest
            loopback_users = none
            """);
        File.WriteAllText(Path.Combine(dir, "enabled_plugins"), "[rabbitmq_mqtt].");
        var epmd = await ChildProcesses.StartAsync(ChildProcesses.Info("/usr/bin/epmd", ["-port", epmdPort.ToString(), "-address", "127.0.0.1"]));
        var info = ChildProcesses.Info("/usr/lib/rabbitmq/bin/rabbitmq-server", []);
        var env = new Dictionary<string, string>
        {
            ["HOME"] = dir,
            ["RABBITMQ_NODENAME"] = $"edgeagent-test-{mqtt}@localhost",
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_DIST_PORT"] = dist.ToString(),
            ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
            ["ERL_EPMD_PORT"] = epmdPort.ToString(),
            ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(dir, "rabbitmq"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(dir, "enabled_plugins"),
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(dir, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(dir, "log"),
            ["RABBITMQ_PID_FILE"] = Path.Combine(dir, "pid"),
            ["RABBITMQ_LOGS"] = Path.Combine(dir, "rabbit.log"),
        };
        foreach (var (k, v) in env) info.Environment[k] = v;
        var server = await ChildProcesses.StartAsync(info);
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, _) => { };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        var broker = new RabbitMqBroker(epmd, server, mqtt, Path.Combine(dir, "rabbit.log"));
        try
        {
            await Eventually.True(() => !server.HasExited && Machine.CanConnect(mqtt), TimeSpan.FromSeconds(90), "RabbitMQ's MQTT listener");
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }
        return broker;
    }

    private static bool Alive(int pid)
    {
        try { return Machine.ProcessExists(pid); }
        catch (IOException) { return false; }
    }

    public async ValueTask DisposeAsync()
    {
        // SIGTERM is RabbitMQ's orderly stop; the Erlang VM's helpers go with it.
        var all = Machine.DescendantsOf(_server.Id).Prepend(_server.Id).ToList();
        foreach (var pid in all) ChildProcesses.Signal(pid, ChildProcesses.SigTerm);
        try
        {
            await Eventually.True(() => all.All(p => !Alive(p)), TimeSpan.FromSeconds(30), "RabbitMQ to stop");
        }
        catch (TimeoutException)
        {
            foreach (var pid in all) ChildProcesses.Signal(pid, ChildProcesses.SigKill);
        }
        await _server.WaitForExitAsync();
        ChildProcesses.Signal(_epmd.Id, ChildProcesses.SigKill);
        await _epmd.WaitForExitAsync();
    }
}
