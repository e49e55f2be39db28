using System.Globalization;
using EdgeAgent.Office.Store;

namespace EdgeAgent.Office.Accounts;

/// <summary>Every action and push from the console, written before the answer goes back: who, when, which room, what, how it went.</summary>
public sealed class AuditLog(OfficeStore store, TimeProvider time)
{
    public async Task<AuditEntry> WriteAsync(string who, string? room, string action, string detail, string result, CancellationToken ct)
    {
        var at = time.GetUtcNow();
        // Sortable ids: entries of one second keep their order.
        var id = at.UtcDateTime.ToString("yyyyMMddHHmmssfffffff", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];
        var entry = new AuditEntry(id, at, who, room, action, Trim(detail), Trim(result));
        await store.AuditAsync(entry, ct).ConfigureAwait(false);
        return entry;
    }

    public Task<IReadOnlyList<AuditEntry>> RecentAsync(string? room, int limit, CancellationToken ct) => store.AuditLogAsync(room, limit, ct);

    private static string Trim(string text) => text.Length <= 2000 ? text : text[..2000] + "…";
}
