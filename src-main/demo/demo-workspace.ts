/**
 * The demo as a session: the bundled ledger, and a private working copy of the demo decision store
 * and its ledger, so approving in the demo never changes the files shipped in resources/demo.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnchorProofTrust } from '../../src-shared/anchors/anchor-proof-checks';
import { parseKeyring, type Keyring } from '../../src-shared/keyring';
import { signEd25519 } from '../../src-shared/crypto/ed25519-portable';
import { readKeyFile } from '../crypto/key-file';
import { createDecisionHandlers, type DecisionSessionOptions } from '../ipc/decision-handlers';
import { createLedgerHandlers, type Handlers } from '../ipc/ipc-handlers';
import {
  DEMO_DECISIONS_FILE,
  DEMO_DECISIONS_LEDGER_FILE,
  DEMO_OFFICERS_FILE,
  DEMO_VIEWER_KEY_FILE,
} from './demo-decisions';
import { DEMO_KEYRING_FILE, DEMO_LEDGER_FILE } from './demo-generator';

export function demoLedgerSession(resourcesDemoDir: string) {
  return {
    ledgerPath: join(resourcesDemoDir, DEMO_LEDGER_FILE),
    keyring: parseKeyring(
      readFileSync(join(resourcesDemoDir, DEMO_KEYRING_FILE), 'utf8'),
      DEMO_KEYRING_FILE,
    ),
  };
}

/** Copies the demo decisions into `workDir` once, and signs as the demo officer. */
export function demoDecisionSession(
  resourcesDemoDir: string,
  workDir: string,
): DecisionSessionOptions {
  mkdirSync(workDir, { recursive: true });
  for (const file of [DEMO_DECISIONS_FILE, DEMO_DECISIONS_LEDGER_FILE]) {
    if (!existsSync(join(workDir, file)))
      copyFileSync(join(resourcesDemoDir, file), join(workDir, file));
  }
  const key = readKeyFile(join(resourcesDemoDir, DEMO_VIEWER_KEY_FILE));
  return {
    storePath: join(workDir, DEMO_DECISIONS_FILE),
    ledgerPath: join(workDir, DEMO_DECISIONS_LEDGER_FILE),
    trustedSigners: parseKeyring(
      readFileSync(join(resourcesDemoDir, DEMO_OFFICERS_FILE), 'utf8'),
      DEMO_OFFICERS_FILE,
    ),
    officer: {
      actor: { type: 'human', id: key.keyId },
      sign: (message) => signEd25519(key.seed, message),
    },
  };
}

/**
 * The bundled demo as a session: its ledger (with its keyring, unless trusted signers are given)
 * and a working copy of its decisions under `stateDir/demo`, signed as the demo officer.
 */
export function createDemoHandlers(options: {
  readonly resourcesDemoDir: string;
  readonly stateDir: string;
  readonly keyring?: Keyring | null;
  readonly anchorProofs?: AnchorProofTrust;
}): Partial<Handlers> {
  const { resourcesDemoDir, stateDir } = options;
  const demo = demoLedgerSession(resourcesDemoDir);
  return {
    ...createLedgerHandlers({
      ...demo,
      keyring: options.keyring ?? demo.keyring,
      stateDir,
      anchorProofs: options.anchorProofs,
    }),
    ...createDecisionHandlers(demoDecisionSession(resourcesDemoDir, join(stateDir, 'demo'))),
  };
}
