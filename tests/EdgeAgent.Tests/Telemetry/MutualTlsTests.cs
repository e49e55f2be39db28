using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using EdgeAgent.Telemetry;
using EdgeAgent.Tests.TestSupport;
using MQTTnet;

namespace EdgeAgent.Tests.Telemetry;

/// <summary>
/// Mutual TLS against mosquitto configured from the shipped template (deploy/mosquitto: require_certificate,
/// identity as username, the fleet ACL), with certificates made by the test.
/// </summary>
public sealed class MutualTlsTests : IAsyncLifetime
{
    private const string Room = "zj-test/test-school/room-1";
    private const string Root = $"edu/{Room}/edgeagent";
    private readonly TempDir _dir = new();
    private TestPki _pki = null!;
    private X509Certificate2 _ca = null!;
    private Mosquitto _broker = null!;

    public async Task InitializeAsync()
    {
        _pki = new TestPki(Path.Combine(_dir.Path, "pki"));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(_dir.Path, (UnixFileMode)0b111_101_101);
        _ca = _pki.CreateCa("fleet-ca");
        _pki.Issue(_ca, "broker", "127.0.0.1", server: true);
        _pki.Issue(_ca, "agent", Room, server: false);
        _pki.Issue(_ca, "office", "office", server: false);
        var rogue = _pki.CreateCa("rogue-ca");
        _pki.Issue(rogue, "rogue-agent", Room, server: false);

        // The shipped template, with this test's paths and port.
        var template = File.ReadAllText(Path.Combine(TestConfig.RepoRoot, "deploy/mosquitto/edgeagent.conf"))
            .Replace("listener 8883", "listener {port} 127.0.0.1")
            .Replace("/etc/mosquitto/certs/fleet-ca.pem", _pki.Path("fleet-ca.pem"))
            .Replace("/etc/mosquitto/certs/broker.pem", _pki.Path("broker.pem"))
            .Replace("/etc/mosquitto/certs/broker.key", _pki.Path("broker.key"))
            .Replace("/etc/mosquitto/edgeagent.acl", Path.Combine(TestConfig.RepoRoot, "deploy/mosquitto/edgeagent.acl"))
            .Replace("persistence true", "");
        _broker = await Mosquitto.StartAsync(Path.Combine(_dir.Path, "broker"), template);
    }

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        _dir.Dispose();
    }

    private JsonObject Config(string? cert, string? key)
    {
        var config = TestConfig.Minimal(_dir.Path);
        var tls = new JsonObject { ["enabled"] = true, ["caFile"] = _pki.Path("fleet-ca.pem") };
        if (cert is not null) tls["certFile"] = _pki.Path(cert);
        if (key is not null) tls["keyFile"] = _pki.Path(key);
        config["broker"] = new JsonObject { ["host"] = "127.0.0.1", ["port"] = _broker.Port, ["tls"] = tls, ["reconnectMaxSeconds"] = 1 };
        return config;
    }

    private Task<TestMqttClient> Office() => Client("office", "office");

    /// <summary>A raw MQTT client presenting the certificate <paramref name="cert"/>.pem (its CN is its user name at the broker).</summary>
    private Task<TestMqttClient> Client(string clientId, string cert) => TestMqttClient.ConnectAsync(_broker.Port, clientId, configure: b => b.WithTlsOptions(t =>
    {
        var ca = new X509Certificate2Collection();
        ca.ImportFromPemFile(_pki.Path("fleet-ca.pem"));
        using var pem = X509Certificate2.CreateFromPemFile(_pki.Path($"{cert}.pem"), _pki.Path($"{cert}.key"));
        t.UseTls(true).WithTrustChain(ca).WithTargetHost("127.0.0.1")
            .WithCertificateValidationHandler(_ => true)
            .WithClientCertificates([X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null)]);
    }));

    [Fact]
    public async Task A_valid_client_certificate_connects_and_the_acl_lets_the_office_read_the_birth()
    {
        await using var office = await Office();
        await office.SubscribeAsync($"{Root}/state");
        await using var agent = await InProcessAgent.StartAsync(Config("agent.pem", "agent.key"));
        var birth = await office.WaitForAsync(m => (bool)TestMqttClient.Json(m)["online"]!, TimeSpan.FromSeconds(30),
            $"the birth over mutual TLS (agent: {agent.Get<MqttLink>().LastFailure}; broker: {_broker.Log})");
        Assert.Equal("main", (string)TestMqttClient.Json(birth)["role"]!);
    }

    [Theory]
    [InlineData(null, null, "no client certificate")]
    [InlineData("rogue-agent.pem", "rogue-agent.key", "a certificate from another CA")]
    public async Task Without_a_valid_certificate_the_broker_refuses_and_the_agent_logs_and_retries(string? cert, string? key, string why)
    {
        await using var agent = await InProcessAgent.StartAsync(Config(cert, key));
        var link = agent.Get<MqttLink>();
        await Eventually.True(() => link.Attempts >= 3, TimeSpan.FromSeconds(30), $"repeated attempts with {why}");
        Assert.Equal(0, link.Connects);
        Assert.False(string.IsNullOrEmpty(link.LastFailure));
        var logs = Path.Combine(_dir.Path, "logs");
        await Eventually.True(() => Directory.Exists(logs) && Directory.GetFiles(logs, "edgeagent-*.json").Any(f => ReadShared(f).Contains("not reachable or refused", StringComparison.Ordinal)), TimeSpan.FromSeconds(10), "the reason in the log");
    }

    [Fact]
    public async Task A_rooms_certificate_cannot_write_the_offices_configuration_only_the_office_can()
    {
        await using var office = await Office();
        await office.SubscribeAsync($"{Root}/#");

        // The room's own certificate tries to replace its policy and its timetable, retained (each from its own
        // connection: mosquitto may drop a client whose publish is refused), and then writes its state.
        foreach (var (suffix, json) in new[] { ("config/policy", "{\"schema\":\"edgeagent.policy/1\"}"), ("config/timetable", "{\"schema\":\"edgeagent.timetable/1\"}") })
        {
            await using var attacker = await Client($"room-as-attacker-{suffix.Replace('/', '-')}", "agent");
            try
            {
                await attacker.PublishAsync($"{Root}/{suffix}", System.Text.Encoding.UTF8.GetBytes(json), retain: true);
            }
            catch (MQTTnet.Exceptions.MqttCommunicationException)
            {
                // refused by disconnecting: as good as a refusal
            }
        }
        await using var room = await Client("room-itself", "agent");
        await room.PublishAsync($"{Root}/state", System.Text.Encoding.UTF8.GetBytes("{\"schema\":\"edgeagent.state/1\",\"online\":false}"), retain: true);
        await office.WaitForAsync(m => m.Topic == $"{Root}/state", TimeSpan.FromSeconds(30), "the room's own state (allowed)");
        Assert.DoesNotContain(office.Received, m => m.Topic.Contains("/config/", StringComparison.Ordinal));

        // A retained document the room wrote would be delivered to a new subscriber: there is none.
        await using var later = await Client("office-later", "office");
        await later.SubscribeAsync($"{Root}/config/#");
        await later.SubscribeAsync($"{Root}/state");
        await later.WaitForAsync(m => m.Topic == $"{Root}/state", TimeSpan.FromSeconds(30), "retained state first");
        Assert.DoesNotContain(later.Received, m => m.Topic.Contains("/config/", StringComparison.Ordinal));

        // The office may, and the room reads it.
        await room.SubscribeAsync($"{Root}/config/#");
        await office.PublishAsync($"{Root}/config/policy", System.Text.Encoding.UTF8.GetBytes("{}"), retain: true);
        await room.WaitForAsync(m => m.Topic == $"{Root}/config/policy", TimeSpan.FromSeconds(30), "the office's policy at the room");
        await office.PublishAsync($"{Root}/config/policy", [], retain: true); // clear it
    }

    private static string ReadShared(string file)
    {
        using var s = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(s).ReadToEnd();
    }
}
