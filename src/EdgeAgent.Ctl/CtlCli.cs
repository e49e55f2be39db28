using System.CommandLine;

namespace EdgeAgent.Ctl;

/// <summary>The <c>edgeagent-ctl</c> command line: the technician's and the office's tool.</summary>
public static class CtlCli
{
    public static RootCommand Build(TextWriter output, TextWriter error)
    {
        var root = new RootCommand("edgeagent-ctl: see and diagnose the classroom boxes of the synchronized-classroom programme (城乡同步课堂) through the MQTT broker.");
        return root;
    }

    public static Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error) =>
        Build(output, error).Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
}
