using System.Diagnostics;
using EdgeAgent.Simulators.Office;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>An office's storage for recordings, run by the test on a free 127.0.0.1 port: its files on local disk, an rclone remote named <c>office</c>.</summary>
public interface IStorageServer : IDisposable
{
    /// <summary>What the server serves, on this machine's disk.</summary>
    string Root { get; }

    /// <summary>An rclone configuration file with the remote <c>office</c> pointing at the server.</summary>
    string RcloneConfig { get; }

    void Kill();

    Task StartAsync();
}

/// <summary>nginx's WebDAV (<see cref="WebDavStorage"/>, the simulated office storage).</summary>
public sealed class WebDavServer(string dir) : IStorageServer
{
    private readonly WebDavStorage _storage = new(dir);

    public string Root => _storage.Root;
    public string RcloneConfig => _storage.RcloneConfig;

    public Task StartAsync() => _storage.StartAsync();

    public void Kill() => _storage.Kill();

    public void Dispose() => _storage.Dispose();
}

/// <summary>OpenSSH's sshd with its internal SFTP server, a key pair made for the test, and a shell (rclone asks it for checksums).</summary>
public sealed class SftpServer : IStorageServer
{
    private readonly string _dir;
    private readonly int _port = Machine.FreeTcpPort();
    private Process? _process;

    public SftpServer(string dir)
    {
        _dir = dir;
        Root = Path.Combine(dir, "files");
        Directory.CreateDirectory(Root);
        RcloneConfig = Path.Combine(dir, "rclone.conf");
    }

    public string Root { get; }
    public string RcloneConfig { get; }

    public async Task StartAsync()
    {
        if (!File.Exists(Path.Combine(_dir, "host_key")))
        {
            await Machine.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(_dir, "host_key")]);
            await Machine.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(_dir, "client_key")]);
            File.Copy(Path.Combine(_dir, "client_key.pub"), Path.Combine(_dir, "authorized_keys"));
            File.WriteAllText(Path.Combine(_dir, "sshd_config"), $"""
                ListenAddress 127.0.0.1
                Port {_port}
                HostKey {_dir}/host_key
                AuthorizedKeysFile {_dir}/authorized_keys
                PidFile {_dir}/sshd.pid
                PermitRootLogin prohibit-password
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                UsePAM no
                StrictModes no
                Subsystem sftp internal-sftp
                """);
            File.WriteAllText(RcloneConfig, $"[office]\ntype = sftp\nhost = 127.0.0.1\nport = {_port}\nuser = {Environment.UserName}\nkey_file = {_dir}/client_key\nshell_type = unix\nmd5sum_command = md5sum\nsha1sum_command = sha1sum\n");
        }
        Directory.CreateDirectory("/run/sshd"); // sshd's privilege separation directory (made by systemd where it runs)
        var info = new ProcessStartInfo("/usr/sbin/sshd") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-D", "-e", "-f", Path.Combine(_dir, "sshd_config") }) info.ArgumentList.Add(a);
        _process = Process.Start(info)!;
        await Machine.WaitForTcpAsync(_port, TimeSpan.FromSeconds(20));
    }

    /// <summary>The remote path of a file under <see cref="Root"/> (sftp paths are the server's own).</summary>
    public string Target => $"office:{Root}";

    public void Kill() => Machine.Kill(ref _process);

    public void Dispose() => Kill();
}
