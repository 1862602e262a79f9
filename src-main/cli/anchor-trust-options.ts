/**
 * The trust material `verify` is given for anchor proofs: --check-tst with --tsa-roots PEM, and
 * --check-anchors with --headers FILE, --bitcoin-rpc URL or --esplora URL. Naming trust material
 * implies its check. Header endpoints are asked only for the heights the ledger's proofs claim,
 * before verification starts, so verification itself never touches the network.
 */
import { readFileSync } from 'node:fs';
import {
  blockHeaderSourceOf,
  BlockHeadersFileError,
  parseBlockHeadersFile,
  type BlockHeaderSource,
} from '../../src-shared/anchors/block-headers';
import type { AnchorProofTrust } from '../../src-shared/anchors/anchor-proof-checks';
import { computeOtsBitcoinRoots } from '../../src-shared/anchors/ots-verification';
import { parsePemCertificates } from '../../src-shared/anchors/pem';
import { ProofdeskError } from '../../src-shared/check-code';
import {
  BlockHeaderFetchError,
  prefetchBlockHeaders,
  type BitcoinHeaderEndpoint,
} from '../anchoring/bitcoin-headers';
import { openLedger } from '../ledger/ledger-database';
import { readAnchorProofs } from '../ledger/ledger-reader';

export const ANCHOR_TRUST_OPTIONS = {
  'check-anchors': { type: 'boolean' },
  'check-tst': { type: 'boolean' },
  'tsa-roots': { type: 'string' },
  headers: { type: 'string' },
  'bitcoin-rpc': { type: 'string' },
  esplora: { type: 'string' },
} as const;

export interface AnchorTrustValues {
  readonly 'check-anchors'?: boolean;
  readonly 'check-tst'?: boolean;
  readonly 'tsa-roots'?: string;
  readonly headers?: string;
  readonly 'bitcoin-rpc'?: string;
  readonly esplora?: string;
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const missing = (error as { code?: string }).code === 'ENOENT';
    throw new ProofdeskError(
      missing ? 'FILE_NOT_FOUND' : 'FILE_UNREADABLE',
      missing ? `There is no ${what} at ${path}.` : `The ${what} ${path} cannot be read.`,
    );
  }
}

/** The heights the ledger's OpenTimestamps proofs claim, read before verification. */
function claimedHeights(dbPath: string): number[] {
  const ledger = openLedger(dbPath);
  try {
    const proofs = readAnchorProofs(ledger.db, ledger.schema);
    return computeOtsBitcoinRoots(
      proofs.map((proof) => ({
        anchorId: proof.anchorId,
        proofBlob: proof.otsProofBlob,
        chainHeadHash: String(proof.chainHeadHash),
      })),
    ).flatMap((roots) => ('claims' in roots ? roots.claims.map((claim) => claim.height) : []));
  } finally {
    ledger.close();
  }
}

function endpointOf(values: AnchorTrustValues): BitcoinHeaderEndpoint | null {
  const rpc = values['bitcoin-rpc'];
  if (rpc !== undefined) {
    let url: URL;
    try {
      url = new URL(rpc);
    } catch {
      throw new ProofdeskError('USAGE', `--bitcoin-rpc needs a URL, not ${JSON.stringify(rpc)}.`);
    }
    const username = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    url.username = '';
    url.password = '';
    return {
      kind: 'bitcoin-core-rpc',
      url: url.href,
      ...(username === '' ? {} : { username, password }),
    };
  }
  if (values.esplora !== undefined) return { kind: 'esplora', url: values.esplora };
  return null;
}

/** Block headers from --headers, --bitcoin-rpc or --esplora (for the heights the proofs claim). */
export async function headerSource(
  dbPath: string,
  values: AnchorTrustValues,
): Promise<BlockHeaderSource | null> {
  const sources = [values.headers, values['bitcoin-rpc'], values.esplora].filter(
    (value) => value !== undefined,
  );
  if (sources.length > 1) {
    throw new ProofdeskError(
      'USAGE',
      'Give block headers one way: --headers FILE, --bitcoin-rpc URL or --esplora URL.',
    );
  }
  if (values.headers !== undefined) {
    try {
      return blockHeaderSourceOf(parseBlockHeadersFile(readText(values.headers, 'headers file')));
    } catch (error) {
      if (error instanceof BlockHeadersFileError)
        throw new ProofdeskError('USAGE', `${values.headers}: ${error.message}`);
      throw error;
    }
  }
  const endpoint = endpointOf(values);
  if (endpoint === null) return null;
  try {
    return await prefetchBlockHeaders(endpoint, claimedHeights(dbPath), { timeoutMs: 30_000 });
  } catch (error) {
    if (error instanceof BlockHeaderFetchError) throw new ProofdeskError('USAGE', error.message);
    throw error;
  }
}

export async function anchorTrustFrom(
  dbPath: string,
  values: AnchorTrustValues,
): Promise<AnchorProofTrust> {
  const checkTst = values['check-tst'] === true || values['tsa-roots'] !== undefined;
  const checkOts =
    values['check-anchors'] === true ||
    values.headers !== undefined ||
    values['bitcoin-rpc'] !== undefined ||
    values.esplora !== undefined;
  const rootsPath = values['tsa-roots'];
  return {
    tsa: checkTst
      ? {
          roots:
            rootsPath === undefined
              ? null
              : parsePemCertificates(readText(rootsPath, 'TSA roots file'), rootsPath),
        }
      : null,
    ots: checkOts ? { headers: await headerSource(dbPath, values) } : null,
  };
}
