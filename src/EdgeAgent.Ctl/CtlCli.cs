using System.CommandLine;
using System.Globalization;
using EdgeAgent.Client.Broker;
using EdgeAgent.Contract.Commands;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Topics;
using EdgeAgent.Ctl.Broker;
using EdgeAgent.Ctl.Diag;
using EdgeAgent.Ctl.Fleet;
using EdgeAgent.Office.Reports;
using EdgeAgent.Office.Store;

namespace EdgeAgent.Ctl;

/// <summary>The <c>edgeagent-ctl</c> command line: the technician's and the office's tool (README, "edgeagent-ctl").</summary>
public static class CtlCli
{
    public static RootCommand Build(TextWriter output, TextWriter error)
    {
        var root = new RootCommand("edgeagent-ctl: see and diagnose the classroom boxes of the synchronized-classroom programme (城乡同步课堂) through the MQTT broker.");
        var config = new Option<string?>("--config", "-c") { Description = "A JSON file with a \"broker\" section like the agent's (host, port, protocol, tls, username).", Recursive = true };
        var broker = new Option<string?>("--broker", "-b") { Description = "Broker HOST[:PORT] (default 127.0.0.1:1883).", Recursive = true };
        var protocol = new Option<string?>("--protocol") { Description = "MQTT protocol: 5.0 (default) or 3.1.1.", Recursive = true };
        var ca = new Option<string?>("--tls-ca") { Description = "The fleet CA (PEM): turns TLS on.", Recursive = true };
        var cert = new Option<string?>("--tls-cert") { Description = "Client certificate (PEM) for mutual TLS.", Recursive = true };
        var key = new Option<string?>("--tls-key") { Description = "Client key (PEM).", Recursive = true };
        var user = new Option<string?>("--username") { Description = "Broker user name; the password comes from EDGEAGENT_CTL_PASSWORD.", Recursive = true };
        foreach (var o in new Option[] { config, broker, protocol, ca, cert, key, user }) root.Options.Add(o);
        BrokerOptions Broker(ParseResult r) => CtlSettings.Load(new CtlSettings.Flags(r.GetValue(config), r.GetValue(broker), r.GetValue(protocol),
            r.GetValue(ca), r.GetValue(cert), r.GetValue(key), r.GetValue(user))).Broker;

        var region = new Option<string?>("--region") { Description = "Only this region." };
        var school = new Option<string?>("--school") { Description = "Only this school." };
        var roomsJson = new Option<bool>("--json") { Description = "Print JSON." };
        var rooms = new Command("rooms", "Every room seen on the broker: online or offline and since when, devices with problems, compliance, last heartbeat.")
        {
            region, school, roomsJson,
        };
        rooms.SetAction((r, ct) => Guard(error, () => RoomsCommand.RunAsync(Broker(r), r.GetValue(region), r.GetValue(school), r.GetValue(roomsJson), output, ct)));
        root.Subcommands.Add(rooms);

        var statusRoom = new Argument<string>("room") { Description = "region/school/room, as `rooms` lists it." };
        var statusDb = new Option<string?>("--db") { Description = "The office collector's database, for the room's recent events." };
        var statusEvents = new Option<int>("--events") { Description = "How many recent events (default 10).", DefaultValueFactory = _ => 10 };
        var statusJson = new Option<bool>("--json") { Description = "Print JSON." };
        var status = new Command("status", "One room in detail: devices, host, compliance rule by rule, upcoming lessons and clashes, recent events (exit 1 if the room is offline, a device is not online or compliance failed).")
        {
            statusRoom, statusDb, statusEvents, statusJson,
        };
        status.SetAction((r, ct) => Guard(error, () => StatusCommand.RunAsync(Broker(r), Room(r.GetValue(statusRoom)!), r.GetValue(statusDb),
            r.GetValue(statusEvents), r.GetValue(statusJson), output, ct)));
        root.Subcommands.Add(status);

        var updateRegion = new Option<string?>("--region") { Description = "Only this region." };
        var updateSchool = new Option<string?>("--school") { Description = "Only this school." };
        var updateJson = new Option<bool>("--json") { Description = "Print JSON." };
        var update = new Command("update", "A rollout's progress ring by ring (each room's retained update status); `halt RING` / `resume RING` stop and restart a ring in every room's policy.")
        {
            updateRegion, updateSchool, updateJson,
        };
        update.SetAction((r, ct) => Guard(error, () => UpdateCommand.ProgressAsync(Broker(r), r.GetValue(updateRegion), r.GetValue(updateSchool), r.GetValue(updateJson), output, ct)));
        foreach (var (verb, halts) in new[] { ("halt", true), ("resume", false) })
        {
            var ring = new Argument<string>("ring") { Description = "The ring's name in the policy." };
            var sub = new Command(verb, halts ? "Halt a ring: its rooms install nothing more and stay where they are." : "Lift a ring's halt.") { ring, updateRegion, updateSchool };
            sub.SetAction((r, ct) => Guard(error, () => UpdateCommand.HaltAsync(Broker(r), r.GetValue(ring)!, halts, r.GetValue(updateRegion), r.GetValue(updateSchool), output, ct)));
            update.Subcommands.Add(sub);
        }
        root.Subcommands.Add(update);

        var diagRoom = new Argument<string>("room") { Description = "region/school/room." };
        var diagCommand = new Argument<string>("command") { Description = string.Join(", ", AgentCommands.All.Select(c => c.Name)) + "." };
        var diagArgs = new Option<string[]>("--arg", "-a") { Description = "An argument of the command as key=value (repeatable); JSON values (numbers, true, [..]) are taken as such.", AllowMultipleArgumentsPerToken = false };
        var diagTimeout = new Option<double?>("--timeout")
        {
            Description = "Seconds to wait for the reply (default: the command's own time limit and 10 s, at least 15 s).",
            CustomParser = r => double.TryParse(r.Tokens.Single().Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s is > 0 and <= 3600
                ? s : Fail<double?>(r, $"--timeout: '{r.Tokens.Single().Value}' is not a number of seconds (0-3600)"),
        };
        var diagOut = new Option<string?>("--out", "-o") { Description = "snapshot: where to write the JPEG (default snapshot-ROOM-CAMERA-TIME.jpg)." };
        var diagJson = new Option<bool>("--json") { Description = "Print the reply as JSON." };
        var diag = new Command("diag", "Send one command to a room's agent and print its reply (exit 0 ok, 1 error reply, 2 no reply, 3 broker unreachable).")
        {
            diagRoom, diagCommand, diagArgs, diagTimeout, diagOut, diagJson,
        };
        diag.SetAction((r, ct) => Guard(error, () => DiagCommand.RunAsync(Broker(r), Room(r.GetValue(diagRoom)!), r.GetValue(diagCommand)!,
            r.GetValue(diagArgs) ?? [], r.GetValue(diagTimeout) is { } s ? TimeSpan.FromSeconds(s) : null, r.GetValue(diagOut), r.GetValue(diagJson),
            output, error, !Console.IsErrorRedirected, ct)));
        root.Subcommands.Add(diag);

        var reportDb = new Option<string>("--db") { Description = "The office database (SQLite file or PostgreSQL connection string).", Required = true };
        var reportMonth = new Option<string?>("--month") { Description = "YYYY-MM (default: the month whose report is due next: reports are due the last working day of the month)." };
        var reportFormat = new Option<string>("--format") { Description = "csv or html.", DefaultValueFactory = _ => "csv" };
        reportFormat.AcceptOnlyFromAmong("csv", "html");
        var reportOut = new Option<string?>("--out", "-o") { Description = "Write to this file instead of standard output." };
        var report = new Command("report", "The monthly report per school pair (seed 000's form): equipment up to standard, activities per form, participants, subjects, the year's progress.")
        {
            reportDb, reportMonth, reportFormat, reportOut,
        };
        report.SetAction((r, ct) => Guard(error, async () =>
        {
            var (year, month) = ParseMonth(r.GetValue(reportMonth));
            await using var store = await OfficeStore.OpenAsync(r.GetValue(reportDb)!, ct, create: false).ConfigureAwait(false);
            var pages = await MonthlyForm.BuildAsync(store, year, month, new ProgrammeTargets(), ct).ConfigureAwait(false);
            var text = r.GetValue(reportFormat) == "html" ? MonthlyForm.Html(pages, $"{year:0000}-{month:00}") : ReportWriter.Csv(pages.Select(p => p.Report).ToList());
            if (r.GetValue(reportOut) is { } file) await File.WriteAllTextAsync(file, text, ct).ConfigureAwait(false);
            else output.Write(text);
            return CtlExit.Ok;
        }));
        root.Subcommands.Add(report);
        return root;
    }

    internal static (int Year, int Month) ParseMonth(string? text)
    {
        if (text is null)
        {
            var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, EdgeAgent.Contract.Time.SchoolTime.ChinaStandardTime).DateTime);
            return MonthlyReport.DefaultMonth(today);
        }
        if (DateOnly.TryParseExact(text + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return (d.Year, d.Month);
        var month = text.Split('-') is [var y, var m] && y.Length == 4 && int.TryParse(m, out var n) ? n : (int?)null;
        throw new CtlException(month is { } bad
            ? $"edgeagent-ctl: --month {text}: there is no month {bad}; write YYYY-MM with MM from 01 to 12, e.g. 2022-10"
            : $"edgeagent-ctl: --month {text}: write YYYY-MM, e.g. 2022-10", CtlExit.Usage);
    }

    private static async Task<int> Guard(TextWriter error, Func<Task<int>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (CtlException e)
        {
            error.WriteLine(e.Message);
            return e.ExitCode;
        }
        catch (OfficeStoreException e)
        {
            error.WriteLine($"edgeagent-ctl: {e.Message}");
            return CtlExit.Unreachable;
        }
        catch (OperationCanceledException)
        {
            return CtlExit.Ok;
        }
    }

    private static RoomAddress Room(string text) =>
        RoomAddress.TryParse(text, out var problem) ?? throw new CtlException($"edgeagent-ctl: {problem} (as `edgeagent-ctl rooms` lists them)", CtlExit.Usage);

    private static T Fail<T>(System.CommandLine.Parsing.ArgumentResult r, string message)
    {
        r.AddError(message);
        return default!;
    }

    /// <summary>
    /// Every usage error (unknown option, missing argument, a value that does not parse, no command) exits 64 with one
    /// line saying what is wrong; results keep their own codes (README, "edgeagent-ctl").
    /// </summary>
    public static async Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error)
    {
        var parsed = Build(output, error).Parse(args);
        if (parsed.Errors.Count > 0)
        {
            error.WriteLine(EdgeAgent.Client.Terminal.UsageLine.Of(parsed, "edgeagent-ctl"));
            return CtlExit.Usage;
        }
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }).ConfigureAwait(false);
    }
}
