using EdgeAgent.Cli;
using EdgeAgent.Ctl;
using EdgeAgent.Ctl.Broker;
using EdgeAgent.Tests.TestSupport;

namespace EdgeAgent.Tests.Cli;

/// <summary>
/// Every usage error of both command lines exits 64 (EX_USAGE) with one line naming the command and the fault, before
/// anything runs (no configuration read, no broker dialled). Results keep their own codes (tested with each command).
/// </summary>
public sealed class UsageExitCodeTests
{
    public static TheoryData<string[], string> AgentUsageErrors => new()
    {
        { [], "edgeagent: a command is needed (run, validate, check, device, lessons)" },
        { ["--bogus"], "unknown option '--bogus'" },
        { ["nonsense"], "unexpected argument 'nonsense'" },
        { ["run", "--bogus"], "edgeagent run: unknown option '--bogus'" },
        { ["validate", "--bogus"], "edgeagent validate: unknown option '--bogus'" },
        { ["check", "--bogus"], "edgeagent check: unknown option '--bogus'" },
        { ["lessons", "--bogus"], "edgeagent lessons: unknown option '--bogus'" },
        { ["lessons", "--days", "-3"], "edgeagent lessons: --days takes a whole number of days from 1 to 62, not '-3'" },
        { ["lessons", "--days", "100"], "--days takes a whole number of days from 1 to 62, not '100'" },
        { ["lessons", "--days", "x"], "--days takes a whole number of days from 1 to 62, not 'x'" },
        { ["lessons", "--from", "2022-13-01"], "--from takes a date like 2022-11-14, not '2022-13-01'" },
        { ["device"], "edgeagent device: missing <device> (a device id from the configuration, e.g. cam1) and <action> (the operation:" },
        { ["device", "cam1"], "edgeagent device: missing <action> (the operation:" },
        { ["device", "cam1", "status", "--jsn"], "edgeagent device: unknown option '--jsn'" },
    };

    [Theory]
    [MemberData(nameof(AgentUsageErrors))]
    public async Task Edgeagent_usage_errors_exit_64_with_one_line(string[] args, string expected)
    {
        // A config that does not exist: a usage error must be found before the configuration is read.
        var (code, stdout, stderr) = await AgentProcess.RunAsync([.. args, .. args.Length > 0 && args[0] is not "--bogus" and not "nonsense" ? new[] { "--config", "/nonexistent/edgeagent.json" } : []]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, line);
        Assert.EndsWith("--help')", line);
        Assert.DoesNotContain("Required argument missing", line);
    }

    [Fact]
    public async Task The_device_command_takes_json_and_negative_numbers_as_what_they_are()
    {
        // Parsed: the next fault is the missing configuration (78), not a usage error and not an action argument.
        var (json, _, jsonErr) = await AgentProcess.RunAsync("device", "cam1", "status", "--json", "--config", "/nonexistent/edgeagent.json");
        Assert.True(json == ExitCodes.Config, jsonErr);
        var (negative, _, negativeErr) = await AgentProcess.RunAsync("device", "cam1", "position", "-100", "5", "--config", "/nonexistent/edgeagent.json");
        Assert.True(negative == ExitCodes.Config, negativeErr);
    }

    public static TheoryData<string[], string> CtlUsageErrors => new()
    {
        { [], "edgeagent-ctl: a command is needed (rooms, status, update, diag, report)" },
        { ["nonsense"], "unexpected argument 'nonsense'" },
        { ["rooms", "--bogus"], "edgeagent-ctl rooms: unknown option '--bogus'" },
        { ["rooms", "extra"], "edgeagent-ctl rooms: unexpected argument 'extra'" },
        { ["status"], "edgeagent-ctl status: missing <room>" },
        { ["status", "zj/s/r", "--bogus"], "edgeagent-ctl status: unknown option '--bogus'" },
        { ["diag", "zj/s/r"], "edgeagent-ctl diag: missing <command> (ping, health," },
        { ["diag", "zj/s/r", "ping", "--timeout", "abc"], "--timeout: 'abc' is not a number of seconds" },
        { ["diag", "zj/s/r", "reboot"], "not an agent command" },
        { ["report", "--bogus", "--db", "x.db"], "edgeagent-ctl report: unknown option '--bogus'" },
        { ["report"], "'--db' is required" },
        { ["report", "--db", "x.db", "--month", "2026-13"], "there is no month 13" },
    };

    [Theory]
    [MemberData(nameof(CtlUsageErrors))]
    public async Task Edgeagent_ctl_usage_errors_exit_64_with_one_line(string[] args, string expected)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        // A broker port nobody listens on: a usage error must be found before the broker is dialled (that would be 3).
        var code = await CtlCli.InvokeAsync([.. args, .. args.Length > 0 && args[0] is not "nonsense" ? new[] { "--broker", $"127.0.0.1:{Machine.FreeTcpPort()}" } : []], output, error);
        Assert.True(code == CtlExit.Usage, $"exit {code}: {error}");
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, line);
        Assert.DoesNotContain("Required argument missing", line);
    }

    public static TheoryData<string[], string> OfficeUsageErrors => new()
    {
        { ["nonsense"], "unexpected argument 'nonsense'" },
        { ["user", "add", "x"], "'--role' is required" },
        { ["user", "add", "x", "--role", "boss"], "boss" },
        { ["rules", "set"], "missing <file>" },
    };

    [Theory]
    [MemberData(nameof(OfficeUsageErrors))]
    public async Task Edgeagent_office_usage_errors_exit_64_with_one_line(string[] args, string expected)
    {
        var error = new StringWriter();
        var code = await EdgeAgent.Office.OfficeCli.InvokeAsync(args, new StringWriter(), error, new StringReader(""));
        Assert.True(code == EdgeAgent.Office.OfficeCli.Usage, $"exit {code}: {error}");
        Assert.Contains(expected, Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public async Task Edgeagent_office_refuses_a_bad_config_with_78_naming_the_field()
    {
        using var dir = new TempDir();
        var file = dir.Write("office.json", """{ "broker": { "host": "127.0.0.1", "port": 70000 }, "database": "/tmp/x.db" }""");
        var error = new StringWriter();
        Assert.Equal(EdgeAgent.Office.OfficeCli.Config, await EdgeAgent.Office.OfficeCli.InvokeAsync(["validate", "-c", file], new StringWriter(), error, new StringReader("")));
        Assert.Contains("broker.port: must be 1-65535", error.ToString());
        var unknown = dir.Write("unknown.json", """{ "database": "/tmp/x.db", "listen": "http://127.0.0.1:1", "colour": "red" }""");
        error = new StringWriter();
        Assert.Equal(EdgeAgent.Office.OfficeCli.Config, await EdgeAgent.Office.OfficeCli.InvokeAsync(["run", "-c", unknown], new StringWriter(), error, new StringReader("")));
        Assert.Contains("colour", error.ToString());
    }
}
