using System.Text.Json.Nodes;
using EdgeAgent.Configuration;
using EdgeAgent.Service;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>The whole agent host in the test process (same services as <c>edgeagent run</c>), for tests that need its parts.</summary>
public sealed class InProcessAgent : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly Serilog.Core.Logger _logger;

    private InProcessAgent(IHost host, Serilog.Core.Logger logger)
    {
        _host = host;
        _logger = logger;
    }

    public IServiceProvider Services => _host.Services;
    public T Get<T>() where T : notnull => _host.Services.GetRequiredService<T>();

    public static async Task<InProcessAgent> StartAsync(JsonObject config, Action<IServiceCollection>? extra = null)
    {
        var loaded = ConfigLoader.Parse(config.ToJsonString(), EdgeAgent.Service.AgentServices.ConfigRules);
        if (!loaded.Ok) throw new InvalidOperationException(string.Join("\n", loaded.Errors));
        var options = loaded.Options!;
        options.Logging.Console = false;
        var logger = (Serilog.Core.Logger)AgentLogging.Create(options.Logging, options.LogsDirectory);
        var host = AgentHost.Build(options, logger, services =>
        {
            AgentServices.Add(services, options);
            extra?.Invoke(services);
        });
        await host.StartAsync();
        return new InProcessAgent(host, logger);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(TimeSpan.FromSeconds(10));
        _host.Dispose();
        await _logger.DisposeAsync();
    }
}
