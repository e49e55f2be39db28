using System.Diagnostics;
using EdgeAgent.Office.Configuration;

namespace EdgeAgent.Office.Reports;

/// <summary>
/// HTML to PDF with headless Chromium's print-to-PDF (Debian's <c>chromium</c>; A4 comes from the page's <c>@page</c>
/// rule, no header or footer). The page is the office's own form (every entered value HTML-encoded); Chromium runs with a
/// throw-away profile and no network use beyond the local file, and is killed if it takes longer than a minute.
/// </summary>
public sealed class PdfPrinter(OfficeOptions options, ILogger<PdfPrinter> log)
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    public bool Available => File.Exists(options.Chromium);

    public async Task<byte[]> PrintAsync(string html, CancellationToken ct)
    {
        if (!Available) throw new InvalidOperationException($"no Chromium at {options.Chromium} (apt install chromium): the form is available as HTML only");
        var dir = Directory.CreateTempSubdirectory("edgeagent-office-pdf-");
        try
        {
            var page = Path.Combine(dir.FullName, "form.html");
            var pdf = Path.Combine(dir.FullName, "form.pdf");
            await File.WriteAllTextAsync(page, html, ct).ConfigureAwait(false);
            var info = new ProcessStartInfo(options.Chromium)
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
                ArgumentList =
                {
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-extensions", "--no-first-run", "--disable-background-networking",
                    "--no-pdf-header-footer", $"--user-data-dir={Path.Combine(dir.FullName, "profile")}", $"--print-to-pdf={pdf}",
                    new Uri(page).AbsoluteUri,
                },
            };
            info.Environment["HOME"] = dir.FullName;
            using var process = Process.Start(info) ?? throw new InvalidOperationException("chromium did not start");
            var stderr = process.StandardError.ReadToEndAsync(ct);
            _ = process.StandardOutput.ReadToEndAsync(ct);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(Limit);
            try
            {
                await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"chromium did not print the form within {Limit.TotalSeconds:0} s");
            }
            if (!File.Exists(pdf) || new FileInfo(pdf).Length == 0)
            {
                var why = (await stderr.ConfigureAwait(false)).Trim();
                log.LogWarning("chromium exited {Code} without a PDF: {Error}", process.ExitCode, why.Length > 500 ? why[..500] : why);
                throw new InvalidOperationException($"chromium made no PDF (exit {process.ExitCode})");
            }
            return await File.ReadAllBytesAsync(pdf, ct).ConfigureAwait(false);
        }
        finally
        {
            try { dir.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
