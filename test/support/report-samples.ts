/**
 * Hand-built narrative reports for the PDF tests. They are written out field by field rather than
 * built from ledgers, so a PDF test fails only for the PDF's own reasons. Non-ASCII text runs
 * through actors, messages, titles and payload summaries on purpose.
 */
import {
  REPORT_FORMAT,
  REPORT_VERSION,
  type NarrativeReport,
  type ReportCheck,
} from '../../src-shared/report/report-model';

/** Strings a report must carry through the PDF's text layer unchanged. */
export const UNICODE_SAMPLES = {
  latin: 'Zoë Ångström',
  arabic: 'مرحبا',
  hebrew: 'שלום',
  /** "e" followed by U+0301 COMBINING ACUTE ACCENT, not the precomposed "é". */
  combining: 'Rene\u0301e',
  /** DejaVu Sans has no CJK glyphs: the PDF spells these out as code points. */
  cjk: '行動者',
  emoji: '✅🚀',
} as const;

const FILE_SHA = 'a3'.repeat(32);
const HEAD_HASH = '5f'.repeat(32);
const STORE_SHA = 'c1'.repeat(32);

function check(
  name: ReportCheck['check'],
  status: ReportCheck['status'],
  message: string,
  extra: Partial<ReportCheck> = {},
): ReportCheck {
  return {
    check: name,
    status,
    code: null,
    record: null,
    message,
    expected: null,
    actual: null,
    ...extra,
  };
}

const LIMITATIONS = [
  'A PASS does not prove that the recorded events happened, only that the file was not altered after they were recorded.',
  'Without a trusted head, a wholesale replacement of the ledger by a different but internally consistent one is not detected.',
  'Unsigned entries prove nothing about who wrote them.',
];

function baseReport(): NarrativeReport {
  return {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    generator: { name: 'proofdesk', version: '0.1.0' },
    asOf: '2026-03-14T09:26:53.000Z',
    title: `Ledger verification for ${UNICODE_SAMPLES.latin}`,
    verdict: 'pass',
    scope: {
      selection: null,
      ledger: {
        fileName: 'nexus-ledger-Ångström.db',
        sha256: FILE_SHA,
        bytes: 1_048_576,
        entries: 4_210,
        head: { entryId: 4_210, entryHash: HEAD_HASH },
      },
      decisionStore: null,
      trust: {
        keyIds: ['ed25519:officer-zoë', 'ed25519:agent-7f3a'],
        tsaRoots: ['CN=Proofdesk Test TSA Root, O=Ångström Labs'],
        blockHeaderHeights: [840_000, 840_001],
        trustedHeadCompared: true,
      },
    },
    checks: [
      check('ledger.genesis', 'PASS', 'The first entry is a valid genesis entry.'),
      check('ledger.ids', 'PASS', 'Entry ids 1 to 4210 are contiguous.'),
      check('ledger.links', 'PASS', 'Every entry links to the hash of the one before it.'),
      check('ledger.hashes', 'PASS', 'Every entry hash recomputes.'),
      check(
        'ledger.signatures',
        'PASS',
        `4210 signatures verify, including those by ${UNICODE_SAMPLES.latin}.`,
      ),
      check('anchors.ots', 'PENDING', 'Anchor 3 awaits Bitcoin confirmation.', {
        code: 'ANCHOR_OTS_PENDING',
        record: 'anchor 3',
      }),
      check('anchors.tsa', 'PASS', 'The RFC 3161 timestamp on anchor 2 verifies.', {
        record: 'anchor 2',
      }),
      check('trusted_head', 'WARN', 'No trusted head was recorded before; this one is now.', {
        code: 'TRUSTED_HEAD_FIRST_USE',
      }),
      check('witnesses.signatures', 'SKIP', 'No witness keys were supplied.', {
        code: null,
      }),
    ],
    decision: null,
    anchors: [
      {
        anchorId: 2,
        state: 'TSA_ONLY',
        chainHeadEntryId: 2_000,
        submittedAt: '2026-03-01T12:00:00.000Z',
        bitcoinBlockHeight: null,
        tsaUrl: 'https://tsa.example.org/tsr',
        tsaGenTime: '2026-03-01T12:00:02.000Z',
      },
      {
        anchorId: 3,
        state: 'PENDING',
        chainHeadEntryId: 4_100,
        submittedAt: '2026-03-13T08:00:00.000Z',
        bitcoinBlockHeight: null,
        tsaUrl: null,
        tsaGenTime: null,
      },
    ],
    witnesses: [
      {
        witnessId: 1,
        label: `Auditor ${UNICODE_SAMPLES.latin}`,
        role: 'external-auditor',
        retired: false,
        attestations: 12,
        lastAttestedEntryId: 4_100,
      },
    ],
    evidence: {
      fileSha256: FILE_SHA,
      headHash: HEAD_HASH,
      decisionStoreSha256: null,
      bundleDigest: null,
      packageDigest: null,
    },
    limitations: LIMITATIONS,
    recordKeeping: {
      selectedEntries: 4_110,
      countsByEventType: [
        { eventType: 'model.inference', entries: 3_900 },
        { eventType: 'human.override', entries: 210 },
        { eventType: `operator.note ${UNICODE_SAMPLES.hebrew}`, entries: 100 },
      ],
      firstTimestamp: '2025-11-02T07:00:00.000Z',
      lastTimestamp: '2026-03-14T09:00:00.000Z',
      entryIdsContiguous: true,
      entriesAfterNewestAnchor: 110,
      newestAnchoredEntryId: 4_100,
    },
  };
}

