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
  'DATABASE_LOCKED',
  'DATABASE_CORRUPT',
  'KEYRING_MALFORMED',
  'KEY_FILE_MALFORMED',
  'KEY_FILE_EXISTS',
  'KEY_PASSPHRASE_WRONG',
  'PAYLOAD_MALFORMED',
  'STATE_DIR_UNUSABLE',
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
  DATABASE_LOCKED: { title: 'Another process holds a lock on the database.' },
  DATABASE_CORRUPT: { title: 'The database file is damaged.' },
  KEYRING_MALFORMED: { title: 'The keyring is not a JSON object of key ids to public keys.' },
  KEY_FILE_MALFORMED: { title: 'The private key file is not in Proofdesk’s format.' },
  KEY_FILE_EXISTS: { title: 'The key file already exists.' },
  KEY_PASSPHRASE_WRONG: { title: 'The passphrase does not unlock the key file.' },
  PAYLOAD_MALFORMED: { title: 'The entry payload is not valid.' },
  STATE_DIR_UNUSABLE: { title: 'The trusted-head state directory cannot be used.' },
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
