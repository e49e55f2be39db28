using EdgeAgent.Office.Accounts;
using EdgeAgent.Office.Alerts;
using EdgeAgent.Office.Store;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EdgeAgent.Office.Console.Pages;

public sealed class AlertsModel(AlertEngine engine, OfficeStore store, TimeProvider time) : PageModel
{
    public IReadOnlyList<AlertRow> Open { get; private set; } = [];
    public IReadOnlyList<AlertRow> Resolved { get; private set; } = [];
    public string RulesJson { get; private set; } = "";
    public string RulesVersion => engine.Rules.Version;
    public bool CanAct => User.IsInRole(Roles.Technician) || User.IsInRole(Roles.Admin);
    public bool IsAdmin => User.IsInRole(Roles.Admin);

    public async Task OnGetAsync()
    {
        var ct = HttpContext.RequestAborted;
        Open = engine.Open;
        Resolved = await store.ResolvedAlertsAsync(time.GetUtcNow().AddDays(-7), 50, ct).ConfigureAwait(false);
        var json = await engine.RulesJsonAsync(ct).ConfigureAwait(false);
        RulesJson = IsAdmin ? json : AlertRules.Redacted(json);
    }
}
