/**
 * Block headers from a Bitcoin node or an Esplora server the user configured, fetched before
 * verification so the pure verifier (src-shared/anchors/ots-verification.ts) stays synchronous.
 *
 * Nothing here is contacted unless the user names an endpoint, and the endpoint is trusted to
 * serve Bitcoin's best chain: a header is only checked to hash to the block hash the endpoint
 * named, so a lying endpoint is caught only when its header also fails proof of work or the
 * proof's merkle root.
 */
import {
  bitcoinHeaderHash,
  BLOCK_HEADER_BYTES,
  type BlockHeaderSource,
  displayOrderHex,
} from '../../src-shared/anchors/block-headers';
import { hexToBytes } from '../../src-shared/crypto/hex';
import {
  type HttpRequestOptions,
  type LimitedResponse,
  OtsCalendarError,
  requestWithLimits,
} from './ots-calendar-client';

export type BitcoinHeaderEndpoint =
  /** Bitcoin Core's JSON-RPC: getblockhash, then getblockheader with verbose=false. */
  | {
      readonly kind: 'bitcoin-core-rpc';
      readonly url: string;
      readonly username?: string;
      readonly password?: string;
    }
  /** An Esplora HTTP API base, e.g. https://blockstream.info/api: /block-height/:h, /block/:hash/header. */
  | { readonly kind: 'esplora'; readonly url: string };

/** Headers could not be fetched; the message is one sentence. */
export class BlockHeaderFetchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BlockHeaderFetchError';
  }
}

/** A JSON-RPC answer carrying a header is 200-odd bytes; this leaves room for error text. */
const ANSWER_LIMIT_BYTES = 4096;
const BLOCK_HASH_HEX = /^[0-9a-f]{64}$/;
const HEADER_HEX = new RegExp(`^[0-9a-fA-F]{${BLOCK_HEADER_BYTES * 2}}$`);
/** Bitcoin Core's RPC_INVALID_PARAMETER, which getblockhash returns for a height past the tip. */
const RPC_INVALID_PARAMETER = -8;

export interface PrefetchedBlockHeaders extends BlockHeaderSource {
  readonly headers: ReadonlyMap<number, Uint8Array>;
}

async function request(
  url: string,
  init: Parameters<typeof requestWithLimits>[1],
  what: string,
  options: HttpRequestOptions,
): Promise<LimitedResponse> {
  try {
    return await requestWithLimits(url, init, ANSWER_LIMIT_BYTES, what, options);
  } catch (error) {
    if (error instanceof OtsCalendarError) throw new BlockHeaderFetchError(error.message);
    throw error;
  }
}

function text(body: Uint8Array): string {
  return new TextDecoder().decode(body).trim();
}

function requireHeaderOfHash(headerHex: string, blockHash: string, where: string): Uint8Array {
  if (!HEADER_HEX.test(headerHex)) {
    throw new BlockHeaderFetchError(`${where} did not answer with an 80-byte header in hex.`);
  }
  const header = hexToBytes(headerHex);
  if (displayOrderHex(bitcoinHeaderHash(header)) !== blockHash) {
    throw new BlockHeaderFetchError(
      `${where} answered with a header that does not hash to block ${blockHash}.`,
    );
  }
  return header;
}

