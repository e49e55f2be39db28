using System.CommandLine;
using EdgeAgent.Configuration;
using EdgeAgent.Service;
using Microsoft.Extensions.Hosting;

namespace EdgeAgent.Cli;

/// <summary>The <c>edgeagent</c> command line: run, validate, check.</summary>
public static class AgentCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("EdgeAgent: the classroom box agent of the synchronized-classroom programme (城乡同步课堂).");

        var runConfig = ConfigOption();
        var run = new Command("run", "Run the service (what systemd starts).") { runConfig };
        run.SetAction((result, ct) => RunAsync(result.GetValue(runConfig)!, ct));
        root.Subcommands.Add(run);

        var validateConfig = ConfigOption();
        var validate = new Command("validate", "Validate a configuration file and exit (0 valid, 78 invalid).") { validateConfig };
        validate.SetAction(result => Validate(result.GetValue(validateConfig)!));
        root.Subcommands.Add(validate);

        var checkConfig = ConfigOption();
        var json = new Option<bool>("--json") { Description = "Print the compliance report as JSON." };
        var check = new Command("check", "Run the compliance check once and print the report (0 pass, 1 warn, 2 fail, 3 could not run).") { checkConfig, json };
        check.SetAction((result, ct) => CheckVerb.RunAsync(result.GetValue(checkConfig)!, result.GetValue(json), Console.Out, Console.Error, ct));
        root.Subcommands.Add(check);

        var deviceConfig = ConfigOption();
        var deviceId = new Argument<string>("device") { Description = "Device id from the configuration, e.g. cam1." };
        var action = new Argument<string>("action") { Description = "status, power, preset-recall, position, input, mute, levels, ... (see README)." };
        var actionArgs = new Argument<string[]>("args") { Description = "Arguments of the action.", Arity = ArgumentArity.ZeroOrMore };
        var device = new Command("device", "Run one operation on a device through its real driver and print the result as JSON.")
        {
            deviceConfig, deviceId, action, actionArgs,
        };
        device.SetAction((result, ct) => DeviceVerb.RunAsync(result.GetValue(deviceConfig)!, result.GetValue(deviceId)!,
            result.GetValue(action)!, result.GetValue(actionArgs) ?? [], ct));
        root.Subcommands.Add(device);

        var lessonsConfig = ConfigOption();
        var days = new Option<int>("--days") { Description = "How many days ahead (default 7).", DefaultValueFactory = _ => 7 };
        var from = new Option<string?>("--from") { Description = "Start from this date (yyyy-MM-dd, school time) instead of now." };
        var tallies = new Option<bool>("--tallies") { Description = "Print the programme tallies of this school year from the state database." };
        var lessonsJson = new Option<bool>("--json") { Description = "Print JSON." };
        var lessons = new Command("lessons", "List the upcoming lessons with their shared windows and clashes (exit 1 if one clashes), or --tallies.")
        {
            lessonsConfig, days, from, tallies, lessonsJson,
        };
        lessons.SetAction((result, ct) => LessonsVerb.RunAsync(result.GetValue(lessonsConfig)!, result.GetValue(days), result.GetValue(from),
            result.GetValue(tallies), result.GetValue(lessonsJson), Console.Out, Console.Error, ct));
        root.Subcommands.Add(lessons);

        return root;
    }

    public static Task<int> InvokeAsync(string[] args) =>
        Build().Parse(args).InvokeAsync(new InvocationConfiguration
        {
            // The host handles SIGTERM/SIGINT itself (graceful stop within 10 s).
            ProcessTerminationTimeout = null,
        });

    private static Option<string> ConfigOption() => new("--config", "-c")
    {
        Description = $"Configuration file (default {ConfigLoader.DefaultPath}).",
        DefaultValueFactory = _ => ConfigLoader.DefaultPath,
    };

    /// <summary>Loads the file, or prints every problem naming its field and returns null.</summary>
    internal static AgentOptions? LoadOrReport(string path, TextWriter error)
    {
        var loaded = ConfigLoader.Load(path, AgentServices.ConfigRules);
        if (loaded.Ok) return loaded.Options;
        error.WriteLine($"edgeagent: invalid configuration {path}:");
        foreach (var e in loaded.Errors) error.WriteLine($"  - {e}");
        return null;
    }

    private static int Validate(string path)
    {
        var options = LoadOrReport(path, Console.Error);
        if (options is null) return ExitCodes.Config;
        Console.Out.WriteLine($"ok: {path} is valid (room {options.Address}, role {Contract.Vocabulary.Words.Of(options.Role)}, {options.Devices.Count} devices)");
        return ExitCodes.Ok;
    }

    private static async Task<int> RunAsync(string path, CancellationToken ct)
    {
        var options = LoadOrReport(path, Console.Error);
        if (options is null) return ExitCodes.Config;
        var unusable = UnusableDirectories(options);
        if (unusable.Count > 0)
        {
            Console.Error.WriteLine($"edgeagent: invalid configuration {path}:");
            foreach (var e in unusable) Console.Error.WriteLine($"  - {e}");
            return ExitCodes.Config;
        }

        using var logger = (Serilog.Core.Logger)AgentLogging.Create(options.Logging, options.LogsDirectory);
        try
        {
            using var host = AgentHost.Build(options, logger, services => AgentServices.Add(services, options));
            await host.RunAsync(ct);
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.Fatal(e, "EdgeAgent stopped on an unexpected error");
            return ExitCodes.Software;
        }
    }

    /// <summary>
    /// State and logs directories must exist (or be creatable) and be writable by this user. A full disk is no
    /// configuration error: the agent starts degraded and says so (README, "A full disk").
    /// </summary>
    internal static List<ConfigError> UnusableDirectories(AgentOptions options)
    {
        var errors = new List<ConfigError>();
        foreach (var (field, dir) in new[] { ("stateDirectory", options.StateDirectory), ("logsDirectory", options.LogsDirectory) })
        {
            try
            {
                Directory.CreateDirectory(dir);
                var probe = Path.Combine(dir, $".write-test-{Environment.ProcessId}");
                using (File.Create(probe)) { }
                File.Delete(probe);
            }
            catch (Exception e) when (e is IOException && Kernel.DiskSpace.IsFull(e))
            {
                // writable, only full
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                errors.Add(new ConfigError(field, $"directory '{dir}' is not writable: {e.Message}"));
            }
        }
        return errors;
    }
}
