using System.Diagnostics;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>
/// A small tmpfs mounted for one test (<c>mount -t tmpfs -o size=…</c>, as root), to make a disk full on purpose: the
/// packaged layout keeps the state database and the recordings on one volume. <see cref="Fill"/> takes every free byte
/// once; <see cref="KeepFull"/> goes on taking what anyone frees (the worst case: nothing the agent frees stays free)
/// until <see cref="Release"/>. Unmounted on dispose.
/// </summary>
public sealed class SmallVolume : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _filler;
    private int _fills;

    private SmallVolume(string path) => Path = path;

    public string Path { get; }
    private string FillPrefix => System.IO.Path.Combine(Path, "fill");

    /// <summary>Mounts a tmpfs of <paramref name="megabytes"/> MiB; null (the test skips) where mounting is not allowed.</summary>
    public static SmallVolume? TryMount(string parent, int megabytes)
    {
        var path = System.IO.Path.Combine(parent, $"volume-{Guid.NewGuid():N}"[..20]);
        Directory.CreateDirectory(path);
        var (code, _) = Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m,mode=0777", "tmpfs", path);
        return code == 0 ? new SmallVolume(path) : null;
    }

    public long Free => new DriveInfo(Path).AvailableFreeSpace;

    /// <summary>Takes every free byte now (one filler file more).</summary>
    public void Fill()
    {
        var file = $"{FillPrefix}-{Interlocked.Increment(ref _fills)}";
        try
        {
            using var stream = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.ReadWrite);
            var block = new byte[16 * 1024];
            while (true) stream.Write(block);
        }
        catch (IOException)
        {
            // full
        }
    }

    /// <summary>Keeps the volume full: whatever is freed is taken again within a few milliseconds, until <see cref="Release"/>.</summary>
    public void KeepFull()
    {
        Fill();
        _filler = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                if (Free > 0) Fill();
                try { await Task.Delay(20, _stop.Token); } catch (OperationCanceledException) { }
            }
        });
    }

    /// <summary>Stops filling and gives every filler byte back.</summary>
    public void Release()
    {
        _stop.Cancel();
        _filler?.Wait(TimeSpan.FromSeconds(10));
        foreach (var f in Directory.GetFiles(Path, "fill-*")) File.Delete(f);
    }

    private static (int Code, string Output) Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(info)!;
            var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }

    public void Dispose()
    {
        if (!_stop.IsCancellationRequested) Release();
        Run("umount", "-l", Path);
        try { Directory.Delete(Path); } catch (IOException) { }
    }
}
