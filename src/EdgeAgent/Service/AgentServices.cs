using EdgeAgent.Compliance;
using EdgeAgent.Configuration;
using EdgeAgent.Contract.Commands;
using EdgeAgent.Contract.Topics;
using EdgeAgent.Devices;
using EdgeAgent.Diagnostics;
using EdgeAgent.Kernel;
using EdgeAgent.Lessons;
using EdgeAgent.Media;
using EdgeAgent.Media.Link;
using EdgeAgent.Media.Play;
using EdgeAgent.State;
using EdgeAgent.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Service;

/// <summary>
/// The capabilities the running agent is made of, registered floor by floor in data-flow order (README, "Layout"):
/// kernel, state, devices, media, lessons, compliance, the command handlers, telemetry.
/// </summary>
public static class AgentServices
{
    public static void Add(IServiceCollection services, AgentOptions options)
    {
        // Kernel: what every floor may share.
        services.AddSingleton(new RoomTopics(options.Address));
        services.AddSingleton<CommandCounters>();
        services.AddSingleton<LiveBoard>();

        // State: the outbox and the events that go through it.
        services.AddSingleton(sp => new Outbox(sp.GetRequiredService<StateDatabase>(), options.Broker.OutboxMaxEvents,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<Outbox>>()));
        services.AddSingleton<EventSink>();
        services.AddSingleton<DiskWatch>();
        services.AddHostedService(sp => sp.GetRequiredService<DiskWatch>());

        // Devices
        services.AddSingleton<DeviceRegistry>();
        services.AddSingleton<DeviceActions>();
        services.AddSingleton<DeviceHealthPoller>();
        services.AddHostedService(sp => sp.GetRequiredService<DeviceHealthPoller>());

        // Media
        services.AddSingleton<LinkPaths>();
        services.AddSingleton<StreamService>();
        services.AddHostedService(sp => sp.GetRequiredService<StreamService>());
        services.AddSingleton<PlaybackService>();
        services.AddHostedService(sp => sp.GetRequiredService<PlaybackService>());
        services.AddSingleton<RoomMedia>();

        // Lessons
        services.AddSingleton<LessonStore>();
        services.AddSingleton<BookingSource>();
        services.AddSingleton<IOfficeDocumentReceiver>(sp => sp.GetRequiredService<BookingSource>());
        services.AddHostedService<ICalendarFeed>();
        services.AddSingleton(sp => new RoomControl(sp.GetRequiredService<DeviceRegistry>(), sp.GetRequiredService<ILogger<RoomControl>>(), options.Playback));
        services.AddSingleton<LessonRecords>();
        services.AddSingleton<LessonPlanner>();
        services.AddSingleton<LessonReporter>();
        services.AddSingleton<LessonExecutor>();
        services.AddSingleton<LessonRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<LessonRunner>());
        services.AddSingleton<Recordings.UploadQueue>();
        services.AddSingleton<Recordings.Uploader>();
        services.AddHostedService(sp => sp.GetRequiredService<Recordings.Uploader>());

        // Compliance
        services.AddSingleton<PolicySource>();
        services.AddSingleton<IOfficeDocumentReceiver>(sp => sp.GetRequiredService<PolicySource>());
        services.AddSingleton(sp => new ComplianceChecker(options,
            ComplianceProbes.For(options, sp.GetRequiredService<DeviceRegistry>(), () => sp.GetRequiredService<BookingSource>().Current,
                sp.GetRequiredService<TimeProvider>()),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ComplianceChecker>>(), sp.GetRequiredService<LinkPaths>()));
        services.AddSingleton<ComplianceStore>();
        services.AddSingleton(sp =>
        {
            var compliance = ActivatorUtilities.CreateInstance<ComplianceService>(sp);
            sp.GetRequiredService<DeviceHealthPoller>().HealthChanged += compliance.DeviceChanged;
            return compliance;
        });
        services.AddHostedService(sp => sp.GetRequiredService<ComplianceService>());

        // Healing: playbooks (data) comparing what the lesson wants with what the devices report.
        services.AddSingleton<Healing.PlaybookSource>();
        services.AddSingleton<IOfficeDocumentReceiver>(sp => sp.GetRequiredService<Healing.PlaybookSource>());
        services.AddSingleton<Healing.Healer>();
        services.AddHostedService(sp => sp.GetRequiredService<Healing.Healer>());

        // Updates: the agent decides and asks; the root updater installs.
        services.AddSingleton<Updates.UpdatePolicySource>();
        services.AddSingleton<IOfficeDocumentReceiver>(sp => sp.GetRequiredService<Updates.UpdatePolicySource>());
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<Updates.UpdateService>(sp));
        services.AddHostedService(sp => sp.GetRequiredService<Updates.UpdateService>());

        // The technician's commands: one handler for each command of the contract's allow-list (the router checks).
        services.AddSingleton<ICommandHandler, PingHandler>();
        services.AddSingleton<ICommandHandler, HealthHandler>();
        services.AddSingleton<ICommandHandler, DeviceHandler>();
        services.AddSingleton<ICommandHandler, SnapshotHandler>();
        services.AddSingleton<ICommandHandler, LogsHandler>();
        services.AddSingleton<ICommandHandler, NetTestHandler>();
        services.AddSingleton<ICommandHandler, ComplianceCheckHandler>();
        services.AddSingleton<ICommandHandler, StreamRestartHandler>();
        services.AddSingleton<ICommandHandler, LessonStartHandler>();
        services.AddSingleton<ICommandHandler, LessonStopHandler>();
        services.AddSingleton<ICommandHandler, LessonsHandler>();

        // Telemetry: downstream of everything, knows handlers and office-document receivers by interface only.
        services.AddSingleton<HealthReporter>();
        services.AddSingleton<CommandRouter>();
        services.AddSingleton<MqttLink>();
        services.AddHostedService(sp => sp.GetRequiredService<MqttLink>());
    }

    /// <summary>The configuration checks of the floors above Configuration, run by every loader of the agent's file.</summary>
    public static readonly IReadOnlyList<ConfigRule> ConfigRules = [LessonConfig.Check, Healing.PlaybookConfig.Check];
}