async function rpcCall(
  endpoint: Extract<BitcoinHeaderEndpoint, { kind: 'bitcoin-core-rpc' }>,
  method: string,
  params: readonly unknown[],
  options: HttpRequestOptions,
): Promise<{ result: unknown } | { errorCode: number }> {
  const where = `Bitcoin Core at ${endpoint.url}`;
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (endpoint.username !== undefined || endpoint.password !== undefined) {
    const credentials = `${endpoint.username ?? ''}:${endpoint.password ?? ''}`;
    headers.Authorization = `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
  }
  const response = await request(
    endpoint.url,
    {
      method: 'POST',
      headers,
      body: new TextEncoder().encode(
        JSON.stringify({ jsonrpc: '1.0', id: 'proofdesk', method, params }),
      ),
    },
    where,
    options,
  );
  if (response.status === 401 || response.status === 403) {
    throw new BlockHeaderFetchError(`${where} refused the RPC user and password.`);
  }
  let answer: unknown;
  try {
    answer = JSON.parse(text(response.body));
  } catch {
    throw new BlockHeaderFetchError(
      `${where} answered ${method} with HTTP ${response.status} and no JSON.`,
    );
  }
  const { result, error } = (answer ?? {}) as { result?: unknown; error?: unknown };
  if (error !== null && error !== undefined) {
    const code = (error as { code?: unknown }).code;
    return { errorCode: typeof code === 'number' ? code : Number.NaN };
  }
  return { result };
}

async function rpcHeaderAt(
  endpoint: Extract<BitcoinHeaderEndpoint, { kind: 'bitcoin-core-rpc' }>,
  height: number,
  options: HttpRequestOptions,
): Promise<Uint8Array | null> {
  const where = `Bitcoin Core at ${endpoint.url}`;
  const hashAnswer = await rpcCall(endpoint, 'getblockhash', [height], options);
  if ('errorCode' in hashAnswer) {
    if (hashAnswer.errorCode === RPC_INVALID_PARAMETER) return null;
    throw new BlockHeaderFetchError(
      `${where} failed getblockhash ${height} with error ${hashAnswer.errorCode}.`,
    );
  }
  const blockHash = hashAnswer.result;
  if (typeof blockHash !== 'string' || !BLOCK_HASH_HEX.test(blockHash)) {
    throw new BlockHeaderFetchError(`${where} answered getblockhash ${height} with no block hash.`);
  }
  const headerAnswer = await rpcCall(endpoint, 'getblockheader', [blockHash, false], options);
  if ('errorCode' in headerAnswer || typeof headerAnswer.result !== 'string') {
    throw new BlockHeaderFetchError(`${where} has no header for block ${blockHash}.`);
  }
  return requireHeaderOfHash(headerAnswer.result, blockHash, where);
}

async function esploraHeaderAt(
  endpoint: Extract<BitcoinHeaderEndpoint, { kind: 'esplora' }>,
  height: number,
  options: HttpRequestOptions,
): Promise<Uint8Array | null> {
  const base = endpoint.url.replace(/\/+$/, '');
  const where = `Esplora at ${base}`;
  const get = { method: 'GET' as const, headers: { Accept: 'text/plain' } };
  const hashResponse = await request(`${base}/block-height/${height}`, get, where, options);
  if (hashResponse.status === 404) return null;
  const blockHash = text(hashResponse.body);
  if (hashResponse.status !== 200 || !BLOCK_HASH_HEX.test(blockHash)) {
    throw new BlockHeaderFetchError(
      `${where} answered block-height ${height} with HTTP ${hashResponse.status} and no block hash.`,
    );
  }
  const headerResponse = await request(`${base}/block/${blockHash}/header`, get, where, options);
  if (headerResponse.status !== 200) {
    throw new BlockHeaderFetchError(
      `${where} answered the header of block ${blockHash} with HTTP ${headerResponse.status}.`,
    );
  }
  return requireHeaderOfHash(text(headerResponse.body), blockHash, where);
}

/**
 * Fetches the header at each height (the heights the proofs' Bitcoin attestations claim). A height
 * the endpoint does not have yet is simply absent, which the verifier reports as a SKIP; an
 * endpoint that cannot be reached, refuses or answers nonsense is a {@link BlockHeaderFetchError}.
 */
export async function prefetchBlockHeaders(
  endpoint: BitcoinHeaderEndpoint,
  heights: Iterable<number>,
  options: HttpRequestOptions = {},
): Promise<PrefetchedBlockHeaders> {
  const headers = new Map<number, Uint8Array>();
  for (const height of new Set(heights)) {
    if (!Number.isSafeInteger(height) || height < 0) {
      throw new BlockHeaderFetchError(`${height} is not a block height.`);
    }
    const header =
      endpoint.kind === 'esplora'
        ? await esploraHeaderAt(endpoint, height, options)
        : await rpcHeaderAt(endpoint, height, options);
    if (header !== null) headers.set(height, header);
  }
  return {
    headers,
    headerAt: (height) => headers.get(height) ?? null,
    heights: [...headers.keys()].sort((left, right) => left - right),
  };
}
