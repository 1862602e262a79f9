/**
 * Joins the per-range summaries of a ledger verification into one checklist: checks the seams
 * between ranges, decides what was conditional on earlier ranges, and adds the file-level checks
 * (sequence, anchors, witnesses, trusted head).
 */
import { FINDING_CODE_INFO, type CheckName } from '../check-code';
import { checkFromFinding, type CheckResult, type Finding } from '../verification-report';
import { GENESIS_PREVIOUS_HASH } from './entry-hash';
import { FindingCollector } from './finding-collector';
import { successionFindings, type RangeSummary, type RowEdge } from './range-verifier';
import type { AnchorRecord } from './anchor-witness-checks';

export interface LedgerCheckInput {
  /** Summaries in ascending entry_id order; ranges may be empty. */
  readonly ranges: readonly RangeSummary[];
  /** sqlite_sequence.seq for entries; null when there is no such row. */
  readonly sequence: number | null;
  readonly anchors: readonly AnchorRecord[];
  readonly anchorFindings: readonly Finding[];
  /**
   * Findings of the anchors' proofs per track (anchors.ots, anchors.tsa), all anchors together;
   * null for a track that was not asked for, which is then listed as not checked.
   */
  readonly anchorProofFindings?: {
    readonly ots: readonly Finding[] | null;
    readonly tsa: readonly Finding[] | null;
  };
  readonly witnessCount: number;
  readonly attestationCount: number;
  readonly witnessFindings: readonly Finding[];
  readonly trustedHead: CheckResult;
  readonly keyringGiven: boolean;
  readonly requireSignatures: boolean;
  readonly findingCapPerCode: number;
}

export interface LedgerCheckOutcome {
  readonly checks: CheckResult[];
  readonly entries: number;
  readonly head: RowEdge | null;
  readonly first: RowEdge | null;
}

/** Codes that say a requested check could not be completed: they make the verdict inconclusive. */
const INCOMPLETE_WHEN_ASKED = new Set(['ANCHOR_OTS_HEADERS_MISSING', 'ANCHOR_TSA_ROOTS_MISSING']);

/**
 * One track of anchor proofs: not asked → a not-checked line per anchor; asked → every finding,
 * and one PASS line for the anchors that have none.
 */
function anchorProofChecks(
  check: 'anchors.ots' | 'anchors.tsa',
  anchors: readonly AnchorRecord[],
  findings: readonly Finding[] | null,
  lines: {
    passMessage: (count: number) => string;
    notChecked: (anchor: AnchorRecord) => CheckResult;
  },
): CheckResult[] {
  if (anchors.length === 0) return [];
  if (findings === null) return anchors.map(lines.notChecked);
  // A warning does not undo what was proved; anything else leaves the anchor unproved.
  const withFindings = new Set(
    findings
      .filter((finding) => FINDING_CODE_INFO[finding.code].status !== 'WARN')
      .map((finding) => finding.anchorId),
  );
  const clean = anchors.filter((anchor) => !withFindings.has(anchor.anchorId)).length;
  const results = findings.map((finding) =>
    checkFromFinding(finding, { required: INCOMPLETE_WHEN_ASKED.has(finding.code) }),
  );
  if (clean === 0) return results;
  return [{ check, status: 'PASS', message: lines.passMessage(clean) }, ...results];
}

