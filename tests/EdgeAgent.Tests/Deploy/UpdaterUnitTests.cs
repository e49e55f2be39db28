using EdgeAgent.Configuration;
using EdgeAgent.Tests.TestSupport;
using EdgeAgent.Updates;

namespace EdgeAgent.Tests.Deploy;

/// <summary>
/// The root updater's units (deploy/update): the watch starts the updater when the agent's request appears where the
/// agent writes it; the updater runs its one script as a oneshot and is never enabled on its own; the agent stays the
/// unprivileged, hardened unit (its exposure: <see cref="SystemdUnitTests"/>).
/// </summary>
public class UpdaterUnitTests
{
    private static List<string> Lines(string file) =>
        File.ReadAllLines(Path.Combine(TestConfig.RepoRoot, "deploy/update", file)).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

    [Fact]
    public void The_watch_starts_the_updater_on_the_request_the_agent_writes_by_default()
    {
        var options = new AgentOptions();
        var request = Path.Combine(options.Update.Directory ?? Path.Combine(options.StateDirectory, "update"), UpdateFiles.Request);
        var path = Lines("edgeagent-update.path");
        Assert.Contains($"PathExists={request}", path);
        Assert.Contains("Unit=edgeagent-update.service", path);
        Assert.Contains("WantedBy=paths.target", path);
        Assert.Equal("/var/lib/edgeagent-update/result", options.Update.ResultFile);
        var script = File.ReadAllText(Path.Combine(TestConfig.RepoRoot, "deploy/update/edgeagent-update")).Split('\n').Select(l => l.Split(' ')[0]).ToList();
        Assert.Contains($"agent_dir={Path.GetDirectoryName(request)}", script);
        Assert.Contains("own_dir=/var/lib/edgeagent-update", script);
    }

    [Fact]
    public void The_updater_is_a_oneshot_running_only_its_script_and_never_enabled_on_its_own()
    {
        var service = Lines("edgeagent-update.service");
        Assert.Contains("Type=oneshot", service);
        Assert.Equal(["ExecStart=/usr/lib/edgeagent/edgeagent-update"], service.Where(l => l.StartsWith("Exec", StringComparison.Ordinal)));
        Assert.DoesNotContain("[Install]", service);
        Assert.Contains("NoNewPrivileges=yes", service);
        Assert.Contains("ProtectHome=yes", service);
        Assert.DoesNotContain(service, l => l.StartsWith("User=", StringComparison.Ordinal)); // root: it runs apt
    }
}
