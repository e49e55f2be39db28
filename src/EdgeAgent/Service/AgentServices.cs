using EdgeAgent.Configuration;
using EdgeAgent.Devices;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeAgent.Service;

/// <summary>
/// The capabilities the running agent is made of, registered in data-flow order:
/// drivers, lessons, stream, compliance, telemetry. Each capability folder adds its own services here.
/// </summary>
public static class AgentServices
{
    public static void Add(IServiceCollection services, AgentOptions options)
    {
        services.AddSingleton<DeviceRegistry>();
        services.AddSingleton<DeviceActions>();
        services.AddSingleton<DeviceHealthPoller>();
        services.AddHostedService(sp => sp.GetRequiredService<DeviceHealthPoller>());
    }
}
