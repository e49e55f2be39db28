using System.Text.Json;
using EdgeAgent.Contract.Json;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Topics;

namespace EdgeAgent.Client.Fleet;

/// <summary>What the broker keeps of one room: its retained <c>state</c>, <c>health</c>, <c>compliance</c>, <c>tallies</c>, <c>update</c>, read as the contract's documents.</summary>
public sealed class RoomView(RoomAddress room)
{
    public RoomAddress Room { get; } = room;
    public StatePayload? State { get; set; }
    public HealthPayload? Health { get; set; }
    public ComplianceReport? Compliance { get; set; }
    public Tallies? Tallies { get; set; }
    public UpdateStatus? Update { get; set; }
    /// <summary>Retained documents that were not the contract's (a newer agent, or someone else's message), by suffix.</summary>
    public List<string> Unreadable { get; } = [];

    public bool? Online => State?.Online;
    public DateTimeOffset? HealthAt => Health?.At;
    public DateTimeOffset? StartedAt => State?.StartedAt;

    /// <summary>
    /// Takes one retained document (the contract's <c>state</c>, <c>health</c>, <c>compliance</c>, <c>tallies</c> or <c>update</c>);
    /// one that does not read as the contract's is listed in <see cref="Unreadable"/> and changes nothing. True when something was taken.
    /// </summary>
    public bool Apply(string suffix, byte[] bytes)
    {
        try
        {
            switch (suffix)
            {
                case Suffix.State: State = JsonSerializer.Deserialize(bytes, ContractJson.Wire.StatePayload); return true;
                case Suffix.Health: Health = JsonSerializer.Deserialize(bytes, ContractJson.Wire.HealthPayload); return true;
                case Suffix.Compliance: Compliance = JsonSerializer.Deserialize(bytes, ContractJson.Wire.ComplianceReport); return true;
                case Suffix.Tallies: Tallies = JsonSerializer.Deserialize(bytes, ContractJson.Wire.Tallies); return true;
                case Suffix.Update: Update = JsonSerializer.Deserialize(bytes, ContractJson.Wire.UpdateStatus); return true;
                default: return false;
            }
        }
        catch (JsonException)
        {
            if (!Unreadable.Contains(suffix)) Unreadable.Add(suffix);
            return false;
        }
    }

    /// <summary>Devices not <c>online</c>, with their state.</summary>
    public IReadOnlyList<string> DeviceProblems =>
        Health?.Devices.Where(d => d.State != "online").Select(d => $"{d.Id}:{d.State}").ToList() ?? [];
}
