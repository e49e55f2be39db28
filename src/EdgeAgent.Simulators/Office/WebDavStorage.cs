using System.Diagnostics;
using EdgeAgent.Simulators.Common;

namespace EdgeAgent.Simulators.Office;

/// <summary>
/// An office's storage for recorded lessons: Debian's nginx with its WebDAV modules (PUT and MKCOL built in, PROPFIND
/// from libnginx-mod-http-dav-ext) on a free 127.0.0.1 port, serving <see cref="Root"/>; <see cref="RcloneConfig"/>
/// names it as the rclone remote <c>office</c>. Can be killed and started again on the same port.
/// </summary>
public sealed class WebDavStorage : IDisposable
{
    private readonly string _dir;
    private readonly int _port = Loopback.FreeTcpPort();
    private Process? _process;

    public WebDavStorage(string dir)
    {
        _dir = dir;
        Root = Path.Combine(dir, "files");
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Path.Combine(dir, "tmp"));
        File.WriteAllText(Path.Combine(dir, "nginx.conf"), $$"""
            load_module /usr/lib/nginx/modules/ngx_http_dav_ext_module.so;
            daemon off;
            master_process off;
            pid {{dir}}/nginx.pid;
            error_log {{dir}}/error.log;
            events { worker_connections 64; }
            http {
                access_log off;
                client_body_temp_path {{dir}}/tmp;
                server {
                    listen 127.0.0.1:{{_port}};
                    root {{Root}};
                    client_max_body_size 0;
                    location / {
                        dav_methods PUT DELETE MKCOL COPY MOVE;
                        dav_ext_methods PROPFIND OPTIONS;
                        create_full_put_path on;
                    }
                }
            }
            """);
        RcloneConfig = Path.Combine(dir, "rclone.conf");
        File.WriteAllText(RcloneConfig, $"[office]\ntype = webdav\nurl = http://127.0.0.1:{_port}/\nvendor = other\n");
    }

    /// <summary>What the server serves, on this machine's disk.</summary>
    public string Root { get; }

    /// <summary>An rclone configuration file with the remote <c>office</c>.</summary>
    public string RcloneConfig { get; }

    public async Task StartAsync()
    {
        var info = new ProcessStartInfo("nginx") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-p", _dir, "-c", Path.Combine(_dir, "nginx.conf"), "-e", Path.Combine(_dir, "error.log") }) info.ArgumentList.Add(a);
        _process = Process.Start(info) ?? throw new InvalidOperationException("cannot start nginx");
        var until = DateTime.UtcNow.AddSeconds(20);
        while (!Loopback.Accepts(_port))
        {
            if (_process.HasExited || DateTime.UtcNow > until)
                throw new InvalidOperationException($"nginx did not listen on 127.0.0.1:{_port}: {File.ReadAllText(Path.Combine(_dir, "error.log"))}");
            await Task.Delay(50);
        }
    }

    public void Kill() => Loopback.Kill(ref _process);

    public void Dispose() => Kill();
}