/** Everything verifies (one anchor still pending, a first-use warning). */
export function passingLedgerReport(): NarrativeReport {
  return baseReport();
}

/** Broken hashes and links, each with the expected and the actual value. */
export function failingLedgerReport(): NarrativeReport {
  const report = baseReport();
  return {
    ...report,
    title: `Ledger verification: ${UNICODE_SAMPLES.arabic} ${UNICODE_SAMPLES.combining}`,
    verdict: 'fail',
    checks: [
      check('ledger.genesis', 'PASS', 'The first entry is a valid genesis entry.'),
      check('ledger.hashes', 'FAIL', `Entry 25's payload was changed after it was written.`, {
        code: 'LEDGER_HASH_MISMATCH',
        record: 'entry 25',
        expected: '9e'.repeat(32),
        actual: '0b'.repeat(32),
      }),
      check('ledger.links', 'FAIL', 'Entry 26 does not link to entry 25 as recorded.', {
        code: 'LEDGER_LINK_BROKEN',
        record: 'entry 26',
        expected: `prev_hash ${'9e'.repeat(32)}`,
        actual: `prev_hash ${'0b'.repeat(32)}`,
      }),
      check(
        'ledger.signatures',
        'FAIL',
        `The signature of ${UNICODE_SAMPLES.latin} on entry 40 does not verify; the payload reads "${UNICODE_SAMPLES.hebrew} ${UNICODE_SAMPLES.arabic}".`,
        {
          code: 'LEDGER_SIGNATURE_INVALID',
          record: 'entry 40',
          expected: 'a valid Ed25519 signature by ed25519:officer-zoë',
          actual: 'signature bytes that do not verify',
        },
      ),
      check('trusted_head', 'PASS', 'The head extends the trusted head recorded on 2026-03-01.'),
    ],
  };
}

