/**
 * nexus-attest v0.7.1's decision DB schema, statement for statement (from the sqlite_schema of a
 * database it wrote: ../shared/fixtures/nexus-attest/sqlite-schemas.json). The template tables are
 * created lazily by nexus-attest, so they are kept apart.
 */
export const DECISION_SCHEMA_STATEMENTS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS decisions (
                    decision_id TEXT PRIMARY KEY,
                    created_at TEXT NOT NULL
                );`,
  `CREATE TABLE IF NOT EXISTS decision_events (
                    decision_id TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    event_type TEXT NOT NULL,
                    ts TEXT NOT NULL,
                    actor_type TEXT NOT NULL,
                    actor_id TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    digest TEXT NOT NULL,
                    PRIMARY KEY (decision_id, seq),
                    FOREIGN KEY (decision_id) REFERENCES decisions(decision_id)
                );`,
  `CREATE INDEX IF NOT EXISTS idx_events_decision
                ON decision_events(decision_id);`,
  `CREATE INDEX IF NOT EXISTS idx_events_type
                ON decision_events(event_type);`,
];

export const TEMPLATE_SCHEMA_STATEMENTS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS templates (
                name TEXT PRIMARY KEY,
                description TEXT NOT NULL,
                min_approvals INTEGER NOT NULL,
                allowed_modes TEXT NOT NULL,
                require_adapter_capabilities TEXT NOT NULL,
                max_steps INTEGER,
                labels TEXT NOT NULL,
                created_at TEXT NOT NULL,
                created_by_type TEXT NOT NULL,
                created_by_id TEXT NOT NULL,
                digest TEXT NOT NULL
            );`,
  `CREATE TABLE IF NOT EXISTS template_events (
                template_name TEXT NOT NULL,
                seq INTEGER NOT NULL,
                event_type TEXT NOT NULL,
                ts TEXT NOT NULL,
                actor_type TEXT NOT NULL,
                actor_id TEXT NOT NULL,
                payload TEXT NOT NULL,
                digest TEXT NOT NULL,
                PRIMARY KEY (template_name, seq)
            );`,
  `CREATE INDEX IF NOT EXISTS idx_template_events_name
            ON template_events(template_name);`,
];
