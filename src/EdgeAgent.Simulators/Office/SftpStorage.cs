using System.Diagnostics;
using EdgeAgent.Simulators.Common;

namespace EdgeAgent.Simulators.Office;

/// <summary>
/// An office's storage for recorded lessons over SFTP: Debian's OpenSSH sshd with its internal SFTP server on a free
/// 127.0.0.1 port, a host key and a client key made for it, and a shell (rclone asks it for checksums).
/// <see cref="RcloneConfig"/> names it as the rclone remote <c>office</c>; its paths are the server's own, so files go
/// under <see cref="Target"/>. Can be killed (with the sessions it serves) and started again on the same port.
/// </summary>
public sealed class SftpStorage : IDisposable
{
    private readonly string _dir;
    private readonly int _port = Loopback.FreeTcpPort();
    private Process? _process;

    public SftpStorage(string dir)
    {
        _dir = dir;
        Root = Path.Combine(dir, "files");
        Directory.CreateDirectory(Root);
        RcloneConfig = Path.Combine(dir, "rclone.conf");
    }

    /// <summary>What the server serves, on this machine's disk.</summary>
    public string Root { get; }

    /// <summary>An rclone configuration file with the remote <c>office</c> (SFTP with a key).</summary>
    public string RcloneConfig { get; }

    /// <summary>The rclone path of <see cref="Root"/>.</summary>
    public string Target => $"office:{Root}";

    public async Task StartAsync()
    {
        if (!File.Exists(Path.Combine(_dir, "host_key")))
        {
            KeyGen(Path.Combine(_dir, "host_key"));
            KeyGen(Path.Combine(_dir, "client_key"));
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
        _process = Process.Start(info) ?? throw new InvalidOperationException("cannot start sshd");
        var until = DateTime.UtcNow.AddSeconds(20);
        while (!Loopback.Accepts(_port))
        {
            if (_process.HasExited || DateTime.UtcNow > until)
                throw new InvalidOperationException($"sshd did not listen on 127.0.0.1:{_port}: {await _process.StandardError.ReadToEndAsync()}");
            await Task.Delay(50);
        }
    }

    private static void KeyGen(string path)
    {
        var info = new ProcessStartInfo("ssh-keygen") { UseShellExecute = false, RedirectStandardError = true };
        foreach (var a in new[] { "-q", "-t", "ed25519", "-N", "", "-f", path }) info.ArgumentList.Add(a);
        using var p = Process.Start(info) ?? throw new InvalidOperationException("cannot start ssh-keygen");
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"ssh-keygen failed: {p.StandardError.ReadToEnd()}");
    }

    /// <summary>Stops the server and every session it serves.</summary>
    public void Kill() => Loopback.Kill(ref _process);

    public void Dispose() => Kill();
}
