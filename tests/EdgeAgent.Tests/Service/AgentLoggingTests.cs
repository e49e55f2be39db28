using System.Text.Json;
using EdgeAgent.Configuration;
using EdgeAgent.Service;
using EdgeAgent.Tests.TestSupport;

namespace EdgeAgent.Tests.Service;

public class AgentLoggingTests
{
    [Fact]
    public void Files_are_compact_json_and_honour_levels_and_overrides()
    {
        using var dir = new TempDir();
        var options = new LoggingOptions
        {
            Level = LogLevelName.Warning,
            Overrides = new() { ["EdgeAgent.Hardware"] = LogLevelName.Debug },
            Console = false,
        };
        using (var logger = (Serilog.Core.Logger)AgentLogging.Create(options, dir.Path))
        {
            logger.ForContext(Serilog.Core.Constants.SourceContextPropertyName, "EdgeAgent.Lessons").Information("hidden {N}", 1);
            logger.ForContext(Serilog.Core.Constants.SourceContextPropertyName, "EdgeAgent.Lessons").Warning("shown {N}", 2);
            logger.ForContext(Serilog.Core.Constants.SourceContextPropertyName, "EdgeAgent.Hardware.Cameras").Debug("driver detail {N}", 3);
        }
        var lines = Directory.GetFiles(dir.Path, "edgeagent-*.json").SelectMany(File.ReadAllLines).ToList();
        var templates = lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("@mt").GetString()).ToList();
        Assert.Equal(["shown {N}", "driver detail {N}"], templates);
    }

    [Fact]
    public void Files_roll_on_size_and_only_the_retained_count_is_kept()
    {
        using var dir = new TempDir();
        var options = new LoggingOptions { Level = LogLevelName.Information, FileSizeLimitBytes = 4096, RetainedFileCount = 3, Console = false };
        using (var logger = (Serilog.Core.Logger)AgentLogging.Create(options, dir.Path))
        {
            for (var i = 0; i < 500; i++) logger.Information("filler line {I} {Pad}", i, new string('x', 100));
        }
        var files = Directory.GetFiles(dir.Path, "edgeagent-*.json");
        Assert.Equal(3, files.Length);
        Assert.All(files, f => Assert.True(new FileInfo(f).Length <= 4096 + 512, $"{f} is {new FileInfo(f).Length} bytes"));
    }
}
