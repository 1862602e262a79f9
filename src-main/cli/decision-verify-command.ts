/**
 * `proofdesk decisions verify <db> [--ledger FILE] [--signers FILE] [--at ISO] [--state-dir DIR] [--json]`:
 * event digests, replay, approval signatures, and the store against its ledger (which is verified
 * too). Same document shape and exit codes as every other verify.
 */
import { existsSync } from 'node:fs';
import { exitCodeOfVerdict } from '../../src-shared/verification-report';
import { defaultLedgerPathFor } from '../decisions/decision-operations';
import { verifyDecisionStore } from '../decisions/decision-verification';
import { defaultUserDataDir, TrustedHeadStore } from '../ledger/trusted-head-store';
import { onePositional, parseCommandLine, readSignersKeyring, type CliIo } from './cli-arguments';
import { asOfOption } from './decision-commands';
import {
  renderEvidenceVerificationJson,
  renderEvidenceVerificationText,
} from './verification-output';

export async function runDecisionsVerify(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(
    args,
    {
      ledger: { type: 'string' },
      signers: { type: 'string' },
      at: { type: 'string' },
      'state-dir': { type: 'string' },
      json: { type: 'boolean' },
    },
    'decisions verify',
  );
  const storePath = onePositional(positionals, 'decision store', 'decisions verify');
  const ledgerPath = values.ledger ?? defaultLedgerPathFor(storePath);
  const asOf = asOfOption(values.at);
  const result = await verifyDecisionStore(storePath, {
    ledgerPath: values.ledger !== undefined || existsSync(ledgerPath) ? ledgerPath : null,
    trustedSigners: readSignersKeyring(values.signers),
    asOf: new Date(Number(asOf.micros / 1000n)),
    trustedHeads: new TrustedHeadStore(values['state-dir'] ?? defaultUserDataDir()),
  });
  const document = {
    subject: 'decision-store' as const,
    verdict: result.verdict,
    file: result.file,
    checks: result.checks,
  };
  io.stdout(
    values.json
      ? renderEvidenceVerificationJson(document)
      : renderEvidenceVerificationText(document),
  );
  return exitCodeOfVerdict(result.verdict);
}
