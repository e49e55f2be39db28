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
        new(2, "outbox", """
            CREATE TABLE outbox (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                kind TEXT NOT NULL,
                topic TEXT NOT NULL,
                payload BLOB NOT NULL,
                retain INTEGER NOT NULL,
                created_at TEXT NOT NULL
            );
            CREATE INDEX outbox_kind_seq ON outbox (kind, seq);
            CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
            """),
        new(3, "recording_segments", """
            CREATE TABLE recording_segments (
                path TEXT PRIMARY KEY,
                lesson_id TEXT NOT NULL,
                bytes INTEGER NOT NULL,
                finished_at TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('recorded', 'uploaded', 'kept', 'deleted')),
                changed_at TEXT NOT NULL
            );
            CREATE INDEX recording_segments_status ON recording_segments (status, finished_at);
            """),
        new(4, "lessons", """
            CREATE TABLE lesson_records (
                id TEXT PRIMARY KEY,
                booking_id TEXT,
                status TEXT NOT NULL,
                form TEXT NOT NULL,
                subject TEXT,
                actual_start TEXT,
                json TEXT NOT NULL,
                created_at TEXT NOT NULL,
                queued INTEGER NOT NULL DEFAULT 0
            );
            CREATE INDEX lesson_records_start ON lesson_records (actual_start);
            CREATE TABLE live_lesson (slot INTEGER PRIMARY KEY CHECK (slot = 1), json TEXT NOT NULL);
            CREATE TABLE bookings_document (slot INTEGER PRIMARY KEY CHECK (slot = 1), source TEXT NOT NULL, json BLOB NOT NULL, received_at TEXT NOT NULL);
            """),
        new(5, "compliance", """
            CREATE TABLE compliance_reports (id TEXT PRIMARY KEY, at TEXT NOT NULL, verdict TEXT NOT NULL, json TEXT NOT NULL);
            CREATE INDEX compliance_reports_at ON compliance_reports (at);
            CREATE TABLE policy_document (slot INTEGER PRIMARY KEY CHECK (slot = 1), json TEXT NOT NULL, received_at TEXT NOT NULL);
            """),
        new(6, "link_paths", """
            CREATE TABLE link_paths (
                source TEXT PRIMARY KEY,
                measured_at TEXT NOT NULL,
                rtt_ms REAL,
                loss_percent REAL,
                up_mbps REAL,
                down_mbps REAL
            );
            """),
        new(7, "playbooks", """
            CREATE TABLE playbooks_document (slot INTEGER PRIMARY KEY CHECK (slot = 1), json TEXT NOT NULL, received_at TEXT NOT NULL);
            """),
        new(8, "uploads", """
            CREATE TABLE uploads (
                name TEXT PRIMARY KEY,
                lesson_id TEXT NOT NULL,
                stream TEXT NOT NULL,
                record_json TEXT NOT NULL,
                recorded_from TEXT NOT NULL,
                recorded_until TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('joining', 'queued', 'uploaded', 'empty')),
                mp4 TEXT,
                bytes INTEGER,
                sha256 TEXT,
                segments TEXT,
                skipped INTEGER NOT NULL DEFAULT 0,
                attempts INTEGER NOT NULL DEFAULT 0,
                next_at TEXT NOT NULL,
                queued_at TEXT NOT NULL,
                uploaded_at TEXT,
                url TEXT,
                error TEXT
            );
            CREATE INDEX uploads_state ON uploads (state, next_at);
            """),
        new(9, "update_policy", """
            CREATE TABLE update_policy_document (slot INTEGER PRIMARY KEY CHECK (slot = 1), json TEXT NOT NULL, received_at TEXT NOT NULL);
            """),
    ];
}