/** A decision with approvals (signed, unsigned, revoked), executions and a timeline. */
export function decisionReport(): NarrativeReport {
  const report = baseReport();
  return {
    ...report,
    title: `Decision d-77 — deploy model v4 (${UNICODE_SAMPLES.cjk})`,
    verdict: 'inconclusive',
    scope: {
      ...report.scope,
      decisionStore: { fileName: 'decisions.db', sha256: STORE_SHA, decisionId: 'd-77' },
    },
    checks: [
      check('decision.replay', 'PASS', 'Decision d-77 replays to state APPROVED.', {
        record: 'decision d-77',
      }),
      check('decision.event_digests', 'PASS', 'All 9 event digests recompute.', {
        record: 'decision d-77',
      }),
      check(
        'decision.approval_signatures',
        'WARN',
        `The approval by ${UNICODE_SAMPLES.cjk} is unsigned.`,
        { record: 'decision d-77 event 5', code: null },
      ),
      check('decision.ledger_binding', 'PASS', 'Every event is recorded in the ledger.'),
    ],
    decision: {
      decisionId: 'd-77',
      goal: `Deploy model v4 to production for ${UNICODE_SAMPLES.latin}'s team ${UNICODE_SAMPLES.emoji}`,
      state: 'APPROVED',
      mode: 'two-person',
      createdAt: '2026-03-10T10:00:00.000Z',
      approvalsCurrent: 2,
      approvalsRequired: 2,
      blocking: [
        { code: 'EXPIRY_NEAR', message: 'One approval expires within 24 hours of the as-of time.' },
      ],
      approvals: [
        {
          actorId: UNICODE_SAMPLES.latin,
          grantedAt: '2026-03-11T09:00:00.000Z',
          expiresAt: '2026-03-15T09:00:00.000Z',
          comment: `Reviewed the evaluation; ${UNICODE_SAMPLES.combining} concurs.`,
          revoked: false,
          active: true,
          signature: 'valid',
        },
        {
          actorId: UNICODE_SAMPLES.cjk,
          grantedAt: '2026-03-11T11:30:00.000Z',
          expiresAt: null,
          comment: null,
          revoked: false,
          active: true,
          signature: 'unsigned',
        },
        {
          actorId: `${UNICODE_SAMPLES.arabic} (${UNICODE_SAMPLES.hebrew})`,
          grantedAt: '2026-03-10T16:00:00.000Z',
          expiresAt: null,
          comment: 'Withdrawn after the bias review.',
          revoked: true,
          active: false,
          signature: 'untrusted',
        },
      ],
      executions: [
        {
          adapterId: 'k8s-rollout',
          dryRun: true,
          requestedAt: '2026-03-12T08:00:00.000Z',
          outcome: 'success',
          errorMessage: null,
        },
        {
          adapterId: 'k8s-rollout',
          dryRun: false,
          requestedAt: '2026-03-12T09:00:00.000Z',
          outcome: 'failed',
          errorMessage: `Cluster "prod-ö" refused the rollout: quota exceeded.`,
        },
      ],
      timeline: [
        {
          seq: 1,
          ts: '2026-03-10T10:00:00.000Z',
          category: 'created',
          summary: 'Decision created from template deploy-model@3.',
          actor: 'agent-7f3a',
        },
        {
          seq: 2,
          ts: '2026-03-10T16:00:00.000Z',
          category: 'approval',
          summary: 'Approval granted.',
          actor: `${UNICODE_SAMPLES.arabic} (${UNICODE_SAMPLES.hebrew})`,
        },
        {
          seq: 3,
          ts: '2026-03-11T08:00:00.000Z',
          category: 'revocation',
          summary: 'Approval revoked after the bias review.',
          actor: `${UNICODE_SAMPLES.arabic} (${UNICODE_SAMPLES.hebrew})`,
        },
        {
          seq: 4,
          ts: '2026-03-11T09:00:00.000Z',
          category: 'approval',
          summary: 'Approval granted, signed.',
          actor: UNICODE_SAMPLES.latin,
        },
        {
          seq: 5,
          ts: '2026-03-11T11:30:00.000Z',
          category: 'approval',
          summary: 'Approval granted, unsigned.',
          actor: UNICODE_SAMPLES.cjk,
        },
        {
          seq: 6,
          ts: '2026-03-12T09:00:00.000Z',
          category: 'execution',
          summary: 'Rollout failed.',
          actor: null,
        },
      ],
    },
    evidence: {
      ...report.evidence,
      decisionStoreSha256: STORE_SHA,
      bundleDigest: `sha256:${'d4'.repeat(32)}`,
      packageDigest: `sha256:${'e5'.repeat(32)}`,
    },
  };
}

export const LARGE_REPORT_CHECKS = 1_200;

/** 1,200 check lines: more than the PDF lists, so it must say how many it left out. */
export function largeLedgerReport(): NarrativeReport {
  const report = baseReport();
  const checks: ReportCheck[] = [];
  for (let index = 0; index < LARGE_REPORT_CHECKS; index += 1) {
    const entry = 100 + index;
    checks.push(
      index % 3 === 0
        ? check('ledger.links', 'FAIL', `Entry ${entry} does not link to entry ${entry - 1}.`, {
            code: 'LEDGER_LINK_BROKEN',
            record: `entry ${entry}`,
            expected: `prev_hash ${'11'.repeat(32)}`,
            actual: `prev_hash ${'22'.repeat(32)}`,
          })
        : check('ledger.hashes', 'FAIL', `Entry ${entry}'s hash does not recompute.`, {
            code: 'LEDGER_HASH_MISMATCH',
            record: `entry ${entry}`,
            expected: '33'.repeat(32),
            actual: '44'.repeat(32),
          }),
    );
  }
  return { ...report, title: 'Ledger verification (large)', verdict: 'fail', checks };
}
