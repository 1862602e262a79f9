/**
 * A loopback OpenTimestamps calendar speaking the real calendar protocol, so the client and the
 * verifier are exercised end to end without the network.
 *
 * POST /digest answers, as real calendars do, with a pending timestamp on the digest: append a
 * fresh nonce, sha256, PendingAttestation(this calendar's URL). `confirm()` then aggregates every
 * commitment received since the last confirmation into a merkle tree (python-opentimestamps'
 * make_merkle_tree), puts its tip in a transaction, puts that transaction second in a block after
 * a coinbase, and mines a regtest-difficulty header (nBits 0x207fffff) for it on this calendar's
 * own header chain. From then on GET /timestamp/<commitment> returns the path from the
 * commitment to that block's merkle root, ending in a Bitcoin attestation; before, it is a 404.
 */
import { concatBytes } from '../../src-shared/crypto/bytes';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sha256 } from '@noble/hashes/sha2.js';
import { bitcoinHeaderHash, checkProofOfWork } from '../../src-shared/anchors/block-headers';
import {
  applyOtsOp,
  type OtsOp,
  otsPath,
  serializeOtsTimestamp,
} from '../../src-shared/anchors/ots-codec';
import { bytesToHex, hexToBytes } from '../../src-shared/crypto/hex';

export interface TestOtsCalendar {
  /** http://127.0.0.1:<port>, the URI its pending attestations name. */
  readonly url: string;
  /** "METHOD /path" of every request, for asserting what a client asked. */
  readonly requests: readonly string[];
  /** Mines the commitments received so far into a new block and returns its height. */
  confirm(): { height: number; header: Uint8Array };
  /** Headers of every block this calendar mined, by height. */
  headers(): Map<number, Uint8Array>;
  /** The same headers in the `<height> <hex>` headers-file format. */
  headersFileText(): string;
  close(): Promise<void>;
}

export const REGTEST_COMPACT_BITS = 0x207fffff;
const MAX_DIGEST_BYTES = 64;

function uint32LE(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value, true);
  return bytes;
}

/** Mines a nonce for the header fields; at regtest difficulty about every second nonce works. */
export function mineRegtestHeader(
  previousBlockHash: Uint8Array,
  merkleRoot: Uint8Array,
  time: number,
  bits: number = REGTEST_COMPACT_BITS,
): Uint8Array {
  for (let nonce = 0; nonce <= 0xffffffff; nonce++) {
    const header = concatBytes(
      uint32LE(0x20000000),
      previousBlockHash,
      merkleRoot,
      uint32LE(time),
      uint32LE(bits),
      uint32LE(nonce),
    );
    if (checkProofOfWork(header).ok) return header;
  }
  throw new Error('No nonce meets the target.');
}

/** python-opentimestamps' make_merkle_tree(cat_sha256): each leaf's ops up to the tip. */
function merklePaths(leaves: readonly Uint8Array[]): { tip: Uint8Array; ops: OtsOp[][] } {
  const ops: OtsOp[][] = leaves.map(() => []);
  let level = leaves.map((message, index) => ({ message, members: [index] }));
  while (level.length > 1) {
    const next: typeof level = [];
    for (let i = 0; i + 1 < level.length; i += 2) {
      const left = level[i] as (typeof level)[number];
      const right = level[i + 1] as (typeof level)[number];
      for (const member of left.members) {
        ops[member]?.push({ kind: 'append', argument: right.message }, { kind: 'sha256' });
      }
      for (const member of right.members) {
        ops[member]?.push({ kind: 'prepend', argument: left.message }, { kind: 'sha256' });
      }
      next.push({
        message: sha256(concatBytes(left.message, right.message)),
        members: [...left.members, ...right.members],
      });
    }
    if (level.length % 2 === 1) next.push(level[level.length - 1] as (typeof level)[number]);
    level = next;
  }
  return { tip: (level[0] as (typeof level)[number]).message, ops };
}

