using System.CommandLine;
using EdgeAgent.Office.Accounts;
using EdgeAgent.Office.Configuration;
using EdgeAgent.Office.Hosting;
using EdgeAgent.Office.Store;

namespace EdgeAgent.Office;

/// <summary>
/// <c>edgeagent-office</c>: <c>run</c> (the service: collector, console, alerts; the default), <c>validate</c>, and
/// <c>user add|list|remove</c> for the console's accounts. Exit codes: 0 done, 1 failed, 64 usage, 78 bad configuration.
/// </summary>
public static class OfficeCli
{
    public const int Ok = 0, Failed = 1, Usage = 64, Config = 78;
    public const string DefaultConfig = "/etc/edgeagent-office/office.json";

    public static async Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error, TextReader input)
    {
        var root = new RootCommand("edgeagent-office: the education office's side of the synchronized-classroom fleet (城乡同步课堂): collector, web console, alerts.");
        var config = new Option<string>("--config", "-c") { Description = "The office's configuration file.", DefaultValueFactory = _ => DefaultConfig, Recursive = true };
        root.Options.Add(config);

        var run = new Command("run", "Run the office service until stopped (the default).");
        run.SetAction((r, ct) => RunAsync(r.GetValue(config)!, error, ct));
        root.Subcommands.Add(run);
        root.SetAction((r, ct) => RunAsync(r.GetValue(config)!, error, ct));

        var validate = new Command("validate", "Check the configuration file and exit (78 naming the field when it is wrong).");
        validate.SetAction(r => Load(r.GetValue(config)!, error) is null ? Config : Ok);
        root.Subcommands.Add(validate);

        var user = new Command("user", "The console's accounts (stored hashed in the office database).");
        var name = new Argument<string>("name") { Description = "The user's sign-in name." };
        var role = new Option<string>("--role") { Description = "viewer (see), technician (also act on rooms) or admin (also users, rules, policy, timetables).", Required = true };
        role.AcceptOnlyFromAmong([.. Roles.All]);
        var add = new Command("add", "Add a user or change its role and password; the password is read from EDGEAGENT_OFFICE_PASSWORD or the first line of standard input.") { name, role };
        add.SetAction((r, ct) => WithStoreAsync(r.GetValue(config)!, error, async (store, _) =>
        {
            var password = Environment.GetEnvironmentVariable("EDGEAGENT_OFFICE_PASSWORD") ?? await input.ReadLineAsync(ct).ConfigureAwait(false);
            if (string.IsNullOrEmpty(password))
            {
                error.WriteLine("edgeagent-office user add: no password (set EDGEAGENT_OFFICE_PASSWORD or give it on standard input)");
                return Usage;
            }
            try
            {
                var u = await new Users(store, TimeProvider.System).SetAsync(r.GetValue(name)!, r.GetValue(role)!, password, ct).ConfigureAwait(false);
                output.WriteLine($"user {u.Name}: {u.Role}");
                return Ok;
            }
            catch (ArgumentException e)
            {
                error.WriteLine($"edgeagent-office user add: {e.Message}");
                return Usage;
            }
        }, ct));
        var list = new Command("list", "Every user and role.");
        list.SetAction((r, ct) => WithStoreAsync(r.GetValue(config)!, error, async (store, _) =>
        {
            foreach (var u in await store.UsersAsync(ct).ConfigureAwait(false)) output.WriteLine($"{u.Name}\t{u.Role}");
            return Ok;
        }, ct));
        var removeName = new Argument<string>("name") { Description = "The user to remove." };
        var remove = new Command("remove", "Remove a user.") { removeName };
        remove.SetAction((r, ct) => WithStoreAsync(r.GetValue(config)!, error, async (store, _) =>
        {
            if (await store.DeleteUserAsync(r.GetValue(removeName)!, ct).ConfigureAwait(false)) return Ok;
            error.WriteLine($"edgeagent-office user remove: no user {r.GetValue(removeName)}");
            return Failed;
        }, ct));
        user.Subcommands.Add(add);
        user.Subcommands.Add(list);
        user.Subcommands.Add(remove);
        root.Subcommands.Add(user);

        var rules = new Command("rules", "The alert rules (edgeagent.alert-rules/1): `show` prints them, `set FILE` checks a document whole and keeps it (the running service takes it within seconds).");
        var show = new Command("show", "Print the rules in force.");
        show.SetAction((r, ct) => WithStoreAsync(r.GetValue(config)!, error, async (store, _) =>
        {
            output.WriteLine((await store.DocumentAsync(Alerts.AlertRules.DocumentKind, ct).ConfigureAwait(false))?.Json ?? Alerts.AlertRules.DefaultJson);
            return Ok;
        }, ct));
        var rulesFile = new Argument<string>("file") { Description = "A rules document (JSON)." };
        var set = new Command("set", "Check a rules document and keep it (exit 1 naming the field when it is wrong).") { rulesFile };
        set.SetAction((r, ct) => WithStoreAsync(r.GetValue(config)!, error, async (store, _) =>
        {
            var file = r.GetValue(rulesFile)!;
            string json;
            try
            {
                json = await File.ReadAllTextAsync(file, ct).ConfigureAwait(false);
                var parsed = Alerts.AlertRules.Parse(json);
                await store.SaveDocumentAsync(Alerts.AlertRules.DocumentKind, json, DateTimeOffset.UtcNow, $"{Environment.UserName} (edgeagent-office rules set)", ct).ConfigureAwait(false);
                await new AuditLog(store, TimeProvider.System).WriteAsync($"{Environment.UserName} (cli)", null, "alert-rules", $"version {parsed.Version}, {parsed.Rules.Count} rules", "ok", ct).ConfigureAwait(false);
                output.WriteLine($"alert rules {parsed.Version}: {parsed.Rules.Count} rules kept");
                return Ok;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"edgeagent-office rules set: cannot read {file}: {e.Message}");
                return Failed;
            }
            catch (FormatException e)
            {
                error.WriteLine($"edgeagent-office rules set: {file}: {e.Message}");
                return Failed;
            }
        }, ct));
        rules.Subcommands.Add(show);
        rules.Subcommands.Add(set);
        root.Subcommands.Add(rules);

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            error.WriteLine(EdgeAgent.Client.Terminal.UsageLine.Of(parsed, "edgeagent-office"));
            return Usage;
        }
        // The host handles SIGTERM/SIGINT itself (a graceful stop); System.CommandLine must not race it.
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null }).ConfigureAwait(false);
    }

    private static OfficeOptions? Load(string file, TextWriter error)
    {
        try
        {
            return OfficeOptions.Load(file);
        }
        catch (OfficeConfigException e)
        {
            error.WriteLine($"edgeagent-office: {file}: {e.Message}");
            return null;
        }
    }

    private static async Task<int> WithStoreAsync(string file, TextWriter error, Func<OfficeStore, OfficeOptions, Task<int>> work, CancellationToken ct)
    {
        if (Load(file, error) is not { } options) return Config;
        try
        {
            await using var store = await OfficeStore.OpenAsync(options.Database, ct).ConfigureAwait(false);
            return await work(store, options).ConfigureAwait(false);
        }
        catch (OfficeStoreException e)
        {
            error.WriteLine($"edgeagent-office: {e.Message}");
            return Failed;
        }
    }

    private static Task<int> RunAsync(string file, TextWriter error, CancellationToken ct) => WithStoreAsync(file, error, async (store, options) =>
    {
        await using var app = OfficeHost.Build(options, store);
        await app.RunAsync(ct).ConfigureAwait(false);
        return Ok;
    }, ct);
}
