using System.CommandLine;
using EdgeAgent.Client.Terminal;
using System.Globalization;
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
        var deviceId = new Argument<string>("device") { Description = "a device id from the configuration, e.g. cam1" };
        var action = new Argument<string>("action") { Description = "the operation: status, power, preset-recall, position, input, mute, levels; the README lists them all" };
        var actionArgs = new Argument<string[]>("args") { Description = "Arguments of the action.", Arity = ArgumentArity.ZeroOrMore };
        // An option the device command does not have is an error, not an action argument (negative numbers still pass).
        actionArgs.Validators.Add(r =>
        {
            foreach (var t in r.Tokens.Where(t => t.Value.StartsWith("--", StringComparison.Ordinal)))
                r.AddError($"unknown option '{t.Value}'");
        });
        var deviceJson = new Option<bool>("--json") { Description = "Print JSON (the result is always JSON; accepted for scripts that pass it to every command)." };
        var device = new Command("device", "Run one operation on a device through its real driver and print the result as JSON.")
        {
            deviceConfig, deviceJson, deviceId, action, actionArgs,
        };
        device.SetAction((result, ct) => DeviceVerb.RunAsync(result.GetValue(deviceConfig)!, result.GetValue(deviceId)!,
            result.GetValue(action)!, result.GetValue(actionArgs) ?? [], ct));
        root.Subcommands.Add(device);

        var lessonsConfig = ConfigOption();
        var days = new Option<int>("--days")
        {
            Description = $"How many days ahead, 1 to {LessonsVerb.MaxDays} (default 7).",
            DefaultValueFactory = _ => 7,
            CustomParser = r =>
            {
                var text = r.Tokens.Single().Value;
                if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= LessonsVerb.MaxDays) return n;
                r.AddError($"--days takes a whole number of days from 1 to {LessonsVerb.MaxDays}, not '{text}'");
                return 0;
            },
        };
        var from = new Option<string?>("--from") { Description = "Start from this date (yyyy-MM-dd, school time) instead of now." };
        from.Validators.Add(r =>
        {
            if (r.Tokens.Count == 1 && !DateOnly.TryParseExact(r.Tokens[0].Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                r.AddError($"--from takes a date like 2022-11-14, not '{r.Tokens[0].Value}'");
        });
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

    /// <summary>Runs the command line: a usage error exits 64 (EX_USAGE) with a one-line reason, before anything runs.</summary>
    public static Task<int> InvokeAsync(string[] args, TextWriter? error = null)
    {
        var parsed = Build().Parse(args);
        if (parsed.Errors.Count > 0) return Task.FromResult(Usage(parsed, error ?? Console.Error));
        return parsed.InvokeAsync(new InvocationConfiguration
        {
            // The host handles SIGTERM/SIGINT itself (graceful stop within 10 s).
            ProcessTerminationTimeout = null,
        });
    }

    internal static int Usage(ParseResult parsed, TextWriter error)
    {
        error.WriteLine(UsageLine.Of(parsed, "edgeagent"));
        return ExitCodes.Usage;
    }

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

    /// <summary>The file, then its directories as <c>run</c> would need them (checked without creating anything).</summary>
    private static int Validate(string path)
    {
        var options = LoadOrReport(path, Console.Error);
        if (options is null) return ExitCodes.Config;
        var checks = Directories(options).Select(d => (d.Field, d.Dir, Problem: WritableWithoutCreating(d.Dir))).ToList();
        if (checks.Any(c => c.Problem is not null))
        {
            Console.Error.WriteLine($"edgeagent: invalid configuration {path}:");
            foreach (var c in checks.Where(c => c.Problem is not null)) Console.Error.WriteLine($"  - {c.Field}: {c.Problem}");
            return ExitCodes.Config;
        }
        Console.Out.WriteLine($"ok: {path} is valid (room {options.Address}, role {Contract.Vocabulary.Words.Of(options.Role)}, {options.Devices.Count} devices)");
        Console.Out.WriteLine($"    directories writable by this user: {string.Join(", ", checks.Select(c => $"{c.Field} {c.Dir}{(Directory.Exists(c.Dir) ? "" : " (to be created)")}"))}");
        return ExitCodes.Ok;
    }

    private static (string Field, string Dir)[] Directories(AgentOptions options) =>
        [("stateDirectory", options.StateDirectory), ("logsDirectory", options.LogsDirectory)];

    /// <summary>Null when this user could write in the directory (or create it, where it does not exist yet); otherwise why not.</summary>
    internal static string? WritableWithoutCreating(string dir)
    {
        var existing = Path.GetFullPath(dir);
        while (!Directory.Exists(existing))
        {
            if (File.Exists(existing)) return $"'{existing}' is a file, not a directory";
            existing = Path.GetDirectoryName(existing) ?? "/";
        }
        const int W_OK = 2, X_OK = 1;
        if (access(System.Text.Encoding.UTF8.GetBytes(existing + "\0"), W_OK | X_OK) == 0) return null;
        var why = new System.ComponentModel.Win32Exception(System.Runtime.InteropServices.Marshal.GetLastPInvokeError()).Message;
        return existing == Path.GetFullPath(dir)
            ? $"directory '{dir}' is not writable: {why}"
            : $"directory '{dir}' cannot be created: '{existing}' is not writable: {why}";
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
#pragma warning disable SYSLIB1054 // a byte array and an int: nothing for a source generator to add
    private static extern int access(byte[] path, int mode);
#pragma warning restore SYSLIB1054

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
        foreach (var (field, dir) in Directories(options))
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
