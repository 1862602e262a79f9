/**
 * nexuscone v0.2's DDL, statement for statement as `Ledger.init()` creates it (copied from the
 * sqlite_schema of a database nexuscone wrote), so a ledger Proofdesk creates is one nexuscone
 * opens without migrating.
 */
export const NEXUSCONE_SCHEMA_STATEMENTS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS entries (
    entry_id        INTEGER PRIMARY KEY AUTOINCREMENT,
    timestamp       TEXT    NOT NULL,
    actor           TEXT    NOT NULL,
    action          TEXT    NOT NULL,
    event_type      TEXT    NOT NULL DEFAULT 'request',
    format_version  INTEGER NOT NULL DEFAULT 2,
    payload         TEXT    NOT NULL,
    previous_hash   TEXT    NOT NULL,
    entry_hash      TEXT    NOT NULL,
    signature       TEXT,
    signing_key_id  TEXT
)`,
  `CREATE INDEX IF NOT EXISTS idx_entries_actor ON entries(actor)`,
  `CREATE INDEX IF NOT EXISTS idx_entries_ts ON entries(timestamp)`,
  `CREATE INDEX IF NOT EXISTS idx_entries_event_type ON entries(event_type)`,
  `CREATE TABLE IF NOT EXISTS anchors (
    anchor_id            INTEGER PRIMARY KEY AUTOINCREMENT,
    chain_head_hash      TEXT    NOT NULL,
    chain_head_entry_id  INTEGER NOT NULL,
    ots_proof_blob       BLOB,
    submitted_at         TEXT    NOT NULL,
    calendar_servers     TEXT    NOT NULL,
    confirmed_at         TEXT,
    bitcoin_block_height INTEGER,
    bitcoin_block_hash   TEXT,
    tst_blob             BLOB,
    tsa_url              TEXT,
    tsa_gen_time         TEXT,
    FOREIGN KEY (chain_head_entry_id) REFERENCES entries(entry_id)
)`,
  `CREATE INDEX IF NOT EXISTS idx_anchors_chain_head ON anchors(chain_head_hash)`,
  `CREATE INDEX IF NOT EXISTS idx_anchors_unconfirmed ON anchors(confirmed_at) WHERE confirmed_at IS NULL`,
  `CREATE TABLE IF NOT EXISTS witnesses (
    witness_id     INTEGER PRIMARY KEY AUTOINCREMENT,
    label          TEXT    NOT NULL UNIQUE,
    public_key_hex TEXT    NOT NULL UNIQUE,
    role           TEXT    NOT NULL DEFAULT 'consortium',
    created_at     TEXT    NOT NULL,
    retired_at     TEXT
)`,
  `CREATE INDEX IF NOT EXISTS idx_witnesses_active ON witnesses(retired_at) WHERE retired_at IS NULL`,
  `CREATE TABLE IF NOT EXISTS witness_attestations (
    attestation_id          INTEGER PRIMARY KEY AUTOINCREMENT,
    witness_id              INTEGER NOT NULL,
    chain_head_entry_id     INTEGER NOT NULL,
    chain_head_hash         TEXT    NOT NULL,
    signed_at               TEXT    NOT NULL,
    prev_attestation_hash   TEXT    NOT NULL,
    attestation_hash        TEXT    NOT NULL,
    signature_hex           TEXT    NOT NULL,
    FOREIGN KEY (witness_id) REFERENCES witnesses(witness_id),
    FOREIGN KEY (chain_head_entry_id) REFERENCES entries(entry_id)
)`,
  `CREATE INDEX IF NOT EXISTS idx_witness_attestations_witness ON witness_attestations(witness_id, signed_at)`,
  `CREATE INDEX IF NOT EXISTS idx_witness_attestations_chain_head ON witness_attestations(chain_head_entry_id)`,
];
