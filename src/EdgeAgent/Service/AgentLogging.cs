using EdgeAgent.Configuration;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Kernel;
using Serilog.Core;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace EdgeAgent.Service;

/// <summary>
/// Serilog for the agent: human-readable lines on stderr (systemd puts them in the journal; stdout stays free
/// for command output such as <c>check --json</c>) and size-limited rolling compact-JSON files in the logs directory.
/// </summary>
public static class AgentLogging
{
    public const string ConsoleTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    public static string FilePattern(string logsDirectory) => Path.Combine(logsDirectory, "edgeagent-.json");

    public static Serilog.ILogger Create(LoggingOptions options, string logsDirectory)
    {
        var config = new LoggerConfiguration()
            .MinimumLevel.Is(Level(options.Level))
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .Enrich.With<RedactingEnricher>()
            .WriteTo.File(new CompactJsonFormatter(), FilePattern(logsDirectory),
                fileSizeLimitBytes: options.FileSizeLimitBytes,
                rollOnFileSizeLimit: true,
                rollingInterval: RollingInterval.Day,
                retainedFileCountLimit: options.RetainedFileCount,
                shared: false,
                flushToDiskInterval: TimeSpan.FromSeconds(2));
        foreach (var (source, level) in options.Overrides ?? [])
            config.MinimumLevel.Override(source, Level(level));
        if (options.Console)
            config.WriteTo.Console(outputTemplate: ConsoleTemplate, standardErrorFromLevel: LogEventLevel.Verbose,
                formatProvider: System.Globalization.CultureInfo.InvariantCulture);
        return config.CreateLogger();
    }

    /// <summary>The config's level words are Serilog's, in the same order.</summary>
    private static LogEventLevel Level(LogLevelName level) => (LogEventLevel)(int)level;

    /// <summary>Every string property of a log event goes through <see cref="Redaction"/>: no secret reaches a log file or the journal.</summary>
    private sealed class RedactingEnricher : ILogEventEnricher
    {
        public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
        {
            foreach (var (name, value) in logEvent.Properties.ToList())
            {
                if (value is ScalarValue { Value: string text } && Redaction.Text(text) is var clean && !ReferenceEquals(clean, text) && clean != text)
                    logEvent.AddOrUpdateProperty(new LogEventProperty(name, new ScalarValue(clean)));
            }
        }
    }
}
