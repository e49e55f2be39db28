using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using EdgeAgent.Tests.TestSupport;

namespace EdgeAgent.Tests.Deploy;

public class SystemdUnitTests
{
    private static string UnitPath => Path.Combine(TestConfig.RepoRoot, "deploy/systemd/edgeagent.service");

    [SkippableFact]
    public void Unit_exposure_is_at_most_2_0_offline()
    {
        Skip.IfNot(File.Exists("/usr/bin/systemd-analyze"), "systemd-analyze is not installed (scripts/install-deps.sh installs it)");
        var info = new ProcessStartInfo("systemd-analyze") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "security", "--offline=true", "--no-pager", UnitPath }) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        var match = Regex.Match(output, @"Overall exposure level for edgeagent\.service: ([0-9.]+)");
        Assert.True(match.Success, output);
        var exposure = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(exposure <= 2.0, $"exposure {exposure} > 2.0:\n{output}");
    }

    [Fact]
    public void Unit_is_notify_with_watchdog_and_does_not_restart_on_a_config_error()
    {
        var lines = File.ReadAllLines(UnitPath).Select(l => l.Trim()).ToList();
        Assert.Contains("Type=notify", lines);
        Assert.Contains("Restart=on-failure", lines);
        Assert.Contains("RestartPreventExitStatus=78", lines);
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^WatchdogSec=\d+$"));
        Assert.Contains(lines, l => l.StartsWith("ExecStart=/usr/bin/edgeagent run --config /etc/edgeagent/edgeagent.json"));
        Assert.Contains("User=edgeagent", lines);
        Assert.Contains("StateDirectory=edgeagent", lines);
        Assert.Contains("LogsDirectory=edgeagent", lines);
        Assert.Contains("ConfigurationDirectory=edgeagent", lines);
    }

    [SkippableFact]
    public void The_unit_lets_the_partner_player_reach_the_display_and_the_speakers()
    {
        var lines = File.ReadAllLines(UnitPath).Select(l => l.Trim()).Where(l => !l.StartsWith('#')).ToList();
        // mpv draws on the display through DRM (/dev/dri/card*, group video) and plays through ALSA (/dev/snd/*, group audio).
        Assert.Contains("DevicePolicy=closed", lines);
        Assert.Contains("DeviceAllow=char-drm rw", lines);
        Assert.Contains("DeviceAllow=char-alsa rw", lines);
        Assert.Contains("PrivateDevices=no", lines);
        var groups = lines.Single(l => l.StartsWith("SupplementaryGroups=", StringComparison.Ordinal))["SupplementaryGroups=".Length..].Split(' ');
        Assert.Contains("video", groups);
        Assert.Contains("audio", groups);
        // Its IPC socket and slate are under the state directory, which the unit makes writable.
        Assert.Contains("StateDirectory=edgeagent", lines);
        Assert.Contains("ProtectSystem=strict", lines);

        // systemd itself reads the device list that way (offline: no systemd as PID 1 here).
        Skip.IfNot(File.Exists("/usr/bin/systemd-analyze"), "systemd-analyze is not installed");
        var info = new ProcessStartInfo("systemd-analyze") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "security", "--offline=true", "--no-pager", UnitPath }) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        var acl = output.Split('\n').Single(l => l.Contains("DeviceAllow=", StringComparison.Ordinal));
        Assert.Contains("char-drm:rw", acl);
        Assert.Contains("char-alsa:rw", acl);
        Assert.DoesNotContain("Unknown key", output);
    }
}
