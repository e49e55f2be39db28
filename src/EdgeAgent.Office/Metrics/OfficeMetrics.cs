using EdgeAgent.Office.Alerts;
using EdgeAgent.Office.Fleet;
using EdgeAgent.Office.Hosting;
using EdgeAgent.Office.Store;
using Prometheus;

namespace EdgeAgent.Office.Metrics;

/// <summary>
/// The fleet's figures for Prometheus on <c>/metrics</c> (Prometheus naming: <c>edgeagent_office_</c> prefix, base units,
/// <c>_total</c> for counters), taken from the live fleet and the store when scraped.
/// </summary>
public sealed class OfficeMetrics
{
    public CollectorRegistry Registry { get; } = Prometheus.Metrics.NewCustomRegistry();

    public OfficeMetrics(FleetLive live, FleetFeed feed, CollectorService collector, AlertEngine alerts, Notifier notifier, OfficeStore store)
    {
        var f = Prometheus.Metrics.WithCustomRegistry(Registry);
        var rooms = f.CreateGauge("edgeagent_office_rooms", "Rooms known to the office by connection state.", "state");
        var devices = f.CreateGauge("edgeagent_office_devices_not_online", "Devices of online rooms whose state is not online.");
        var compliance = f.CreateGauge("edgeagent_office_rooms_compliance", "Rooms by their latest compliance verdict.", "verdict");
        var lessons = f.CreateGauge("edgeagent_office_lessons", "Lesson records stored, by status.", "status");
        var stored = f.CreateCounter("edgeagent_office_collector_stored_total", "Documents the collector stored since the service started.");
        var duplicates = f.CreateCounter("edgeagent_office_collector_duplicates_total", "Documents received again and not stored twice since the service started.");
        var rejected = f.CreateCounter("edgeagent_office_collector_rejected_total", "Documents refused as not the contract's since the service started.");
        var lag = f.CreateGauge("edgeagent_office_collector_lag_seconds", "Between the newest stored event's own time and its arrival at the office.");
        var connected = f.CreateGauge("edgeagent_office_broker_connected", "1 while the fleet view is connected to the broker.");
        var updates = f.CreateCounter("edgeagent_office_live_updates_published_total", "Room changes announced to open console pages since the service started.");
        var open = f.CreateGauge("edgeagent_office_alerts_open", "Alerts raised and not resolved, by severity.", "severity");
        var unacknowledged = f.CreateGauge("edgeagent_office_alerts_unacknowledged", "Open alerts nobody has acknowledged yet.");
        var raised = f.CreateCounter("edgeagent_office_alerts_raised_total", "Alerts raised since the service started.");
        var pending = f.CreateGauge("edgeagent_office_notifications_pending", "Webhook calls and mails not delivered yet.");
        var failed = f.CreateCounter("edgeagent_office_notification_failures_total", "Notification attempts that failed (each is tried again).");
        Registry.AddBeforeCollectCallback(async ct =>
        {
            var all = live.Rooms;
            rooms.WithLabels("online").Set(all.Count(r => r.View.Online == true));
            rooms.WithLabels("offline").Set(all.Count(r => r.View.Online != true));
            devices.Set(all.Where(r => r.View.Online == true).Sum(r => r.View.DeviceProblems.Count));
            foreach (var verdict in new[] { "pass", "warn", "fail", "unknown" })
                compliance.WithLabels(verdict).Set(all.Count(r => r.View.Compliance?.Verdict == verdict));
            foreach (var (status, n) in await store.LessonCountsAsync(ct).ConfigureAwait(false)) lessons.WithLabels(status).Set(n);
            stored.IncTo(collector.Collector.Stored);
            duplicates.IncTo(collector.Collector.Duplicates);
            rejected.IncTo(collector.Collector.Rejected);
            lag.Set(store.LastLag?.TotalSeconds ?? 0);
            connected.Set(live.IsConnected ? 1 : 0);
            updates.IncTo(feed.Published);
            var openAlerts = alerts.Open;
            foreach (var severity in Severities.All) open.WithLabels(severity).Set(openAlerts.Count(a => a.Severity == severity));
            unacknowledged.Set(openAlerts.Count(a => a.AcknowledgedAt is null));
            raised.IncTo(alerts.Raised);
            pending.Set(await store.PendingNotificationsAsync(ct).ConfigureAwait(false));
            failed.IncTo(notifier.Failed);
        });
    }
}
