using EdgeAgent.Recordings;

namespace EdgeAgent.Tests.Recordings;

/// <summary>Which rclone remotes the resumable SFTP copy takes, and what it tells OpenSSH's sftp.</summary>
public sealed class SftpResumeTests
{
    private static Dictionary<string, string> Sftp(params (string Key, string Value)[] more)
    {
        var remote = new Dictionary<string, string> { ["type"] = "sftp", ["host"] = "files.county.example", ["key_file"] = "/etc/edgeagent/office_key" };
        foreach (var (k, v) in more) remote[k] = v;
        return remote;
    }

    [Fact]
    public void Only_an_sftp_remote_that_logs_in_with_a_key_alone_is_copied_with_resume()
    {
        Assert.NotNull(SftpResume.For(Sftp(), 8000));
        Assert.Null(SftpResume.For(new Dictionary<string, string> { ["type"] = "webdav", ["url"] = "http://127.0.0.1/" }, 8000));
        Assert.Null(SftpResume.For(Sftp(("pass", "obscured")), 8000)); // sftp's batch mode takes no password
        Assert.Null(SftpResume.For(Sftp(("key_file_pass", "obscured")), 8000));
        Assert.Null(SftpResume.For(new Dictionary<string, string> { ["type"] = "sftp", ["host"] = "files.county.example" }, 8000));
    }

    [Fact]
    public void The_cap_is_given_in_sftps_own_unit_and_the_host_key_is_checked_where_the_remote_names_known_hosts()
    {
        var options = SftpResume.For(Sftp(("port", "2222"), ("known_hosts_file", "/etc/edgeagent/known_hosts")), 8000)!.Options;
        Assert.Equal("7812", options[options.ToList().IndexOf("-l") + 1]); // 8000 kbit/s of 1000 bits = 7812 Kbit/s of 1024
        Assert.Equal("2222", options[options.ToList().IndexOf("-P") + 1]);
        Assert.Contains("StrictHostKeyChecking=yes", options);
        Assert.Contains("UserKnownHostsFile=/etc/edgeagent/known_hosts", options);
        Assert.DoesNotContain("-l", SftpResume.For(Sftp(), 0)!.Options);
        Assert.Contains("StrictHostKeyChecking=no", SftpResume.For(Sftp(), 0)!.Options);
    }
}
