using EdgeAgent.Compliance;
using EdgeAgent.Configuration;
using EdgeAgent.Devices;
using EdgeAgent.Lessons;
using EdgeAgent.Diagnostics;
using EdgeAgent.State;
using EdgeAgent.Streaming;
using EdgeAgent.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Service;

/// <summary>
/// The capabilities the running agent is made of, registered in data-flow order:
/// drivers, lessons, stream, compliance, telemetry. Each capability folder adds its own services here.
/// </summary>
public static class AgentServices
{
    public static void Add(IServiceCollection services, AgentOptions options)
    {
        // Devices
        services.AddSingleton<DeviceRegistry>();
        services.AddSingleton<DeviceActions>();
        services.AddSingleton<DeviceHealthPoller>();
        services.AddHostedService(sp => sp.GetRequiredService<DeviceHealthPoller>());

        // Telemetry and the technician's commands (the allow-list is exactly the commands registered here)
        services.AddSingleton<Topics>();
        services.AddSingleton(sp => new Outbox(sp.GetRequiredService<StateDatabase>(), options.Broker.OutboxMaxEvents,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<Outbox>>()));
        services.AddSingleton<EventSink>();
        services.AddSingleton<HealthReporter>();
        services.AddSingleton<StreamService>();
        services.AddHostedService(sp => sp.GetRequiredService<StreamService>());
        services.AddSingleton<LessonStore>();
        services.AddSingleton<BookingSource>();
        services.AddSingleton<RoomControl>();
        services.AddSingleton<LessonRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<LessonRunner>());
        services.AddSingleton<PolicySource>();
        services.AddSingleton(sp => new ComplianceChecker(options,
            ComplianceProbes.For(options, sp.GetRequiredService<DeviceRegistry>(), () => sp.GetRequiredService<BookingSource>().Current,
                sp.GetRequiredService<TimeProvider>(), () => null),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ComplianceChecker>>()));
        services.AddSingleton<ComplianceService>();
        services.AddHostedService(sp => sp.GetRequiredService<ComplianceService>());
        services.AddSingleton<CommandCounters>();
        services.AddSingleton<IDiagnosticCommand, PingCommand>();
        services.AddSingleton<IDiagnosticCommand, HealthCommand>();
        services.AddSingleton<IDiagnosticCommand, DeviceCommand>();
        services.AddSingleton<IDiagnosticCommand, SnapshotCommand>();
        services.AddSingleton<IDiagnosticCommand, LogsCommand>();
        services.AddSingleton<IDiagnosticCommand, NetTestCommand>();
        services.AddSingleton<IDiagnosticCommand, ComplianceCheckCommand>();
        services.AddSingleton<IDiagnosticCommand, StreamRestartCommand>();
        services.AddSingleton<IDiagnosticCommand, LessonStartCommand>();
        services.AddSingleton<IDiagnosticCommand, LessonStopCommand>();
        services.AddSingleton<IDiagnosticCommand, LessonsCommand>();
        services.AddSingleton<CommandRouter>();
        services.AddSingleton<MqttLink>();
        // The feeds subscribe to config/+ before the link connects, so that no retained document is missed.
        services.AddHostedService<TimetableFeed>();
        services.AddHostedService<PolicyFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<MqttLink>());
    }
}
