using EdgeAgent.Office.Fleet;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EdgeAgent.Office.Console.Pages;

public sealed class IndexModel(FleetLive live) : PageModel
{
    public IReadOnlyList<LiveRoom> Rooms { get; private set; } = [];
    public IReadOnlyList<string> Regions => Rooms.Select(r => r.View.Room.Region).Distinct().Order(StringComparer.Ordinal).ToList();
    public IReadOnlyList<string> Schools => Rooms.Select(r => r.View.Room.School).Distinct().Order(StringComparer.Ordinal).ToList();

    public void OnGet() => Rooms = live.Rooms;
}
