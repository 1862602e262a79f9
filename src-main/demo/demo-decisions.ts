/**
 * Demo decisions for resources/demo, made with Proofdesk's own operations on a fixed clock: one
 * awaiting the viewer's approval, one ready, one executed, one whose execution failed, and one
 * whose approvals have expired. Deterministic: same code, same bytes.
 *
 * The demo officers' keys are derived from fixed labels, so they are public knowledge; the demo
 * officer key file exists so the app can show signing, and signs nothing but demo data.
 */
import { createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PyNumber, type PyJsonValue } from '../../src-shared/canonical-json/python-json';
import { canonicalAttestJson } from '../../src-shared/decisions/decision-event';
import { bytesToHex } from '../../src-shared/crypto/hex';
import { publicKeyFromSeed, signEd25519 } from '../../src-shared/crypto/ed25519-portable';
import { writeNewKeyFile } from '../crypto/key-file';
import {
  approveDecision,
  executeDecision,
  requestDecision,
  type DecisionContext,
  type OfficerSigner,
} from '../decisions/decision-operations';
import type { DecisionRouter } from '../decisions/subprocess-router';

export const DEMO_DECISIONS_FILE = 'demo-decisions.db';
export const DEMO_DECISIONS_LEDGER_FILE = 'demo-decisions.ledger.db';
export const DEMO_OFFICERS_FILE = 'demo-officers.json';
/** The officer the app signs as in the demo: the person looking at it. */
export const DEMO_VIEWER_KEY_FILE = 'demo-officer.key';
export const DEMO_VIEWER_ID = 'you@acme.example';

const OFFICERS = [
  { id: 'amelie.durand@acme.example', label: 'proofdesk-demo-officer-amelie' },
  { id: 'jonas.müller@acme.example', label: 'proofdesk-demo-officer-jonas' },
  { id: DEMO_VIEWER_ID, label: 'proofdesk-demo-officer-viewer' },
] as const;
const START_MICROS = BigInt(Date.UTC(2026, 10, 2, 9, 0, 0)) * 1000n;

const seedOf = (label: string): Uint8Array =>
  new Uint8Array(createHash('sha256').update(label).digest());

function officer(id: string, label: string): OfficerSigner {
  const seed = seedOf(label);
  return { actor: { type: 'human', id }, sign: (message) => signEd25519(seed, message) };
}

/** A router that answers like a deployment system, without running anything. */
function demoRouter(outcome: 'success' | 'failure'): DecisionRouter {
  return {
    getAdapterCapabilities: () => Promise.resolve(new Set(['timeout', 'rollback'])),
    run: (request) =>
      outcome === 'failure'
        ? Promise.reject(
            new Error('adapter ops-runner: target host db-replica-2 unreachable after 3 attempts'),
          )
        : Promise.resolve(
            new Map<string, PyJsonValue>([
              [
                'run_id',
                `run-${createHash('sha256')
                  .update(canonicalAttestJson(request))
                  .digest('hex')
                  .slice(0, 12)}`,
              ],
              ['steps_executed', new PyNumber('5')],
              ['status', 'ok'],
            ]),
          ),
  };
}

export async function generateDemoDecisions(directory: string): Promise<void> {
  const storePath = join(directory, DEMO_DECISIONS_FILE);
  const ledgerPath = join(directory, DEMO_DECISIONS_LEDGER_FILE);
  for (const path of [storePath, ledgerPath, join(directory, DEMO_VIEWER_KEY_FILE)]) {
    for (const suffix of ['', '-wal', '-shm', '-journal'])
      rmSync(`${path}${suffix}`, { force: true });
  }
  let micros = START_MICROS;
  let ids = 0;
  const trustedSigners = new Map(OFFICERS.map((o) => [o.id, publicKeyFromSeed(seedOf(o.label))]));
  const context: DecisionContext = {
    storePath,
    ledgerPath,
    trustedSigners,
    clock: () => (micros += 7_654_321n),
    newDecisionId: () =>
      `demo-${String(++ids).padStart(4, '0')}-${createHash('sha256').update(`demo-decision-${ids}`).digest('hex').slice(0, 8)}`,
  };
  const [amelie, jonas] = OFFICERS.map((o) => officer(o.id, o.label));
  if (amelie === undefined || jonas === undefined) throw new Error('demo officers missing');
  const requester = { type: 'human', id: 'platform-team@acme.example' };
  const request = (
    goal: string,
    mode: 'apply' | 'dry_run',
    minApprovals: number,
    labels: string[],
  ): string =>
    requestDecision(context, {
      goal,
      actor: requester,
      mode,
      plan: `Runbook step for: ${goal}`,
      policy: {
        minApprovals: new PyNumber(String(minApprovals)),
        labels,
        requireSignedApprovals: true,
      },
    })[0]?.decisionId ?? '';

  const awaiting = request('Rotate production database credentials', 'apply', 2, [
    'prod',
    'security',
  ]);
  approveDecision(context, {
    decisionId: awaiting,
    officer: amelie,
    comment: 'Rotation plan reviewed; rollback tested.',
  });

  const ready = request('Deploy billing service v2.4.1 to eu-west-1', 'apply', 2, ['prod']);
  approveDecision(context, {
    decisionId: ready,
    officer: amelie,
    comment: 'Change ticket CHG-4821 approved.',
  });
  approveDecision(context, {
    decisionId: ready,
    officer: jonas,
    comment: 'Vier-Augen-Prinzip erfüllt.',
  });

  const executed = request('Enable PII redaction in the support copilot', 'apply', 1, ['privacy']);
  approveDecision(context, { decisionId: executed, officer: jonas });
  await executeDecision(context, {
    decisionId: executed,
    actor: requester,
    adapterId: 'ops-runner',
    router: demoRouter('success'),
  });

  const failed = request('Migrate KYC screening to the new sanctions list', 'apply', 1, [
    'compliance',
  ]);
  approveDecision(context, { decisionId: failed, officer: amelie });
  await executeDecision(context, {
    decisionId: failed,
    actor: requester,
    adapterId: 'ops-runner',
    router: demoRouter('failure'),
  });

  const expiring = request('Grant the procurement assistant write access to the ERP', 'apply', 1, [
    'finance',
  ]);
  approveDecision(context, {
    decisionId: expiring,
    officer: jonas,
    comment: 'Temporary access for the quarter close.',
    expiresAt: '2026-11-05T00:00:00+00:00',
  });

  writeFileSync(
    join(directory, DEMO_OFFICERS_FILE),
    `${JSON.stringify(Object.fromEntries([...trustedSigners].map(([id, key]) => [id, bytesToHex(key)])), null, 2)}\n`,
  );
  writeNewKeyFile(join(directory, DEMO_VIEWER_KEY_FILE), DEMO_VIEWER_ID, seedOf(OFFICERS[2].label));
}
