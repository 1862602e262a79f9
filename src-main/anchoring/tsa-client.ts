/**
 * Requests RFC 3161 timestamps for a chain head the way nexuscone does
 * (../shared/specs/nexuscone.md §5, TSA track: imprint = SHA-256 of the raw 32-byte head,
 * certReq on), plus a random nonce, and refuses any answer that does not verify, so a broken TSA
 * answer is never stored as evidence.
 *
 * HTTP goes through undici rather than node:http or the global fetch: Node 20's fetch cannot use
 * a proxy, and undici (the Node project's own HTTP client, which that fetch is built on) provides
 * ProxyAgent for an explicit proxy and EnvHttpProxyAgent for HTTP_PROXY / HTTPS_PROXY / NO_PROXY
 * with the usual curl semantics. Its own fetch is used so the dispatcher and the fetch
 * implementation always come from the same undici version.
 */
import { concatBytes } from '../../src-shared/crypto/bytes';
import { createHash, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { EnvHttpProxyAgent, fetch, ProxyAgent, type Dispatcher } from 'undici';
import { verifyTimestampResponse } from '../../src-shared/anchors/rfc3161-verification';
import { ProofdeskError, type ErrorCode } from '../../src-shared/check-code';
import { hexToBytes, isLowerHex } from '../../src-shared/crypto/hex';

const TSA_FAILURE_CODE: ErrorCode = 'TSA_UNAVAILABLE';

const SHA256_OID = '2.16.840.1.101.3.4.2.1';
const QUERY_TYPE = 'application/timestamp-query';
const REPLY_TYPE = 'application/timestamp-reply';
// Real responses are 2 to 8 KB (token plus certificate chain); the cap keeps a hostile or broken
// server from making Proofdesk buffer without limit.
const MAX_RESPONSE_BYTES = 1024 * 1024;

export interface TsaRequestOptions {
  /** Per request, covering connect, answer and body. */
  readonly timeoutMs: number;
  /** Aborting it cancels the request (and, for requestTimestampFromAny, the fall-through). */
  readonly signal?: AbortSignal;
  /** http://host:port of a proxy; without it HTTP_PROXY / HTTPS_PROXY / NO_PROXY apply. */
  readonly proxyUrl?: string;
}

export interface TsaTimestamp {
  /** The whole DER TimeStampResp, which is what nexuscone stores in tst_blob. */
  readonly responseDer: Uint8Array;
  readonly nonce: bigint;
  /** TSTInfo genTime, ISO 8601 UTC. */
  readonly genTime: string;
}

export type TsaFailureReason =
  'timeout' | 'network' | 'http-status' | 'content-type' | 'too-large' | 'refused';

export interface TsaFailure {
  readonly url: string;
  readonly reason: TsaFailureReason;
  readonly message: string;
}

/** One TSA did not produce a usable timestamp; `message` is one sentence naming the URL. */
export class TsaRequestError extends ProofdeskError {
  constructor(
    readonly url: string,
    readonly reason: TsaFailureReason,
    message: string,
  ) {
    super(TSA_FAILURE_CODE, message);
    this.name = 'TsaRequestError';
  }

  get failure(): TsaFailure {
    return { url: this.url, reason: this.reason, message: this.message };
  }
}

/** Every URL failed; `failures` lists them in the order tried. */
export class TsaUnavailableError extends ProofdeskError {
  constructor(readonly failures: readonly TsaFailure[]) {
    super(
      TSA_FAILURE_CODE,
      `No TSA returned a usable timestamp: ${failures.map((failure) => failure.message.replace(/\.$/, '')).join('; ')}.`,
    );
    this.name = 'TsaUnavailableError';
  }
}

/**
 * POSTs one TimeStampReq (version 1, SHA-256 imprint of the raw head, random 64-bit nonce,
 * certReq) and returns the response only if it is a granted, well-formed token for this imprint
 * and nonce whose CMS signature verifies with its own certificate. Who that certificate belongs
 * to is not judged here (no roots): verification with the user's TSA roots does that later.
 * Throws TsaRequestError for a failed attempt, a CANCELLED ProofdeskError when `signal` aborts,
 * and a USAGE ProofdeskError for a malformed head, URL or proxy URL.
 */
export async function requestTimestamp(
  url: string,
  chainHeadHash: string,
  options: TsaRequestOptions,
): Promise<TsaTimestamp> {
  if (!isLowerHex(chainHeadHash, 64)) {
    throw new ProofdeskError('USAGE', 'The chain head to timestamp is not 64 lowercase hex.');
  }
  const target = parseHttpUrl(url, 'TSA URL');
  if (!Number.isSafeInteger(options.timeoutMs) || options.timeoutMs <= 0) {
    throw new ProofdeskError(
      'USAGE',
      'The TSA timeout must be a positive whole number of milliseconds.',
    );
  }
  const nonce = randomBytes(8).readBigUInt64BE();
  const requestDer = buildTimeStampReq(chainHeadHash, nonce);

  const dispatcher = createDispatcher(options.proxyUrl);
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let responseDer: Uint8Array;
  try {
    responseDer = await post(url, target, requestDer, dispatcher, signal);
  } catch (error) {
    if (options.signal?.aborted) {
      throw new ProofdeskError('CANCELLED', 'Timestamping was cancelled.');
    }
    if (timeout.aborted) {
      throw new TsaRequestError(
        url,
        'timeout',
        `${url} did not answer within ${options.timeoutMs} ms.`,
      );
    }
    if (error instanceof TsaRequestError) throw error;
    throw new TsaRequestError(url, 'network', `${url} could not be reached: ${describe(error)}.`);
  } finally {
    await dispatcher.destroy();
  }

  const verification = await verifyTimestampResponse({
    responseDer,
    chainHeadHash,
    trustRoots: null,
    expectedNonce: nonce,
  });
  const problem = verification.findings.find((item) => item.code !== 'ANCHOR_TSA_ROOTS_MISSING');
  if (problem || verification.genTime === null) {
    throw new TsaRequestError(
      url,
      'refused',
      `${url} returned a timestamp that fails verification (${problem?.code ?? 'ANCHOR_TSA_MALFORMED'}): ${problem?.message ?? 'it has no genTime'}.`,
    );
  }
  return { responseDer, nonce, genTime: verification.genTime };
}

export interface TsaTimestampFromAny extends TsaTimestamp {
  /** The URL that answered, for the anchor's tsa_url. */
  readonly url: string;
  /** The URLs tried before it, with why each failed. */
  readonly failures: readonly TsaFailure[];
}

/**
 * Tries each URL in order, as nexuscone does, moving on after any failure of one TSA (timeout,
 * network, HTTP status, content type, refused answer). Throws TsaUnavailableError when all fail,
 * and stops at once with a CANCELLED ProofdeskError when `signal` aborts.
 */
export async function requestTimestampFromAny(
  urls: readonly string[],
  chainHeadHash: string,
  options: TsaRequestOptions,
): Promise<TsaTimestampFromAny> {
  if (urls.length === 0) throw new ProofdeskError('USAGE', 'No TSA URL was given.');
  const failures: TsaFailure[] = [];
  for (const url of urls) {
    try {
      const timestamp = await requestTimestamp(url, chainHeadHash, options);
      return { ...timestamp, url, failures };
    } catch (error) {
      if (!(error instanceof TsaRequestError)) throw error;
      failures.push(error.failure);
    }
  }
  throw new TsaUnavailableError(failures);
}

function buildTimeStampReq(chainHeadHash: string, nonce: bigint): Uint8Array {
  const imprint = createHash('sha256').update(hexToBytes(chainHeadHash)).digest();
  const request = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      // NULL parameters, as rfc3161-client (nexuscone's library) sends them.
      hashAlgorithm: new pkijs.AlgorithmIdentifier({
        algorithmId: SHA256_OID,
        algorithmParams: new asn1js.Null(),
      }),
      hashedMessage: new asn1js.OctetString({ valueHex: imprint }),
    }),
    nonce: asn1js.Integer.fromBigInt(nonce),
    certReq: true,
  });
  return new Uint8Array(request.toSchema().toBER());
}