/** "1 entry", "2 entries", "3 anchors". */
function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? singular : pluralForm}`;
}
const entriesOf = (count: number): string => plural(count, 'entry', 'entries');

export function assembleLedgerChecks(input: LedgerCheckInput): LedgerCheckOutcome {
  const collector = new FindingCollector(input.findingCapPerCode);
  const ranges = input.ranges.filter((range) => range.rows > 0);
  const entries = ranges.reduce((sum, range) => sum + range.rows, 0);
  const first = ranges[0]?.first ?? null;
  const head = ranges.at(-1)?.last ?? null;

  if (first !== null) {
    if (first.previousHash !== GENESIS_PREVIOUS_HASH) {
      collector.add({
        code: 'LEDGER_GENESIS_INVALID',
        entryId: first.entryId,
        message: `entry ${first.entryId}, the first entry, does not start from the all-zero previous_hash`,
        expected: GENESIS_PREVIOUS_HASH,
        actual: first.previousHash,
      });
    }
    if (first.entryId !== 1) {
      collector.add({
        code: 'LEDGER_ID_GAP',
        entryId: first.entryId,
        message: `the first entry_id is ${first.entryId}, not 1: entries are missing at the start`,
        expected: '1',
        actual: String(first.entryId),
      });
    }
  }

  let sawV2 = false;
  let sawSigned = false;
  let unsignedAfterSigned = 0;
  let firstUnsignedAfterSigned: number | null = null;
  let unsigned = 0;
  let signed = 0;
  let verified = 0;
  let v1Rows = 0;
  let previous: RowEdge | null = null;
  for (const range of ranges) {
    if (previous !== null && range.first !== null) {
      for (const finding of successionFindings(previous, range.first)) collector.add(finding);
    }
    collector.addAll(range.findings, range.findingCounts);
    if (sawV2 && range.v1BeforeFirstV2 > 0) {
      for (const entryId of range.v1BeforeFirstV2Sample) {
        collector.add({
          code: 'LEDGER_FORMAT_DOWNGRADE',
          entryId,
          message: `entry ${entryId} is format 1 but follows a format 2 entry`,
          expected: '2',
          actual: '1',
        });
      }
      collector.addUnlisted(
        'LEDGER_FORMAT_DOWNGRADE',
        range.v1BeforeFirstV2 - range.v1BeforeFirstV2Sample.length,
      );
    }
    if (sawSigned) {
      unsignedAfterSigned += range.unsignedBeforeFirstSigned;
      firstUnsignedAfterSigned ??= range.firstUnsignedBeforeSigned;
    }
    unsignedAfterSigned += range.unsignedAfterFirstSigned;
    firstUnsignedAfterSigned ??= range.firstUnsignedAfterSigned;
    sawV2 ||= range.firstV2EntryId !== null;
    sawSigned ||= range.firstSignedEntryId !== null;
    unsigned += range.unsignedBeforeFirstSigned + range.unsignedAfterFirstSigned;
    signed += range.signedRows;
    verified += range.signaturesVerified;
    v1Rows += range.v1Rows;
    previous = range.last ?? previous;
  }

  checkSequence(input.sequence, head, collector);

  for (const finding of input.anchorFindings) collector.add(finding);
  for (const finding of input.witnessFindings) collector.add(finding);

  const checks: CheckResult[] = [];
  const findingsByCheck = new Map<CheckName, Finding[]>();
  for (const finding of collector.findings) {
    const check = FINDING_CODE_INFO[finding.code].check;
    const group = findingsByCheck.get(check);
    if (group === undefined) findingsByCheck.set(check, [finding]);
    else group.push(finding);
  }
  const emit = (check: CheckName, passMessage: string): void => {
    const findings = findingsByCheck.get(check);
    if (findings === undefined) {
      checks.push({ check, status: 'PASS', message: passMessage });
      return;
    }
    for (const finding of findings) checks.push(checkFromFinding(finding));
  };

  const entryWord = entriesOf(entries);
  emit(
    'ledger.genesis',
    first === null
      ? 'empty ledger'
      : `entry ${first.entryId} starts from the all-zero previous_hash`,
  );
  emit(
    'ledger.ids',
    first === null || head === null
      ? 'empty ledger'
      : `entry_id runs from ${first.entryId} to ${head.entryId} without a gap`,
  );
  emit('ledger.links', `${entryWord}: every previous_hash matches the entry before it`);
  emit('ledger.hashes', `${entryWord}: every entry_hash recomputed and matched`);
  emit('ledger.rows', 'every column holds what nexuscone writes');
  emit(
    'ledger.sequence',
    input.sequence === null
      ? 'SQLite keeps no sequence for entries (nothing was ever inserted)'
      : `SQLite's sequence (${input.sequence}) ends at the last entry`,
  );
  emit(
    'ledger.format',
    v1Rows > 0
      ? `${entriesOf(v1Rows)} in format 1 before any format 2 entry, each with the default event_type`
      : entries === 0
        ? 'empty ledger'
        : 'every entry uses format 2',
  );

  // Signatures.
  const signatureFindings = findingsByCheck.get('ledger.signatures');
  if (signatureFindings !== undefined) {
    for (const finding of signatureFindings) checks.push(checkFromFinding(finding));
  }
  if (signed > 0 && !input.keyringGiven) {
    checks.push(
      checkFromFinding(
        {
          code: 'LEDGER_SIGNATURES_NOT_CHECKED',
          message: `no keyring given: ${entriesOf(signed)} signed but not checked`,
        },
        { required: input.requireSignatures },
      ),
    );
  } else if (signatureFindings === undefined && signed > 0) {
    // With nothing signed there is nothing to verify; signature_coverage says so.
    checks.push({
      check: 'ledger.signatures',
      status: 'PASS',
      message: `${plural(verified, 'signature')} verified`,
    });
  }

  // Coverage: under --require-signatures every unsigned row already failed in its range.
  const coverage = findingsByCheck.get('ledger.signature_coverage');
  if (coverage !== undefined) {
    for (const finding of coverage) checks.push(checkFromFinding(finding, { required: true }));
  } else if (input.requireSignatures) {
    checks.push({
      check: 'ledger.signature_coverage',
      status: 'PASS',
      message: `all ${entryWord} are signed`,
      required: true,
    });
  } else if (signed === 0) {
    checks.push(
      entries === 0
        ? { check: 'ledger.signature_coverage', status: 'PASS', message: 'empty ledger' }
        : checkFromFinding({
            code: 'LEDGER_UNSIGNED',
            message:
              'no entry is signed: nothing evidences who wrote the entries; integrity rests on the hash chain and external head records alone',
          }),
    );
  } else if (unsignedAfterSigned > 0) {
    checks.push({
      check: 'ledger.signature_coverage',
      status: 'WARN',
      code: 'LEDGER_SIGNATURE_MISSING',
      entryId: firstUnsignedAfterSigned ?? undefined,
      message: `${entriesOf(unsignedAfterSigned)} unsigned after the first signed entry (first: entry ${firstUnsignedAfterSigned ?? '?'}); signatures may have been stripped — use --require-signatures to fail on this`,
      expected: `${signed + unsigned} signed`,
      actual: `${signed} signed`,
    });
  } else {
    checks.push({
      check: 'ledger.signature_coverage',
      status: 'PASS',
      message: `${entriesOf(signed)} signed; none unsigned after the first signed one`,
    });
  }

  if (input.anchors.length > 0) {
    emit(
      'anchors.heads',
      `${plural(input.anchors.length, 'anchor')}: every chain head is still in the ledger unchanged`,
    );
    checks.push(
      ...anchorProofChecks(
        'anchors.ots',
        input.anchors.filter((anchor) => anchor.hasOtsProof),
        input.anchorProofFindings?.ots ?? null,
        {
          passMessage: (count) =>
            `${plural(count, 'OpenTimestamps proof')}: each starts from its anchor's chain head and is confirmed in a supplied block header`,
          notChecked: (anchor) =>
            checkFromFinding({
              code: 'ANCHOR_PROOF_NOT_CHECKED',
              anchorId: anchor.anchorId,
              message: `anchor ${anchor.anchorId}: OpenTimestamps proof (${anchor.confirmedAt === null ? 'pending' : `claims Bitcoin block ${anchor.bitcoinBlockHeight ?? '?'}`}) not verified: ask for it with --check-anchors`,
            }),
        },
      ),
      ...anchorProofChecks(
        'anchors.tsa',
        input.anchors.filter((anchor) => anchor.hasTst),
        input.anchorProofFindings?.tsa ?? null,
        {
          passMessage: (count) =>
            `${plural(count, 'RFC 3161 timestamp')}: each is signed over its anchor's chain head by a TSA that chains to a supplied root`,
          notChecked: (anchor) =>
            checkFromFinding({
              code: 'ANCHOR_TST_NOT_CHECKED',
              anchorId: anchor.anchorId,
              message: `anchor ${anchor.anchorId}: RFC 3161 token${anchor.tsaUrl ? ` from ${anchor.tsaUrl}` : ''} not verified: ask for it with --check-tst`,
            }),
        },
      ),
    );
  }
  if (input.attestationCount > 0 || input.witnessCount > 0) {
    const count = plural(input.attestationCount, 'attestation');
    emit('witnesses.heads', `${count}: every cosigned head is still in the ledger unchanged`);
    emit('witnesses.links', `${count}: every witness sub-chain links`);
    emit('witnesses.hashes', `${count}: every attestation_hash recomputed and matched`);
    emit('witnesses.signatures', `${count}: every signature verified with its witness key`);
  }
  checks.push(input.trustedHead);

  for (const { code, total } of collector.cappedCodes()) {
    checks.push(
      checkFromFinding({
        code: 'LEDGER_FINDINGS_CAPPED',
        message: `${total.toLocaleString('en-US')} ${code} findings in all; the first ${input.findingCapPerCode} are listed`,
        expected: String(input.findingCapPerCode),
        actual: String(total),
      }),
    );
  }
  return { checks, entries, head, first };
}

function checkSequence(
  sequence: number | null,
  head: RowEdge | null,
  collector: FindingCollector,
): void {
  const lastId = head?.entryId ?? 0;
  const seq = sequence ?? 0;
  if (seq > lastId) {
    collector.add({
      code: 'LEDGER_TRUNCATED',
      entryId: seq,
      message:
        head === null
          ? `SQLite's sequence shows ${seq} entries were written, but none is left`
          : `SQLite's sequence shows entries up to ${seq}, but the last entry is ${lastId}: ${seq - lastId} removed from the tail`,
      expected: `last entry_id ${seq}`,
      actual: `last entry_id ${lastId}`,
    });
  } else if (head !== null && seq < lastId) {
    collector.add({
      code: 'LEDGER_SEQUENCE_BEHIND',
      entryId: lastId,
      message:
        sequence === null
          ? 'SQLite keeps no sequence row for entries although entries exist: the sequence table was edited'
          : `SQLite's sequence (${seq}) is behind the last entry_id (${lastId}): the sequence table was edited`,
      expected: String(lastId),
      actual: sequence === null ? 'no sequence row' : String(seq),
    });
  }
}
