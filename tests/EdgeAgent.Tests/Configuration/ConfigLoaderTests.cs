using System.Text.Json.Nodes;
using EdgeAgent.Configuration;
using EdgeAgent.Tests.TestSupport;

namespace EdgeAgent.Tests.Configuration;

public class ConfigLoaderTests
{
    private static ConfigLoadResult Parse(JsonObject config) => ConfigLoader.Parse(config.ToJsonString());

    private static JsonObject Valid() => TestConfig.Minimal("/tmp/edgeagent-unit");

    [Fact]
    public void The_documented_sample_config_is_valid()
    {
        var result = ConfigLoader.Load(Path.Combine(TestConfig.RepoRoot, "deploy/systemd/edgeagent.json"));
        Assert.True(result.Ok, string.Join("\n", result.Errors));
        Assert.Equal(RoomRole.Main, result.Options!.Role);
        Assert.Equal(4, result.Options.Devices.Count);
        Assert.Equal(1, result.Options.Devices[0].Presets!["teacher"]);
        // The two-way example: this room's codes filled into its publishing URL at load, the partner's left to each booking.
        Assert.Contains("streamid=publish:live/lanxi-wuxi-ps/room-301", result.Options.Stream.UplinkUrl);
        Assert.EndsWith("read:live/{partnerSchool}/{partnerRoom}", result.Options.Stream.PartnerUrl);
        Assert.Equal("display1", result.Options.Playback.Display);
    }

    [Fact]
    public void A_minimal_config_is_valid_and_binds_every_field()
    {
        var result = Parse(Valid());
        Assert.True(result.Ok, string.Join("\n", result.Errors));
        Assert.Equal("room-1", result.Options!.Room);
        Assert.Equal(RoomRole.Main, result.Options.Role);
        Assert.Equal(LogLevelName.Debug, result.Options.Logging.Level);
    }

    [Fact]
    public void Missing_room_is_named()
    {
        var config = Valid();
        config.Remove("room");
        var error = Assert.Single(Parse(config).Errors);
        Assert.Equal("room", error.Path);
        Assert.Contains("required", error.Reason);
    }