function readBody(request: IncomingMessage, limit: number): Promise<Uint8Array | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    request.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total <= limit) chunks.push(chunk);
    });
    request.on('end', () => resolve(total > limit ? null : new Uint8Array(Buffer.concat(chunks))));
    request.on('error', reject);
  });
}

export async function startTestOtsCalendar(
  options: { firstHeight?: number } = {},
): Promise<TestOtsCalendar> {
  const requests: string[] = [];
  const unconfirmed: Uint8Array[] = [];
  const upgrades = new Map<string, Uint8Array>();
  const headers = new Map<number, Uint8Array>();
  let nextHeight = options.firstHeight ?? 1000;
  let previousBlockHash: Uint8Array = new Uint8Array(32);
  let url = '';

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = request.url ?? '/';
    if (request.method === 'POST' && path === '/digest') {
      const digest = await readBody(request, MAX_DIGEST_BYTES);
      requests.push(`POST /digest ${digest === null ? '(too long)' : bytesToHex(digest)}`);
      if (digest === null || digest.length === 0) {
        response.writeHead(400, { 'Content-Type': 'text/plain' }).end('digest too long');
        return;
      }
      const ops: OtsOp[] = [{ kind: 'append', argument: randomBytes(16) }, { kind: 'sha256' }];
      const pending = otsPath(digest, ops, [{ kind: 'pending', uri: url }]);
      const commitment = ops.reduce((message, op) => applyOtsOp(op, message), digest);
      unconfirmed.push(commitment);
      response
        .writeHead(200, { 'Content-Type': 'application/octet-stream' })
        .end(serializeOtsTimestamp(pending));
      return;
    }
    requests.push(`${request.method ?? 'GET'} ${path}`);
    const match = /^\/timestamp\/([0-9a-f]{1,128})$/.exec(path);
    if (request.method === 'GET' && match) {
      const upgrade = upgrades.get(match[1] as string);
      if (upgrade === undefined) {
        response
          .writeHead(404, { 'Content-Type': 'text/plain' })
          .end('Pending confirmation in Bitcoin blockchain');
        return;
      }
      response.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(upgrade);
      return;
    }
    response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function confirm(): { height: number; header: Uint8Array } {
    if (unconfirmed.length === 0) throw new Error('Nothing was submitted since the last block.');
    const leaves = unconfirmed.splice(0);
    const { tip, ops: merkleOps } = merklePaths(leaves);
    // The tip goes into a transaction (prefix and suffix stand for its other fields), whose txid
    // is the second leaf of a two-transaction block after a coinbase.
    const transactionOps: OtsOp[] = [
      { kind: 'prepend', argument: hexToBytes('0100000001' + '00'.repeat(36) + '6a20') },
      { kind: 'append', argument: hexToBytes('ffffffff0100000000000000000000000000') },
      { kind: 'sha256' },
      { kind: 'sha256' },
    ];
    const txid = transactionOps.reduce((message, op) => applyOtsOp(op, message), tip);
    const coinbaseTxid = sha256(randomBytes(32));
    const blockOps: OtsOp[] = [
      { kind: 'prepend', argument: coinbaseTxid },
      { kind: 'sha256' },
      { kind: 'sha256' },
    ];
    const merkleRoot = blockOps.reduce((message, op) => applyOtsOp(op, message), txid);
    const height = nextHeight++;
    const header = mineRegtestHeader(previousBlockHash, merkleRoot, 1_800_000_000 + height);
    headers.set(height, header);
    previousBlockHash = bitcoinHeaderHash(header);
    leaves.forEach((commitment, index) => {
      const path = [...(merkleOps[index] as OtsOp[]), ...transactionOps, ...blockOps];
      upgrades.set(
        bytesToHex(commitment),
        serializeOtsTimestamp(otsPath(commitment, path, [{ kind: 'bitcoin', height }])),
      );
    });
    return { height, header };
  }

  return {
    url,
    requests,
    confirm,
    headers: () => new Map(headers),
    headersFileText: () =>
      [...headers].map(([height, header]) => `${height} ${bytesToHex(header)}`).join('\n') + '\n',
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
