using EdgeAgent.Kernel;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.State;

/// <summary>
/// Brings the state database up before anything else starts (hosted services start in order). On a full volume the
/// agent still starts, degraded and saying so; <see cref="DiskWatch"/> finishes the job when room returns.
/// </summary>
public sealed partial class StateStartup(StateDatabase database, Degradation degradation, TimeProvider time, ILogger<StateStartup> log) : IHostedService
{
    public const string Cause = "state";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        TryOpen(database, degradation, time, log);
        return Task.CompletedTask;
    }

    /// <summary>Migrates and records this start; on a full disk marks the agent degraded instead of failing. True when open.</summary>
    internal static bool TryOpen(StateDatabase database, Degradation degradation, TimeProvider time, ILogger log)
    {
        try
        {
            database.Migrate();
        }
        catch (SqliteException e) when (DiskSpace.IsFull(e))
        {
            degradation.Set(Cause, $"the state database cannot be opened (disk full: {e.Message}); lesson records and events are kept in memory until room returns");
            LogUnavailable(log, database.FilePath, e.Message);
            return false;
        }
        degradation.Clear(Cause);
        try
        {
            var starts = database.Write(connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = "INSERT INTO agent_starts (started_at, version, pid) VALUES ($t, $v, $p); SELECT COUNT(*) FROM agent_starts;";
                command.Parameters.AddWithValue("$t", time.GetUtcNow().ToString("O"));
                command.Parameters.AddWithValue("$v", AgentVersion.Current);
                command.Parameters.AddWithValue("$p", Environment.ProcessId);
                return Convert.ToInt64(command.ExecuteScalar());
            });
            LogOpened(log, database.FilePath, database.Version, starts);
        }
        catch (SqliteException e)
        {
            LogStartNotRecorded(log, e.Message);
        }
        return true;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "State database {Path} open at schema version {Version}; agent start number {Starts}")]
    private static partial void LogOpened(ILogger log, string path, int version, long starts);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Error, Message = "State database {Path} cannot be opened ({Reason}): running degraded until the disk has room")]
    private static partial void LogUnavailable(ILogger log, string path, string reason);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Warning, Message = "This start is not recorded in the state database ({Reason})")]
    private static partial void LogStartNotRecorded(ILogger log, string reason);
}
