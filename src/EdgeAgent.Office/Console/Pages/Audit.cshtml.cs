using EdgeAgent.Office.Accounts;
using EdgeAgent.Office.Store;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EdgeAgent.Office.Console.Pages;

public sealed class AuditModel(AuditLog audit) : PageModel
{
    public IReadOnlyList<AuditEntry> Entries { get; private set; } = [];

    public async Task OnGetAsync() => Entries = await audit.RecentAsync(null, 500, HttpContext.RequestAborted).ConfigureAwait(false);
}
