using EdgeAgent.Configuration;
using EdgeAgent.Kernel;
using EdgeAgent.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Serilog;

namespace EdgeAgent.Service;

/// <summary>
/// Builds the agent's host from validated options. Start order is the data flow of ARCHITECTURE.md:
/// state database, then drivers, then lessons, stream and telemetry; READY=1 goes to systemd only when
/// all of them have started (SystemdLifetime sends it on ApplicationStarted).
/// </summary>
public static class AgentHost
{
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(10);

    public static IHost Build(AgentOptions options, Serilog.ILogger logger, Action<IServiceCollection>? extra = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ApplicationName = "edgeagent",
            ContentRootPath = AppContext.BaseDirectory,
        });
        var services = builder.Services;
        services.AddSystemd(); // UseSystemd() for HostApplicationBuilder

        // UseSystemd() only activates when the parent process is systemd. The notify protocol itself only
        // needs NOTIFY_SOCKET, so honour it whenever it is set (tests, other supervisors such as s6).
        services.TryAddSingleton<ISystemdNotifier, SystemdNotifier>();
        if (!SystemdHelpers.IsSystemdService() && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NOTIFY_SOCKET")))
            services.AddSingleton<IHostLifetime, SystemdLifetime>();

        services.Configure<HostOptions>(o =>
        {
            o.ShutdownTimeout = ShutdownTimeout;
            // One failing loop must not take the others down silently: stop and let systemd restart us.
            o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost;
        });
        services.AddLogging(l => l.ClearProviders().AddSerilog(logger, dispose: false));

        services.AddSingleton(options);

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<MainLoops>();
        services.AddSingleton<Degradation>();
        services.TryAddSingleton(WatchdogSettings.FromEnvironment());
        services.AddSingleton(sp => new StateDatabase(options.StateDirectory, sp.GetRequiredService<ILogger<StateDatabase>>()));

        // Hosted services start in registration order.
        services.AddHostedService<StartupReport>();
        services.AddHostedService<StateStartup>();
        extra?.Invoke(services);
        services.AddSingleton<Watchdog>();
        services.AddHostedService(sp => sp.GetRequiredService<Watchdog>());
        return builder.Build();
    }
}
