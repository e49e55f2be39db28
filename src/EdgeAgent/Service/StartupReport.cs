using EdgeAgent.Configuration;
using EdgeAgent.Kernel;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Service;

/// <summary>Says in the log who this agent is, and when it is ready (the moment READY=1 goes to systemd).</summary>
public sealed partial class StartupReport(AgentOptions options, IHostApplicationLifetime lifetime, ILogger<StartupReport> log) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        LogStarting(AgentVersion.Current, options.Address.Root, Contract.Vocabulary.Words.Of(options.Role), options.Devices.Count);
        lifetime.ApplicationStarted.Register(() => LogReady());
        lifetime.ApplicationStopping.Register(() => LogStopping());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "EdgeAgent {Version} starting for {Room} (role {Role}, {Devices} devices)")]
    private partial void LogStarting(string version, string room, string role, int devices);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information, Message = "EdgeAgent ready")]
    private partial void LogReady();

    [LoggerMessage(EventId = 1012, Level = LogLevel.Information, Message = "EdgeAgent stopping")]
    private partial void LogStopping();
}
