namespace EdgeAgent.Office.Accounts;

/// <summary>
/// The console's roles: a viewer (the county office) sees; a technician also acts on rooms; an admin also manages users,
/// alert rules, the policy and timetables. Each role includes the ones before it.
/// </summary>
public static class Roles
{
    public const string Viewer = "viewer";
    public const string Technician = "technician";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Viewer, Technician, Admin];

    /// <summary>Authorization policies by the least role they need.</summary>
    public const string CanAct = "can-act";
    public const string CanAdminister = "can-administer";

    public static bool IsRole(string role) => All.Contains(role);

    /// <summary>The signed-in user's name, as the audit log writes it.</summary>
    public static string Who(System.Security.Claims.ClaimsPrincipal user) => user.Identity?.Name ?? "?";
}
