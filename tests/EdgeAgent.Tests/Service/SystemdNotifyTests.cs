using EdgeAgent.Tests.TestSupport;
using Microsoft.Data.Sqlite;

namespace EdgeAgent.Tests.Service;

/// <summary>The real executable talks the sd_notify protocol to a socket this test owns (no systemd needed).</summary>
public class SystemdNotifyTests
{
    [Fact]
    public async Task Agent_sends_READY_after_the_state_database_then_WATCHDOG_and_STOPPING_on_SIGTERM()
    {
        using var dir = new TempDir();
        using var notify = new NotifySocket(dir);
        var configPath = TestConfig.Write(dir, TestConfig.Minimal(dir.Path));
        using var agent = AgentProcess.Start(["run", "--config", configPath], new Dictionary<string, string>
        {
            ["NOTIFY_SOCKET"] = notify.Path,
            ["WATCHDOG_USEC"] = "400000", // systemd's WatchdogSec=0.4: pings every 200 ms
        });

        await notify.WaitForAsync("READY=1", TimeSpan.FromSeconds(60));
        // READY=1 means the state database was already migrated and this start recorded.
        using (var db = new SqliteConnection($"Data Source={Path.Combine(dir.Path, "state", "state.db")};Mode=ReadOnly;Pooling=False"))
        {
            db.Open();
            using var q = db.CreateCommand();
            q.CommandText = "SELECT COUNT(*) FROM agent_starts";
            Assert.Equal(1L, (long)q.ExecuteScalar()!);
        }

        for (var i = 0; i < 3; i++)
            Assert.Empty(await notify.WaitForAsync("WATCHDOG=1", TimeSpan.FromSeconds(10)));

        agent.Signal(AgentProcess.SIGTERM);
        await notify.WaitForAsync("STOPPING=1", TimeSpan.FromSeconds(10));
        var code = await agent.WaitForExitAsync(TimeSpan.FromSeconds(10));
        Assert.True(code == 0, agent.Stderr);
        Assert.DoesNotContain("READY=1", notify.All.SkipWhile(m => m != "READY=1").Skip(1));
    }

    [Fact]
    public async Task Without_NOTIFY_SOCKET_the_agent_runs_and_stops_cleanly_on_SIGTERM()
    {
        using var dir = new TempDir();
        var configPath = TestConfig.Write(dir, TestConfig.Minimal(dir.Path));
        using var agent = AgentProcess.Start(["run", "--config", configPath]);
        await Eventually.True(() => agent.Stderr.Contains("agent start number 1"), TimeSpan.FromSeconds(60), "the agent to open its state database");
        agent.Signal(AgentProcess.SIGTERM);
        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(dir.Path, "logs"), "edgeagent-*.json"));
    }
}
