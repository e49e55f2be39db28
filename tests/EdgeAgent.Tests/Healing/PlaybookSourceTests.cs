using System.Text.Json.Nodes;
using EdgeAgent.Configuration;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Healing;
using EdgeAgent.State;
using EdgeAgent.Telemetry;
using EdgeAgent.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.Healing;

/// <summary>Playbooks documents checked whole against the room (cam1 with a mains relay, cam2 without, a display, a mic array).</summary>
public sealed class PlaybookSourceTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly StateDatabase _db;
    private readonly EventSink _events;
    private readonly List<EventPayload> _raised = [];
    private readonly AgentOptions _options;

    public PlaybookSourceTests()
    {
        var config = TestConfig.Minimal(_dir.Path);
        config["devices"] = new JsonArray(
            Device("cam1", "camera", "visca-ip", 5001), Device("cam2", "camera", "visca-ip", 5002),
            Device("display1", "display", "pjlink", 5003), Device("mic1", "mic-array", "command-string", 5004));
        config["gpio"] = new JsonObject { ["chip"] = 0, ["powerRelays"] = new JsonObject { ["cam1"] = new JsonObject { ["pin"] = 8 } } };
        var loaded = ConfigLoader.Parse(config.ToJsonString(), EdgeAgent.Service.AgentServices.ConfigRules);
        Assert.True(loaded.Ok, string.Join("\n", loaded.Errors));
        _options = loaded.Options!;
        _db = new StateDatabase(_options.StateDirectory, NullLogger<StateDatabase>.Instance);
        _db.Migrate();
        _events = new EventSink(new Outbox(_db, 100, TimeProvider.System, NullLogger<Outbox>.Instance), new RoomTopics(_options.Address), TimeProvider.System);
        _events.Raised += _raised.Add;
    }

    private static JsonObject Device(string id, string kind, string protocol, int port) =>
        new() { ["id"] = id, ["kind"] = kind, ["protocol"] = protocol, ["host"] = "127.0.0.1", ["port"] = port };

    public void Dispose() => _dir.Dispose();

    private PlaybookSource Source() => new(_options, _db, TimeProvider.System, NullLogger<PlaybookSource>.Instance, _events);

    private static JsonObject Playbook(string id, string trigger, JsonArray actions, JsonObject? limits = null, JsonArray? devices = null)
    {
        var p = new JsonObject { ["id"] = id, ["trigger"] = new JsonObject { ["on"] = trigger }, ["actions"] = actions };
        if (devices is not null) p["trigger"]!["devices"] = devices;
        if (limits is not null) p["limits"] = limits;
        return p;
    }

    private static JsonObject Act(string what) => new() { ["do"] = what };

    private static string Office(string version, params JsonObject[] playbooks) => new JsonObject
    {
        ["schema"] = "edgeagent.playbooks/1", ["id"] = "county", ["version"] = version, ["playbooks"] = new JsonArray(playbooks),
    }.ToJsonString();

    [Fact]
    public void The_default_playbooks_are_valid_and_an_office_document_replaces_them_and_survives_a_restart()
    {
        var source = Source();
        Assert.Equal("edgeagent-default", source.Current.Id);
        Assert.Contains(source.Current.Playbooks, p => p.Trigger == HealTriggers.DisplayOff);
        Assert.True(source.Accept(Office("2027.1", Playbook("cams", "device-offline", [Act("power-cycle")], new JsonObject { ["attempts"] = 2 }, ["cam1"])), "config/playbooks"));
        var afterRestart = Source();
        Assert.Equal(("county", "2027.1"), (afterRestart.Current.Id, afterRestart.Current.Version));
        Assert.Empty(_raised);
    }

    [Fact]
    public void A_playbook_that_sets_itself_off_without_an_attempt_limit_is_rejected_with_the_loop_named()
    {
        var source = Source();
        // Power-cycling a display turns it off: a display-off playbook that power-cycles would run for ever.
        Assert.False(source.Accept(Office("2", Playbook("dark-display", "display-off", [Act("power-cycle"), Act("resend-desired")])), "config/playbooks"));
        var rejected = Assert.Single(_raised);
        Assert.Equal(EventTypes.PlaybooksRejected, rejected.Type);
        Assert.Contains("dark-display", rejected.Detail);
        Assert.Contains("could loop", rejected.Detail);
        Assert.Contains("limits.attempts", rejected.Detail);
        Assert.Contains("edgeagent-default", rejected.Detail); // what stays in force
        Assert.Equal("edgeagent-default", source.Current.Id);

        Assert.Contains("dark-display's power-cycle sets off dark-display (display-off)", rejected.Detail);

        // The same with a limit is fine.
        Assert.True(source.Accept(Office("4", Playbook("dark-display", "display-off", [Act("power-cycle"), Act("resend-desired")], new JsonObject { ["attempts"] = 2 })),
            "config/playbooks"));
    }

    [Fact]
    public void Unknown_triggers_devices_actions_and_keys_are_all_named_at_once()
    {
        var source = Source();
        var spoilt = Office("5",
            Playbook("p1", "display-sad", [Act("resend-desired")]),
            Playbook("p2", "device-offline", [Act("power-cycle")], new JsonObject { ["attempts"] = 1 }, ["cam9", "cam2"]),
            Playbook("p3", "mics-muted", [Act("dance")], new JsonObject { ["attempts"] = 0, ["later"] = true }, ["display1"]));
        Assert.False(source.Accept(spoilt, "config/playbooks"));
        var detail = Assert.Single(_raised).Detail;
        Assert.Contains("'display-sad' is not a trigger", detail);
        Assert.Contains("'cam9' is not a device of this room", detail);
        Assert.Contains("'cam2' has no mains relay (gpio.powerRelays.cam2)", detail);
        Assert.Contains("'dance' is not an action", detail);
        Assert.Contains("'display1' is a display; 'mics-muted' concerns a mic-array", detail);
        Assert.Contains("limits.attempts: must be 1..100", detail);
        Assert.Contains("limits.later: unknown key", detail);
        Assert.Equal("edgeagent-default", source.Current.Id);
    }

    [Fact]
    public void A_bad_playbooks_file_stops_the_agent_at_start_naming_the_field()
    {
        var file = Path.Combine(_dir.Path, "playbooks.json");
        File.WriteAllText(file, Office("6", Playbook("p", "display-off", [Act("resend-desired")], devices: ["projector"])));
        var config = TestConfig.Minimal(_dir.Path);
        config["playbooks"] = new JsonObject { ["file"] = file };
        var loaded = ConfigLoader.Parse(config.ToJsonString(), EdgeAgent.Service.AgentServices.ConfigRules);
        Assert.False(loaded.Ok);
        var error = Assert.Single(loaded.Errors);
        Assert.Equal("playbooks.file", error.Path);
        Assert.Contains("'projector' is not a device of this room", error.Reason);
    }
}
