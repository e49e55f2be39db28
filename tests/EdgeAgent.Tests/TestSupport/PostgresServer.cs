using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>
/// A real PostgreSQL (Debian's postgresql-15) in a temp directory on a free port, 127.0.0.1 only, run as the
/// <c>postgres</c> user (the server refuses root); restartable on the same port and data (outage tests); stopped and
/// removed on dispose.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _dir;
    private Process? _process;

    private PostgresServer(string dir, int port)
    {
        _dir = dir;
        Port = port;
    }

    public int Port { get; }
    public string ConnectionString(string database = "office") => $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=false;Timeout=5";

    private static string Bin => Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin")).FirstOrDefault(Directory.Exists)
        ?? throw new InvalidOperationException("PostgreSQL is not installed (scripts/install-deps.sh installs it)");

    public static async Task<PostgresServer> CreateAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), "edgeagent-pg-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        await Run("chown", "postgres:postgres", dir);
        await Run("runuser", "-u", "postgres", "--", Path.Combine(Bin, "initdb"), "-D", Path.Combine(dir, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync");
        var server = new PostgresServer(dir, Machine.FreeTcpPort());
        try
        {
            await server.StartAsync();
            await using var admin = new NpgsqlConnection(server.ConnectionString("postgres"));
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE DATABASE office", admin);
            await create.ExecuteNonQueryAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>Starts the server (again) and waits until it accepts connections.</summary>
    public async Task StartAsync()
    {
        // Tied to the test process twice over: runuser dies with it (ChildProcesses' pdeathsig), postgres with runuser.
        var info = ChildProcesses.Info("runuser", ["-u", "postgres", "--", "setpriv", "--pdeathsig", "KILL", Path.Combine(Bin, "postgres"),
            "-D", Path.Combine(_dir, "data"), "-p", Port.ToString(CultureInfo.InvariantCulture), "-k", _dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"]);
        _process = await ChildProcesses.StartAsync(info);
        _process.ErrorDataReceived += (_, _) => { };
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        await Eventually.True(async () =>
        {
            try
            {
                await using var c = new NpgsqlConnection(ConnectionString("postgres"));
                await c.OpenAsync();
                return true;
            }
            catch (NpgsqlException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), "PostgreSQL to accept connections");
    }

    /// <summary>A fast shutdown (SIGINT): open connections are cut, as when the database server restarts.</summary>
    public async Task StopAsync()
    {
        if (_process is null) return;
        // The server is runuser's child (setpriv execs into postgres); SIGINT is its "fast" shutdown, which ends every backend.
        foreach (var pid in Machine.DescendantsOf(_process.Id).Where(p => Command(p).Contains("/bin/postgres", StringComparison.Ordinal)))
            ChildProcesses.Signal(pid, ChildProcesses.SigInt);
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            foreach (var pid in Machine.DescendantsOf(_process.Id)) ChildProcesses.Signal(pid, ChildProcesses.SigKill);
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process = null;
    }

    private static async Task Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var error = p.StandardError.ReadToEndAsync();
        await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)}: exit {p.ExitCode}: {await error}");
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private static string Command(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' '); }
        catch (IOException) { return ""; }
    }
}
