using System.Globalization;
using System.Net;
using EdgeAgent.Office.Accounts;
using EdgeAgent.Office.Reports;
using EdgeAgent.Office.Store;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EdgeAgent.Office.Console.Pages;

/// <summary>The monthly form: what the fleet filled, and the fields the office enters per pair (any signed-in user; audited).</summary>
public sealed class ReportsModel(OfficeStore store, AuditLog audit, TimeProvider time) : PageModel
{
    public string Month { get; private set; } = "";
    public IReadOnlyList<MonthlyForm.Page> Pages { get; private set; } = [];
    public string? Saved { get; private set; }
    public string? Problem { get; private set; }

    public async Task OnGetAsync(string? month)
    {
        Month = ReportActions.Parse(month) is { } m ? $"{m.Year:0000}-{m.Month:00}" : ReportActions.DefaultMonth(time);
        await LoadAsync().ConfigureAwait(false);
    }

    public async Task<IActionResult> OnPostAsync(string month, string urban, string rural)
    {
        if (ReportActions.Parse(month) is not { } m) return BadRequest();
        Month = $"{m.Year:0000}-{m.Month:00}";
        var f = Request.Form;
        string? T(string name) => f[name].ToString() is { Length: > 0 } v ? v.Trim() : null;
        int? N(string name) => T(name) is { } v ? int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1 : null;
        var inputs = new FormInputs(T("urbanName"), T("ruralName"), T("filler"), T("stage"), T("agreementSigned"), T("urbanContact"), T("urbanPhone"),
            T("ruralContact"), T("ruralPhone"),
            new SchoolSideInputs(T("urban.spaceOpened"), T("urban.agreementUploaded"), N("urban.processUploads"), T("urban.smallScale")),
            new SchoolSideInputs(T("rural.spaceOpened"), T("rural.agreementUploaded"), N("rural.processUploads"), T("rural.smallScale")),
            new PublicityInputs(N("publicity.school"), N("publicity.county"), N("publicity.city"), N("publicity.province")),
            T("highlights"), T("nextMonthPlan"), T("other"));
        var ct = HttpContext.RequestAborted;
        try
        {
            inputs.Check();
            await store.SaveFormInputsAsync(urban, rural, Month, inputs, time.GetUtcNow(), Roles.Who(User), ct).ConfigureAwait(false);
            await audit.WriteAsync(Roles.Who(User), null, "form-inputs", $"{urban} / {rural} {Month}", "ok", ct).ConfigureAwait(false);
            Saved = $"已保存 saved: {urban} / {rural} {Month}";
        }
        catch (FormatException e)
        {
            await audit.WriteAsync(Roles.Who(User), null, "form-inputs", $"{urban} / {rural} {Month}", $"refused: {e.Message}", ct).ConfigureAwait(false);
            Problem = $"未保存 not saved: {e.Message}";
        }
        await LoadAsync().ConfigureAwait(false);
        return Page();
    }

    private async Task LoadAsync() =>
        Pages = await ReportActions.PagesAsync(store, ReportActions.Parse(Month)!.Value, HttpContext.RequestAborted).ConfigureAwait(false);

    /// <summary>A select with an empty choice first.</summary>
    public static string Choice(string name, string? value, IEnumerable<string> options) =>
        $"<select name=\"{WebUtility.HtmlEncode(name)}\"><option value=\"\"></option>"
        + string.Concat(options.Select(o => $"<option{(o == value ? " selected" : "")}>{WebUtility.HtmlEncode(o)}</option>")) + "</select>";
}
