using System.Diagnostics;
using EdgeAgent.Kernel;
using MimeKit;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>
/// A real SMTP server on a free loopback port: Debian's python3-aiosmtpd with its Mailbox handler, every mail it accepts
/// written to a maildir the test reads (with MimeKit, so encoded Chinese subjects come back as text).
/// </summary>
public sealed class MailSink : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _maildir;

    private MailSink(Process process, int port, string maildir)
    {
        _process = process;
        Port = port;
        _maildir = maildir;
    }

    public int Port { get; }

    public static async Task<MailSink> StartAsync(string dir)
    {
        var port = Machine.FreeTcpPort();
        var maildir = Path.Combine(dir, "maildir");
        Directory.CreateDirectory(dir);
        var info = ChildProcesses.Info("/usr/bin/python3", ["-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Mailbox", maildir]);
        var process = await ChildProcesses.StartAsync(info);
        await Eventually.True(() => Machine.CanConnect(port), TimeSpan.FromSeconds(30), "the SMTP server to listen");
        return new MailSink(process, port, maildir);
    }

    /// <summary>Every mail received so far.</summary>
    public IReadOnlyList<MimeMessage> Messages
    {
        get
        {
            var newDir = Path.Combine(_maildir, "new");
            if (!Directory.Exists(newDir)) return [];
            return Directory.GetFiles(newDir).Order(StringComparer.Ordinal).Select(f => MimeMessage.Load(f)).ToList();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
