namespace EdgeAgent.State;

/// <summary>The state database's schema, as an append-only list of steps.</summary>
public static class StateMigrations
{
    public static readonly IReadOnlyList<StateMigration> All =
    [
        new(1, "agent_starts", """
            CREATE TABLE agent_starts (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                started_at TEXT NOT NULL,
                version TEXT NOT NULL,
                pid INTEGER NOT NULL
            );
            """),
    ];
}
