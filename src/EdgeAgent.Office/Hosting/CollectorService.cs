using EdgeAgent.Office.Collecting;
using EdgeAgent.Office.Configuration;
using EdgeAgent.Office.Store;

namespace EdgeAgent.Office.Hosting;

/// <summary>The collector (every lesson record, event and compliance report, stored once each) as part of the office service.</summary>
public sealed class CollectorService(OfficeOptions options, OfficeStore store, ILogger<CollectorService> log, TimeProvider time) : BackgroundService
{
    public Collector Collector { get; } = new(options.Broker, store, options.Collector.Name, options.Collector.Share, new LogWriter(log), time);

    protected override Task ExecuteAsync(CancellationToken ct) => Collector.RunAsync(ct);

    /// <summary>The collector writes sentences; they go to the service's log.</summary>
    private sealed class LogWriter(ILogger log) : TextWriter
    {
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;
        public override void WriteLine(string? value) => log.LogInformation("{Line}", value);
    }
}
