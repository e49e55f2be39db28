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

/// <summary>OpenSSH's SFTP (<see cref="SftpStorage"/>, the simulated office storage).</summary>
public sealed class SftpServer(string dir) : IStorageServer
{
    private readonly SftpStorage _storage = new(dir);

    public string Root => _storage.Root;
    public string RcloneConfig => _storage.RcloneConfig;

    /// <summary>The remote path of <see cref="Root"/> (sftp paths are the server's own).</summary>
    public string Target => _storage.Target;

    public Task StartAsync() => _storage.StartAsync();

    public void Kill() => _storage.Kill();

    public void Dispose() => _storage.Dispose();
}
