using System.Text;
using EdgeAgent.Office.Configuration;
using EdgeAgent.Office.Store;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace EdgeAgent.Office.Alerts;

/// <summary>
/// Sends what the alert engine put in the notification outbox: a JSON POST to each webhook, a mail through the configured
/// SMTP server (MailKit). A failure is tried again later (5 s, doubling, at most an hour apart); nothing is dropped.
/// Logs name the webhook's host only (its URL may carry a token) and never the SMTP password.
/// </summary>
public sealed class Notifier(OfficeStore store, OfficeOptions options, IHttpClientFactory http, ILogger<Notifier> log, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Pass = TimeSpan.FromSeconds(2);
    private long _sent, _failed;

    public long Sent => Interlocked.Read(ref _sent);
    public long Failed => Interlocked.Read(ref _failed);

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Pass, time);
        do
        {
            try
            {
                await SendDueAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning("notifications: {Type}: {Message}", e.GetType().Name, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
    }

    public async Task SendDueAsync(CancellationToken ct)
    {
        foreach (var n in await store.DueNotificationsAsync(time.GetUtcNow(), 50, ct).ConfigureAwait(false))
        {
            string? error = null;
            try
            {
                if (n.Channel == "webhook") await PostAsync(n, ct).ConfigureAwait(false);
                else await MailAsync(n, ct).ConfigureAwait(false);
                Interlocked.Increment(ref _sent);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                error = $"{e.GetType().Name}: {e.Message}";
                Interlocked.Increment(ref _failed);
                log.LogWarning("notification {Id} by {Channel} to {Target} failed (attempt {Attempt}): {Error}", n.Id, n.Channel, Where(n), n.Attempts + 1, error);
            }
            var now = time.GetUtcNow();
            var next = now + TimeSpan.FromSeconds(Math.Min(3600, 5 * Math.Pow(2, Math.Min(n.Attempts, 10))));
            await store.NotificationTriedAsync(n.Id, now, error, next, ct).ConfigureAwait(false);
        }
    }

    private async Task PostAsync(NotificationRow n, CancellationToken ct)
    {
        using var client = http.CreateClient("alerts");
        client.Timeout = TimeSpan.FromSeconds(10);
        using var content = new StringContent(n.Body, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri(n.Target), content, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"the webhook answered {(int)response.StatusCode} {response.ReasonPhrase}");
    }

    private async Task MailAsync(NotificationRow n, CancellationToken ct)
    {
        var smtp = options.Smtp ?? throw new InvalidOperationException("no smtp section in the office's configuration: mail cannot be sent");
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(smtp.From));
        message.To.Add(MailboxAddress.Parse(n.Target));
        message.Subject = n.Subject;
        message.Body = new TextPart("plain") { Text = n.Body };
        using var client = new SmtpClient { Timeout = 15_000 };
        var security = smtp.Security switch { "none" => SecureSocketOptions.None, "tls" => SecureSocketOptions.SslOnConnect, _ => SecureSocketOptions.StartTlsWhenAvailable };
        await client.ConnectAsync(smtp.Host, smtp.Port, security, ct).ConfigureAwait(false);
        if (smtp.Username is not null) await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", ct).ConfigureAwait(false);
        await client.SendAsync(message, ct).ConfigureAwait(false);
        await client.DisconnectAsync(true, ct).ConfigureAwait(false);
    }

    private static string Where(NotificationRow n) => n.Channel == "webhook" && Uri.TryCreate(n.Target, UriKind.Absolute, out var u) ? $"{u.Scheme}://{u.Authority}/…" : n.Target;
}
