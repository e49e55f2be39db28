using EdgeAgent.Kernel;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.State;

/// <summary>Brings the state database up before anything else starts (hosted services start in order).</summary>
public sealed partial class StateStartup(StateDatabase database, TimeProvider time, ILogger<StateStartup> log) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        database.Migrate();
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO agent_starts (started_at, version, pid) VALUES ($t, $v, $p); SELECT COUNT(*) FROM agent_starts;";
        command.Parameters.AddWithValue("$t", time.GetUtcNow().ToString("O"));
        command.Parameters.AddWithValue("$v", AgentVersion.Current);
        command.Parameters.AddWithValue("$p", Environment.ProcessId);
        var starts = Convert.ToInt64(command.ExecuteScalar());
        LogOpened(database.FilePath, database.Version, starts);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "State database {Path} open at schema version {Version}; agent start number {Starts}")]
    private partial void LogOpened(string path, int version, long starts);
}
