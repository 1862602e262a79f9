/**
 * The one closed set of check names, finding codes and error codes. Badges, CLI exit codes and
 * report lines are derived from these values, never from message text.
 */

export const CHECK_STATUSES = ['PASS', 'FAIL', 'SKIP', 'PENDING', 'WARN'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

/** What was checked. Each check yields one PASS line, or one line per finding. */
export const CHECK_NAMES = [
  'ledger.genesis',
  'ledger.ids',
  'ledger.links',
  'ledger.hashes',
  'ledger.rows',
  'ledger.sequence',
  'ledger.format',
  'ledger.signatures',
  'ledger.signature_coverage',
  'anchors.heads',
  'anchors.ots',
  'anchors.tsa',
  'witnesses.heads',
  'witnesses.links',
  'witnesses.hashes',
  'witnesses.signatures',
  'trusted_head',
  'decision.replay',
  'decision.event_digests',
  'decision.approval_signatures',
  'decision.ledger_binding',
  // nexus-attest decision bundles (import-time checks, then Proofdesk's stricter ones)
  'bundle.schema',
  'bundle.digest',
  'bundle.sequence',
  'bundle.event_digests',
  'bundle.event_ids',
  'bundle.router_link',
  'bundle.template_snapshot',
  'bundle.header',
  'bundle.status',
  'bundle.provenance',
  // nexus-attest audit packages (verify_audit_package's checks, then Proofdesk's stricter ones)
  'package.structure',
  'package.binding_digest',
  'package.control_bundle_digest',
  'package.binding_control_match',
  'package.binding_router_match',
  'package.binding_link_match',
  'package.router_digest',
  'package.router_bundle',
  'package.run_id',
  'package.provenance',
  // narrative report PDFs (verify-report)
  'report.digest',
  'report.evidence',
  'report.checks',
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

/** Codes carried by findings and by non-PASS checks. */
export const FINDING_CODES = [
  'LEDGER_HASH_MISMATCH',
  'LEDGER_LINK_BROKEN',
  'LEDGER_GENESIS_INVALID',
  'LEDGER_ID_GAP',
  'LEDGER_ROW_MALFORMED',
  'LEDGER_TRUNCATED',
  'LEDGER_SEQUENCE_BEHIND',
  'LEDGER_FORMAT_DOWNGRADE',
  'LEDGER_V1_FIELD_UNPROTECTED',
  'LEDGER_SIGNATURE_INVALID',
  'LEDGER_SIGNATURE_MALFORMED',
  'LEDGER_KEY_UNKNOWN',
  'LEDGER_SIGNATURE_MISSING',
  'LEDGER_SIGNATURES_NOT_CHECKED',
  'LEDGER_UNSIGNED',
  'LEDGER_FINDINGS_CAPPED',
  'ANCHOR_HEAD_MISMATCH',
  'ANCHOR_PROOF_NOT_CHECKED',
  'ANCHOR_TST_NOT_CHECKED',
  'ANCHOR_TSA_MALFORMED',
  'ANCHOR_TSA_IMPRINT_MISMATCH',
  'ANCHOR_TSA_NONCE_MISMATCH',
  'ANCHOR_TSA_SIGNATURE_INVALID',
  'ANCHOR_TSA_UNTRUSTED',
  'ANCHOR_TSA_ROOTS_MISSING',
  'ANCHOR_OTS_COMMITMENT_MISMATCH',
  'ANCHOR_OTS_HEIGHT_MISMATCH',
  'ANCHOR_OTS_INVALID',
  'ANCHOR_OTS_PENDING',
  'ANCHOR_OTS_HEADERS_MISSING',
  'ANCHOR_OTS_BRANCHES_DISAGREE',
  'WITNESS_SIGNATURE_INVALID',
  'WITNESS_HASH_MISMATCH',
  'WITNESS_LINK_BROKEN',
  'WITNESS_HEAD_MISMATCH',
  'WITNESS_UNKNOWN',
  'TRUSTED_HEAD_ROLLBACK',
  'TRUSTED_HEAD_FORK',
  'TRUSTED_HEAD_FIRST_USE',
  'TRUSTED_HEAD_NOT_RECORDED',
  'DECISION_UNREPLAYABLE',
  'DECISION_EVENT_DIGEST_MISMATCH',
  'APPROVAL_SIGNATURE_INVALID',
  'APPROVAL_SIGNER_UNKNOWN',
  'DECISION_EVENT_MISSING',
  'DECISION_EVENT_ALTERED',
  'DECISION_EVENT_UNRECORDED',
  'BUNDLE_INVALID_SCHEMA',
  'BUNDLE_UNCOVERED_FIELD',
  'BUNDLE_DIGEST_MISMATCH',
  'BUNDLE_SEQUENCE_INVALID',
  'BUNDLE_EVENT_DIGEST_MISMATCH',
  'BUNDLE_EVENT_ID_MISMATCH',
  'BUNDLE_ROUTER_LINK_MISMATCH',
  'BUNDLE_LINK_DIGEST_MISMATCH',
  'BUNDLE_TEMPLATE_SNAPSHOT_MISMATCH',
  'BUNDLE_HEADER_MISMATCH',
  'BUNDLE_STATUS_MISMATCH',
  'BUNDLE_STATUS_NOT_REPLAYED',
  'BUNDLE_PROVENANCE_INCONSISTENT',
  'PACKAGE_MALFORMED',
  'PACKAGE_BINDING_DIGEST_MISMATCH',
  'PACKAGE_CONTROL_DIGEST_MISMATCH',
  'PACKAGE_BINDING_CONTROL_MISMATCH',
  'PACKAGE_BINDING_ROUTER_MISMATCH',
  'PACKAGE_BINDING_LINK_MISMATCH',
  'PACKAGE_ROUTER_INTEGRITY_MISSING',
  'PACKAGE_ROUTER_BUNDLE_DIGEST_MISMATCH',
  'PACKAGE_ROUTER_BUNDLE_NOT_REHASHED',
  'PACKAGE_RUN_ID_MISMATCH',
  'PACKAGE_RUN_ID_NOT_CHECKED',
  'PACKAGE_PROVENANCE_INCONSISTENT',
  'REPORT_DIGEST_MISMATCH',
  'REPORT_EVIDENCE_CHANGED',
  'REPORT_CHECKS_CHANGED',
  'REPORT_NOT_RECHECKED',
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];

/** Why an operation could not run at all (CLI exit 2; IPC error envelope). */
export const ERROR_CODES = [
  'USAGE',
  'FILE_NOT_FOUND',
  'FILE_IS_DIRECTORY',
  'FILE_UNREADABLE',
  'NOT_SQLITE',
  'NOT_A_LEDGER',
  'LEDGER_ENTRIES_NOT_TABLE',
  'LEDGER_SCHEMA_UNSUPPORTED',
  'NOT_A_DECISION_STORE',
  'DECISION_NOT_FOUND',
  'DECISION_EXISTS',
  'IMPORT_REFUSED',
  'BUNDLE_FILE_MALFORMED',
  'DATABASE_LOCKED',
  'DATABASE_CORRUPT',
  'KEYRING_MALFORMED',
  'KEY_FILE_MALFORMED',
  'KEY_FILE_EXISTS',
  'KEY_PASSPHRASE_WRONG',
  'PAYLOAD_MALFORMED',
  'STATE_DIR_UNUSABLE',
  'TSA_UNAVAILABLE',
  'CALENDAR_UNAVAILABLE',
  'CANCELLED',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

interface FindingCodeInfo {
  /** The check a finding with this code belongs to. */
  readonly check: CheckName;
  /** Default status; a few codes are promoted or demoted by an explicit policy (see ledger-verdict). */
  readonly status: CheckStatus;
  /** One line a compliance officer can read next to the badge. */
  readonly title: string;
}

export const FINDING_CODE_INFO: Readonly<Record<FindingCode, FindingCodeInfo>> = {
  LEDGER_HASH_MISMATCH: {
    check: 'ledger.hashes',
    status: 'FAIL',
    title: 'The stored entry_hash is not the hash of the entry’s fields.',
  },
  LEDGER_LINK_BROKEN: {
    check: 'ledger.links',
    status: 'FAIL',
    title: 'previous_hash does not equal the entry_hash of the entry before it.',
  },
  LEDGER_GENESIS_INVALID: {
    check: 'ledger.genesis',
    status: 'FAIL',
    title: 'The first entry does not start from the all-zero previous_hash.',
  },
  LEDGER_ID_GAP: {
    check: 'ledger.ids',
    status: 'FAIL',
    title: 'entry_id does not start at 1 or skips a value: entries were removed.',
  },
  LEDGER_ROW_MALFORMED: {
    check: 'ledger.rows',
    status: 'FAIL',
    title: 'A column holds a value nexuscone never writes.',
  },
  LEDGER_TRUNCATED: {
    check: 'ledger.sequence',
    status: 'FAIL',
    title: 'SQLite’s sequence shows entries beyond the last one: the tail was deleted.',
  },
  LEDGER_SEQUENCE_BEHIND: {
    check: 'ledger.sequence',
    status: 'WARN',
    title: 'SQLite’s sequence is behind the last entry_id: the sequence table was edited.',
  },
  LEDGER_FORMAT_DOWNGRADE: {
    check: 'ledger.format',
    status: 'FAIL',
    title: 'A format 1 entry follows a format 2 entry.',
  },
  LEDGER_V1_FIELD_UNPROTECTED: {
    check: 'ledger.format',
    status: 'FAIL',
    title:
      'A format 1 entry has an event_type other than the migration default; v1 hashes do not cover it.',
  },
  LEDGER_SIGNATURE_INVALID: {
    check: 'ledger.signatures',
    status: 'FAIL',
    title: 'The Ed25519 signature does not verify for the entry_hash with the named key.',
  },
  LEDGER_SIGNATURE_MALFORMED: {
    check: 'ledger.signatures',
    status: 'FAIL',
    title: 'The signature or its key id is not in nexuscone’s form.',
  },
  LEDGER_KEY_UNKNOWN: {
    check: 'ledger.signatures',
    status: 'FAIL',
    title: 'The entry names a signing key that is not in the keyring.',
  },
  LEDGER_SIGNATURE_MISSING: {
    check: 'ledger.signature_coverage',
    status: 'FAIL',
    title: 'The entry is not signed.',
  },
  LEDGER_SIGNATURES_NOT_CHECKED: {
    check: 'ledger.signatures',
    status: 'SKIP',
    title: 'Signatures were not checked because no keyring was given.',
  },
  LEDGER_UNSIGNED: {
    check: 'ledger.signature_coverage',
    status: 'SKIP',
    title: 'No entry is signed, so nothing evidences who wrote the entries.',
  },
  LEDGER_FINDINGS_CAPPED: {
    check: 'ledger.rows',
    status: 'WARN',
    title: 'More findings of one kind than are listed individually.',
  },
  ANCHOR_HEAD_MISMATCH: {
    check: 'anchors.heads',
    status: 'FAIL',
    title: 'An anchor’s chain head is not the entry_hash at its entry, or that entry is gone.',
  },
  ANCHOR_PROOF_NOT_CHECKED: {
    check: 'anchors.ots',
    status: 'SKIP',
    title: 'The anchor’s OpenTimestamps proof was not verified.',
  },
  ANCHOR_TST_NOT_CHECKED: {
    check: 'anchors.tsa',
    status: 'SKIP',
    title: 'The anchor’s RFC 3161 timestamp token was not verified.',
  },
  ANCHOR_TSA_MALFORMED: {
    check: 'anchors.tsa',
    status: 'FAIL',
    title: 'The stored RFC 3161 response cannot be parsed, or its status is not granted.',
  },
  ANCHOR_TSA_IMPRINT_MISMATCH: {
    check: 'anchors.tsa',
    status: 'FAIL',
    title: 'The timestamp’s message imprint is not the SHA-256 of the anchor’s chain head.',
  },
  ANCHOR_TSA_NONCE_MISMATCH: {
    check: 'anchors.tsa',
    status: 'FAIL',
    title: 'The timestamp’s nonce is not the one the request sent.',
  },
  ANCHOR_TSA_SIGNATURE_INVALID: {
    check: 'anchors.tsa',
    status: 'FAIL',
    title: 'The timestamp token’s CMS signature does not verify.',
  },
  ANCHOR_TSA_UNTRUSTED: {
    check: 'anchors.tsa',
    status: 'FAIL',
    title:
      'The timestamp’s signer does not chain to a supplied root, lacks the critical timeStamping usage, or was not valid at genTime.',
  },
  ANCHOR_TSA_ROOTS_MISSING: {
    check: 'anchors.tsa',
    status: 'SKIP',
    title: 'No TSA trust roots were supplied, so who signed the timestamp was not checked.',
  },
  ANCHOR_OTS_COMMITMENT_MISMATCH: {
    check: 'anchors.ots',
    status: 'FAIL',
    title: 'The OpenTimestamps proof does not start from the anchor’s chain head.',
  },
  ANCHOR_OTS_HEIGHT_MISMATCH: {
    check: 'anchors.ots',
    status: 'FAIL',
    title: 'The proof’s Bitcoin attestation is at another height than the row records.',
  },
  ANCHOR_OTS_INVALID: {
    check: 'anchors.ots',
    status: 'FAIL',
    title:
      'The OpenTimestamps proof is malformed, or its merkle root or proof of work does not match the block header.',
  },
  ANCHOR_OTS_PENDING: {
    check: 'anchors.ots',
    status: 'PENDING',
    title: 'The OpenTimestamps proof is still pending at its calendars: not yet in Bitcoin.',
  },
  ANCHOR_OTS_HEADERS_MISSING: {
    check: 'anchors.ots',
    status: 'SKIP',
    title: 'No block headers were supplied, so the claimed Bitcoin confirmation was not checked.',
  },
  ANCHOR_OTS_BRANCHES_DISAGREE: {
    check: 'anchors.ots',
    status: 'WARN',
    title:
      'Branches of one proof compute different merkle roots for the same block, so at most one of them is genuine.',
  },
  WITNESS_SIGNATURE_INVALID: {
    check: 'witnesses.signatures',
    status: 'FAIL',
    title: 'The witness signature does not verify with the witness’s registered key.',
  },
  WITNESS_HASH_MISMATCH: {
    check: 'witnesses.hashes',
    status: 'FAIL',
    title: 'The stored attestation_hash is not the hash of the attestation’s fields.',
  },
  WITNESS_LINK_BROKEN: {
    check: 'witnesses.links',
    status: 'FAIL',
    title: 'prev_attestation_hash does not equal this witness’s previous attestation_hash.',
  },
  WITNESS_HEAD_MISMATCH: {
    check: 'witnesses.heads',
    status: 'FAIL',
    title: 'A cosigned chain head is not the entry_hash at its entry, or that entry is gone.',
  },
  WITNESS_UNKNOWN: {
    check: 'witnesses.signatures',
    status: 'FAIL',
    title: 'An attestation names a witness that is not registered.',
  },
  TRUSTED_HEAD_ROLLBACK: {
    check: 'trusted_head',
    status: 'FAIL',
    title: 'The ledger no longer reaches the head Proofdesk verified before: entries were removed.',
  },
  TRUSTED_HEAD_FORK: {
    check: 'trusted_head',
    status: 'FAIL',
    title:
      'The entry at the previously verified head now has a different hash: history was rewritten.',
  },
  TRUSTED_HEAD_FIRST_USE: {
    check: 'trusted_head',
    status: 'WARN',
    title: 'First verification of this file: its head is recorded now (trust on first use).',
  },
  DECISION_UNREPLAYABLE: {
    check: 'decision.replay',
    status: 'FAIL',
    title: 'The decision’s events cannot be replayed; it is shown as corrupt.',
  },
  DECISION_EVENT_DIGEST_MISMATCH: {
    check: 'decision.event_digests',
    status: 'FAIL',
    title: 'A stored event digest is not the digest of its event type and payload.',
  },
  APPROVAL_SIGNATURE_INVALID: {
    check: 'decision.approval_signatures',
    status: 'FAIL',
    title: 'An approval or revocation signature does not verify.',
  },
  APPROVAL_SIGNER_UNKNOWN: {
    check: 'decision.approval_signatures',
    status: 'FAIL',
    title: 'An approval or revocation is signed by a key that is not the approver’s trusted key.',
  },
  DECISION_EVENT_MISSING: {
    check: 'decision.ledger_binding',
    status: 'FAIL',
    title: 'The ledger recorded a decision event that the decision store no longer has.',
  },
  DECISION_EVENT_ALTERED: {
    check: 'decision.ledger_binding',
    status: 'FAIL',
    title: 'A decision event differs from what the ledger recorded for it.',
  },
  DECISION_EVENT_UNRECORDED: {
    check: 'decision.ledger_binding',
    status: 'FAIL',
    title: 'A decision event has no ledger entry, so nothing protects it from later edits.',
  },
  TRUSTED_HEAD_NOT_RECORDED: {
    check: 'trusted_head',
    status: 'SKIP',
    title:
      'No trusted-head store was used, so truncation or re-hashing of the whole tail cannot be seen.',
  },
  BUNDLE_INVALID_SCHEMA: {
    check: 'bundle.schema',
    status: 'FAIL',
    title: 'The decision bundle lacks fields nexus-attest requires, or they have the wrong shape.',
  },
  BUNDLE_UNCOVERED_FIELD: {
    check: 'bundle.schema',
    status: 'WARN',
    title: 'The bundle carries fields nexus-attest ignores, so no digest covers them.',
  },
  BUNDLE_DIGEST_MISMATCH: {
    check: 'bundle.digest',
    status: 'FAIL',
    title: 'integrity.canonical_digest is not the digest of the bundle’s content.',
  },
  BUNDLE_SEQUENCE_INVALID: {
    check: 'bundle.sequence',
    status: 'FAIL',
    title: 'Event seq values do not run 0, 1, 2, … in order: events were removed or reordered.',
  },
  BUNDLE_EVENT_DIGEST_MISMATCH: {
    check: 'bundle.event_digests',
    status: 'FAIL',
    title: 'An event’s digest is not the digest of its type and payload: the payload was edited.',
  },
  BUNDLE_EVENT_ID_MISMATCH: {
    check: 'bundle.event_ids',
    status: 'FAIL',
    title: 'An event’s event_id or decision_id does not belong to this decision and seq.',
  },
  BUNDLE_ROUTER_LINK_MISMATCH: {
    check: 'bundle.router_link',
    status: 'FAIL',
    title: 'router_link is not what the execution events record.',
  },
  BUNDLE_LINK_DIGEST_MISMATCH: {
    check: 'bundle.router_link',
    status: 'FAIL',
    title: 'control_router_link_digest is not the digest of the link’s decision, run and digests.',
  },
  BUNDLE_TEMPLATE_SNAPSHOT_MISMATCH: {
    check: 'bundle.template_snapshot',
    status: 'FAIL',
    title: 'template_snapshot is not what the POLICY_ATTACHED event records.',
  },
  BUNDLE_HEADER_MISMATCH: {
    check: 'bundle.header',
    status: 'FAIL',
    title: 'The decision header (goal, mode, created_at) disagrees with the events or the replay.',
  },
  BUNDLE_STATUS_MISMATCH: {
    check: 'bundle.status',
    status: 'FAIL',
    title: 'decision.status is not the state that replaying the events gives.',
  },
  BUNDLE_STATUS_NOT_REPLAYED: {
    check: 'bundle.status',
    status: 'SKIP',
    title: 'decision.status was not compared with a replay of the events.',
  },
  BUNDLE_PROVENANCE_INCONSISTENT: {
    check: 'bundle.provenance',
    status: 'WARN',
    title: 'The provenance record (outside every digest) is not the one nexus-attest writes.',
  },
  PACKAGE_MALFORMED: {
    check: 'package.structure',
    status: 'FAIL',
    title: 'nexus-attest cannot read this audit package at all.',
  },
  PACKAGE_BINDING_DIGEST_MISMATCH: {
    check: 'package.binding_digest',
    status: 'FAIL',
    title: 'integrity.binding_digest is not the digest of the binding fields.',
  },
  PACKAGE_CONTROL_DIGEST_MISMATCH: {
    check: 'package.control_bundle_digest',
    status: 'FAIL',
    title: 'The control bundle’s integrity digest is not the digest of its content.',
  },
  PACKAGE_BINDING_CONTROL_MISMATCH: {
    check: 'package.binding_control_match',
    status: 'FAIL',
    title: 'binding.control_digest is not the control bundle’s integrity digest.',
  },
  PACKAGE_BINDING_ROUTER_MISMATCH: {
    check: 'package.binding_router_match',
    status: 'FAIL',
    title: 'binding.router_digest is not the router section’s digest.',
  },
  PACKAGE_BINDING_LINK_MISMATCH: {
    check: 'package.binding_link_match',
    status: 'FAIL',
    title: 'binding.control_router_link_digest is not the control bundle’s link digest.',
  },
  PACKAGE_ROUTER_INTEGRITY_MISSING: {
    check: 'package.router_digest',
    status: 'FAIL',
    title: 'The embedded router bundle has no integrity.canonical_digest.',
  },
  PACKAGE_ROUTER_BUNDLE_DIGEST_MISMATCH: {
    check: 'package.router_bundle',
    status: 'FAIL',
    title: 'The embedded router bundle’s content does not hash to its own integrity digest.',
  },
  PACKAGE_ROUTER_BUNDLE_NOT_REHASHED: {
    check: 'package.router_bundle',
    status: 'SKIP',
    title: 'The router bundle’s content was not re-hashed (not embedded, or of an unknown shape).',
  },
  PACKAGE_RUN_ID_MISMATCH: {
    check: 'package.run_id',
    status: 'FAIL',
    title: 'The router section names a different run than the control bundle’s router link.',
  },
  PACKAGE_RUN_ID_NOT_CHECKED: {
    check: 'package.run_id',
    status: 'SKIP',
    title: 'The router section names no run that could be compared with the control bundle.',
  },
  PACKAGE_PROVENANCE_INCONSISTENT: {
    check: 'package.provenance',
    status: 'WARN',
    title:
      'The package’s provenance record (outside every digest) is not the one nexus-attest writes.',
  },
  REPORT_DIGEST_MISMATCH: {
    check: 'report.digest',
    status: 'FAIL',
    title:
      'The report embedded in the PDF is missing, malformed, or does not hash to the digest the PDF prints.',
  },
  REPORT_EVIDENCE_CHANGED: {
    check: 'report.evidence',
    status: 'FAIL',
    title: 'The evidence file is no longer the one the report describes.',
  },
  REPORT_CHECKS_CHANGED: {
    check: 'report.checks',
    status: 'FAIL',
    title: 'Re-running the checks on the evidence gives other results than the report records.',
  },
  REPORT_NOT_RECHECKED: {
    check: 'report.evidence',
    status: 'SKIP',
    title: 'No database was given, so the evidence was not compared with the report.',
  },
};

export const ERROR_CODE_INFO: Readonly<Record<ErrorCode, { readonly title: string }>> = {
  USAGE: { title: 'The command line is not valid.' },
  FILE_NOT_FOUND: { title: 'The file does not exist.' },
  FILE_IS_DIRECTORY: { title: 'The path is a directory, not a file.' },
  FILE_UNREADABLE: { title: 'The file cannot be read.' },
  NOT_SQLITE: { title: 'The file is not an SQLite database.' },
  NOT_A_LEDGER: { title: 'The database has no entries table.' },
  LEDGER_ENTRIES_NOT_TABLE: { title: 'entries is not a plain table.' },
  LEDGER_SCHEMA_UNSUPPORTED: { title: 'The entries table lacks columns nexuscone writes.' },
  NOT_A_DECISION_STORE: { title: 'The database has no nexus-attest decision tables.' },
  DECISION_NOT_FOUND: { title: 'No decision has that id.' },
  DECISION_EXISTS: { title: 'The store already has a decision with that id.' },
  IMPORT_REFUSED: { title: 'The bundle fails verification, so nothing was imported.' },
  BUNDLE_FILE_MALFORMED: { title: 'The bundle file is not a JSON document.' },
  DATABASE_LOCKED: { title: 'Another process holds a lock on the database.' },
  DATABASE_CORRUPT: { title: 'The database file is damaged.' },
  KEYRING_MALFORMED: { title: 'The keyring is not a JSON object of key ids to public keys.' },
  KEY_FILE_MALFORMED: { title: 'The private key file is not in Proofdesk’s format.' },
  KEY_FILE_EXISTS: { title: 'The key file already exists.' },
  KEY_PASSPHRASE_WRONG: { title: 'The passphrase does not unlock the key file.' },
  PAYLOAD_MALFORMED: { title: 'The entry payload is not valid.' },
  STATE_DIR_UNUSABLE: { title: 'The trusted-head state directory cannot be used.' },
  TSA_UNAVAILABLE: { title: 'No Time-Stamp Authority answered with a usable timestamp.' },
  CALENDAR_UNAVAILABLE: { title: 'No OpenTimestamps calendar answered.' },
  CANCELLED: { title: 'The operation was cancelled.' },
  INTERNAL: { title: 'An unexpected internal error.' },
};

/** An operation failure with a code from the closed set and a one-sentence message. */
export class ProofdeskError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ProofdeskError';
  }
}
