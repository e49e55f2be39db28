using System.Text.Json.Nodes;
using EdgeAgent.Compliance;
using EdgeAgent.Configuration;
using EdgeAgent.State;
using EdgeAgent.Telemetry;
using EdgeAgent.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.Compliance;

public sealed class PolicySourceTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly StateDatabase _db;
    private readonly EventSink _events;
    private readonly List<EventPayload> _raised = [];
    private readonly AgentOptions _options;

    public PolicySourceTests()
    {
        _options = ConfigLoader.Parse(TestConfig.Minimal(_dir.Path).ToJsonString()).Options!;
        _db = new StateDatabase(_options.StateDirectory, NullLogger<StateDatabase>.Instance);
        _db.Migrate();
        _events = new EventSink(new Outbox(_db, 100, TimeProvider.System, NullLogger<Outbox>.Instance), new RoomTopics(_options.Address), TimeProvider.System);
        _events.Raised += _raised.Add;
    }

    public void Dispose() => _dir.Dispose();

    private PolicySource Source() => new(_options, _db, TimeProvider.System, NullLogger<PolicySource>.Instance, _events);

    private static string Office(string version, Action<JsonObject>? spoil = null)
    {
        var doc = JsonNode.Parse(CompliancePolicy.Default.Json)!.AsObject();
        doc["id"] = "office";
        doc["version"] = version;
        spoil?.Invoke(doc);
        return doc.ToJsonString();
    }

    [Fact]
    public void An_office_policy_replaces_the_default_and_survives_a_restart()
    {
        Assert.Equal("zj-paired-default", Source().Current.Id);
        Assert.True(Source().Accept(Office("2027.1"), "config/policy"));
        var afterRestart = Source();
        Assert.Equal(("office", "2027.1"), (afterRestart.Current.Id, afterRestart.Current.Version));
    }

    [Fact]
    public void A_bad_policy_is_rejected_with_an_event_naming_the_problem_and_the_old_one_stays()
    {
        var source = Source();
        Assert.True(source.Accept(Office("1"), "config/policy"));
        Assert.False(source.Accept(Office("2", d => d["rules"]![0]!["metric"] = "cameras.shiny"), "config/policy"));
        Assert.False(source.Accept("{oops", "config/policy"));
        Assert.Equal("1", source.Current.Version);
        Assert.Equal(2, _raised.Count(e => e.Type == "policy-rejected"));
        Assert.Contains("cameras.shiny", _raised[0].Detail);
        Assert.Contains("office 1 stays in force", _raised[0].Detail);
        Assert.Equal("1", Source().Current.Version);
    }
}