    [Fact]
    public void Unknown_role_is_named_with_the_allowed_values()
    {
        var config = Valid();
        config["role"] = "teacher";
        var error = Assert.Single(Parse(config).Errors);
        Assert.Equal("role", error.Path);
        Assert.Contains("main, receiving", error.Reason);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    [InlineData(-1)]
    public void A_device_with_a_bad_port_is_named_by_index(int port)
    {
        var config = Valid();
        config["devices"] = new JsonArray(
            new JsonObject { ["id"] = "cam1", ["kind"] = "camera", ["protocol"] = "visca-ip", ["host"] = "127.0.0.1", ["port"] = 52381 },
            new JsonObject { ["id"] = "display1", ["kind"] = "display", ["protocol"] = "pjlink", ["host"] = "127.0.0.1", ["port"] = port });
        var error = Assert.Single(Parse(config).Errors);
        Assert.Equal("devices[1].port", error.Path);
        Assert.Contains("out of range", error.Reason);
    }

    [Fact]
    public void A_port_of_the_wrong_type_is_named()
    {
        var config = Valid();
        config["broker"]!["port"] = "1883x";
        var error = Assert.Single(Parse(config).Errors);
        Assert.Equal("broker.port", error.Path);
        Assert.Contains("whole number", error.Reason);
    }

    [Fact]
    public void Malformed_json_names_line_and_position()
    {
        var error = Assert.Single(ConfigLoader.Parse("{\n  \"region\": \"x\",\n  \"school\" \"y\"\n}").Errors);
        Assert.Equal("json", error.Path);
        Assert.Contains("line 3", error.Reason);
    }

    [Fact]
    public void Unknown_keys_are_reported_at_every_depth_with_a_suggestion()
    {
        var config = Valid();
        config["rooom"] = "x";
        config["broker"]!["hots"] = "x";
        config["devices"] = new JsonArray(new JsonObject
        {
            ["id"] = "cam1", ["kind"] = "camera", ["protocol"] = "visca-ip", ["host"] = "h", ["port"] = 1, ["preset"] = 3,
        });
        var errors = Parse(config).Errors;
        Assert.Contains(errors, e => e.Path == "rooom" && e.Reason.Contains("'room'"));
        Assert.Contains(errors, e => e.Path == "broker.hots" && e.Reason.Contains("'host'"));
        Assert.Contains(errors, e => e.Path == "devices[0].preset" && e.Reason.Contains("'presets'"));
        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public void Derived_properties_case_variants_and_wrong_kinds_inside_lists_and_maps_are_named()
    {
        // The loader walks the serializer's own (source-generated) contract: RoomRole is computed from role, so it
        // is no key; a key differing only in case is unknown; list items and map values are checked by their type.
        var config = Valid();
        config["roomRole"] = "main";
        config["Room"] = "x";
        config["devices"] = new JsonArray(new JsonObject
        {
            ["id"] = "cam1", ["kind"] = "camera", ["protocol"] = "visca-ip", ["host"] = "h", ["port"] = 1,
            ["presets"] = new JsonObject { ["teacher"] = 1, ["board"] = "two" },
        }, "not a device");
        var errors = Parse(config).Errors;
        Assert.Contains(errors, e => e.Path == "roomRole" && e.Reason.StartsWith("unknown key", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path == "Room" && e.Reason.Contains("'room'"));
        Assert.Contains(errors, e => e.Path == "devices[0].presets.board" && e.Reason.Contains("whole number"));
        Assert.Contains(errors, e => e.Path == "devices[1]" && e.Reason.Contains("an object"));
    }

    [Fact]
    public void Every_bad_field_is_reported_in_one_pass()
    {
        var config = Valid();
        config.Remove("room");
        config["role"] = "both";
        config["colour"] = "red";
        config["broker"]!["port"] = true;
        config["stream"]!["width"] = 1281;
        var paths = Parse(config).Errors.Select(e => e.Path).ToHashSet();
        Assert.Equal(new HashSet<string> { "room", "role", "colour", "broker.port", "stream.width" }, paths);
    }

    [Fact]
    public void A_device_kind_with_the_wrong_protocol_and_duplicate_ids_are_rejected()
    {
        var config = Valid();
        config["devices"] = new JsonArray(
            new JsonObject { ["id"] = "a", ["kind"] = "camera", ["protocol"] = "pjlink", ["host"] = "h", ["port"] = 1 },
            new JsonObject { ["id"] = "a", ["kind"] = "toaster", ["protocol"] = "x" });
        var errors = Parse(config).Errors;
        Assert.Contains(errors, e => e.Path == "devices[0].protocol" && e.Reason.Contains("visca-ip"));
        Assert.Contains(errors, e => e.Path == "devices[1].id" && e.Reason.Contains("another device"));
        Assert.Contains(errors, e => e.Path == "devices[1].kind");
    }

    [Theory]
    [InlineData("region", "a/b")]
    [InlineData("school", "#")]
    [InlineData("room", "x+y")]
    public void Topic_segments_cannot_carry_mqtt_wildcards_or_separators(string field, string value)
    {
        var config = Valid();
        config[field] = value;
        Assert.Equal(field, Assert.Single(Parse(config).Errors).Path);
    }

    [Theory]
    [InlineData("uplinkUrl", "http://example.com/x")]
    [InlineData("uplinkUrl", "srt://host:9000?streamid=a b")]
    [InlineData("videoInput", "/dev/video0; rm -rf /")]
    public void Stream_values_that_would_reach_ffmpeg_are_checked(string field, string value)
    {
        var config = Valid();
        config["stream"]![field] = value;
        if (field == "videoInput") config["stream"]!["videoSource"] = "v4l2";
        Assert.Equal($"stream.{field}", Assert.Single(Parse(config).Errors).Path);
    }

    [Theory]
    [InlineData("srt://relay:8890?streamid=publish:live/a&latency=120000", "'latency' is set by the agent from the measured path")]
    [InlineData("srt://relay:8890?rcvlatency=200", "'rcvlatency' is set by the agent")]
    public void An_srt_url_may_not_fix_the_latency_the_agent_chooses(string url, string reason)
    {
        var config = Valid();
        config["stream"]!["uplinkUrl"] = url;
        config["stream"]!["partnerUrl"] = url;
        var errors = Parse(config).Errors;
        Assert.Contains(errors, e => e.Path == "stream.uplinkUrl" && e.Reason.Contains(reason, StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path == "stream.partnerUrl" && e.Reason.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Ladder_rungs_go_down_from_the_stream_and_latency_bounds_are_checked()
    {
        var config = Valid();
        config["stream"]!["width"] = 1280;
        config["stream"]!["height"] = 720;
        config["stream"]!["videoBitrateKbps"] = 2500;
        config["stream"]!["srtLatencyMinMs"] = 500;
        config["stream"]!["srtLatencyMaxMs"] = 400;
        config["stream"]!["ladder"] = new JsonObject
        {
            ["upAfterSeconds"] = 1,
            ["rungs"] = new JsonArray(
                new JsonObject { ["width"] = 1920, ["height"] = 1080, ["videoBitrateKbps"] = 1200 },
                new JsonObject { ["width"] = 640, ["height"] = 360, ["videoBitrateKbps"] = 1500 }),
        };
        var errors = Parse(config).Errors.Select(e => $"{e.Path}: {e.Reason}").ToList();
        Assert.Contains(errors, e => e.StartsWith("stream.ladder.upAfterSeconds: ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("stream.srtLatencyMaxMs: 400 is below stream.srtLatencyMinMs (500)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("stream.ladder.rungs[0]: 1920x1080 is larger than the rung above it (1280x720)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("stream.ladder.rungs[1].videoBitrateKbps: 1500 is not below the rung above it (1200)", StringComparison.Ordinal));
    }

    [Fact]
    public void The_default_ladder_of_an_srt_uplink_ends_on_a_rung_that_fits_half_a_megabit()
    {
        var config = Valid();
        config["stream"]!["width"] = 1280;
        config["stream"]!["height"] = 720;
        config["stream"]!["videoBitrateKbps"] = 2500;
        config["stream"]!["uplinkUrl"] = "srt://relay:8890";
        var rungs = Ladder.Of(Parse(config).Options!.Stream);
        Assert.Equal(["720p 2.5 Mbit/s", "720p 1.2 Mbit/s", "360p 0.25 Mbit/s"], rungs.Select(r => r.Name));
        Assert.True(rungs[^1].NeededMbps < 0.4, $"{rungs[^1].NeededMbps} Mbit/s");
        config["stream"]!["uplinkUrl"] = "rtmp://relay/live/room";
        Assert.Single(Ladder.Of(Parse(config).Options!.Stream)); // nothing measures an RTMP link: one rung
    }

    [Fact]
    public void An_unreadable_file_is_reported_not_thrown()
    {
        using var dir = new TempDir();
        var error = Assert.Single(ConfigLoader.Load(dir.File("missing.json")).Errors);
        Assert.Equal("file", error.Path);
        Assert.Contains("missing.json", error.Reason);
    }

    [Fact]
    public void Relative_directories_resolve_against_the_config_file()
    {
        using var dir = new TempDir();
        var config = Valid();
        config["stateDirectory"] = "state";
        config["recording"]!["directory"] = "rec";
        var result = ConfigLoader.Load(TestConfig.Write(dir, config));
        Assert.True(result.Ok, string.Join("\n", result.Errors));
        Assert.Equal(Path.Combine(dir.Path, "state"), result.Options!.StateDirectory);
        Assert.Equal(Path.Combine(dir.Path, "rec"), result.Options.Recording.Directory);
    }

    [Fact]
    public void Tls_files_must_exist_when_tls_is_on()
    {
        var config = Valid();
        config["broker"]!["tls"] = new JsonObject { ["enabled"] = true, ["caFile"] = "/nonexistent/ca.pem", ["certFile"] = "/nonexistent/c.pem" };
        var errors = Parse(config).Errors;
        Assert.Contains(errors, e => e.Path == "broker.tls.caFile");
        Assert.Contains(errors, e => e.Path == "broker.tls.keyFile" && e.Reason.Contains("both"));
    }

    [Fact]
    public void An_upload_names_a_remote_of_its_rclone_file_that_exists_and_the_target_is_filled_with_the_room()
    {
        using var dir = new TempDir();
        var rclone = dir.File("rclone.conf");
        File.WriteAllText(rclone, "[office]\ntype = webdav\nurl = http://127.0.0.1:1/\n");
        JsonObject With(JsonObject upload)
        {
            var c = Valid();
            c["recording"]!["upload"] = upload;
            return c;
        }

        var ok = Parse(With(new JsonObject { ["target"] = "office:lessons/{school}/{room}", ["configFile"] = rclone }));
        Assert.True(ok.Ok, string.Join("\n", ok.Errors));
        Assert.Equal($"office:lessons/{ok.Options!.School}/{ok.Options.Room}", ok.Options.Recording.Upload.Target);

        // An inline remote would carry credentials in this file; a missing rclone file is named; so is a URL without {file}.
        var inline = Parse(With(new JsonObject { ["target"] = ":webdav,url='http://u:secret@h/':lessons", ["configFile"] = rclone }));
        var error = Assert.Single(inline.Errors);
        Assert.Equal("recording.upload.target", error.Path);
        Assert.DoesNotContain("secret", error.Reason);
        Assert.Equal("recording.upload.configFile", Assert.Single(Parse(With(new JsonObject { ["target"] = "office:x", ["configFile"] = dir.File("none.conf") })).Errors).Path);
        Assert.Equal("recording.upload.urlTemplate",
            Assert.Single(Parse(With(new JsonObject { ["target"] = "office:x", ["configFile"] = rclone, ["urlTemplate"] = "https://h/lessons" })).Errors).Path);
    }
}