/** `url` is the caller's spelling, which failures name; `target` is what is fetched. */
async function post(
  url: string,
  target: URL,
  body: Uint8Array,
  dispatcher: Dispatcher,
  signal: AbortSignal,
): Promise<Uint8Array> {
  const response = await fetch(target, {
    method: 'POST',
    headers: { 'content-type': QUERY_TYPE, accept: REPLY_TYPE },
    body,
    dispatcher,
    signal,
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new TsaRequestError(
      url,
      'http-status',
      `${url} answered HTTP ${response.status} instead of a timestamp.`,
    );
  }
  const contentType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  if (contentType.toLowerCase() !== REPLY_TYPE) {
    await response.body?.cancel();
    throw new TsaRequestError(
      url,
      'content-type',
      `${url} answered with content type ${contentType === '' ? '(none)' : contentType}, not ${REPLY_TYPE}.`,
    );
  }
  const chunks: Uint8Array[] = [];
  let length = 0;
  if (response.body) {
    // A byte stream: undici's body yields Uint8Array chunks.
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      length += chunk.byteLength;
      if (length > MAX_RESPONSE_BYTES) {
        await response.body.cancel();
        throw new TsaRequestError(
          url,
          'too-large',
          `${url} sent more than ${MAX_RESPONSE_BYTES} bytes, far more than a timestamp.`,
        );
      }
      chunks.push(chunk);
    }
  }
  return concatBytes(...chunks);
}

function createDispatcher(proxyUrl: string | undefined): Dispatcher {
  if (proxyUrl === undefined) return new EnvHttpProxyAgent();
  parseHttpUrl(proxyUrl, 'proxy URL');
  return new ProxyAgent(proxyUrl);
}

/** `text` as an http or https URL, or a one-sentence USAGE error naming it as `what`. */
export function parseHttpUrl(text: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ProofdeskError('USAGE', `The ${what} ${JSON.stringify(text)} is not a URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ProofdeskError(
      'USAGE',
      `The ${what} ${JSON.stringify(text)} is not an http or https URL.`,
    );
  }
  return url;
}

function describe(error: unknown): string {
  // undici reports the socket-level reason (ECONNREFUSED, ENOTFOUND, ...) as the cause.
  const cause = error instanceof Error ? (error.cause ?? error) : error;
  const text = cause instanceof Error ? cause.message : String(cause);
  return text.replace(/\.$/, '');
}
