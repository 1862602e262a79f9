/**
 * OpenTimestamps anchors: the codec against every proof nexuscone wrote into the fixtures (byte
 * for byte, and tree for tree against the javascript-opentimestamps package as an independent
 * oracle), the verifier's verdicts on those anchors with and without block headers, hostile
 * proofs, and an end-to-end run of the calendar client against loopback calendars that mine
 * regtest-difficulty blocks.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { sha256 } from '@noble/hashes/sha2.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bitcoinHeaderHash,
  blockHeaderSourceOf,
  BlockHeadersFileError,
  checkProofOfWork,
  displayOrderHex,
  merkleRootOf,
  parseBlockHeadersFile,
  targetFromCompactBits,
} from '../src-shared/anchors/block-headers';
import {
  applyOtsOp,
  OTS_FILE_MAGIC,
  type OtsAttestation,
  OtsCodecError,
  type OtsOp,
  type OtsTimestamp,
  otsAttestationPaths,
  otsDetachedFileForChainHead,
  otsTimestamp,
  parseOtsDetachedFile,
  parseOtsTimestamp,
  serializeOtsDetachedFile,
  serializeOtsTimestamp,
  OTS_OP_TAGS,
} from '../src-shared/anchors/ots-codec';
import {
  computeOtsBitcoinRoots,
  crossCheckOtsAnchors,
  type OtsAnchorInput,
  type OtsAnchorRoots,
  type OtsBitcoinClaim,
  verifyOtsAnchor,
} from '../src-shared/anchors/ots-verification';
import { FINDING_CODE_INFO } from '../src-shared/check-code';
import { bytesToHex, hexToBytes } from '../src-shared/crypto/hex';
import type { Finding } from '../src-shared/verification-report';
import { BlockHeaderFetchError, prefetchBlockHeaders } from '../src-main/anchoring/bitcoin-headers';
import {
  fetchCalendarUpgrade,
  pendingCommitmentsOf,
  submitToCalendar,
  submitToCalendars,
  upgradePendingProof,
} from '../src-main/anchoring/ots-calendar-client';
import {
  describeWithFixtures,
  sharedFixturePath,
  sharedFixturesDir,
} from './support/shared-fixtures';
import {
  mineRegtestHeader,
  startTestOtsCalendar,
  type TestOtsCalendar,
} from './support/test-ots-calendar';

// ---------------------------------------------------------------------------------------------
// The javascript-opentimestamps oracle (CommonJS, untyped): only the parts these tests read.

interface OracleOp {
  _TAG(): number;
  arg?: number[];
}
interface OracleAttestation {
  constructor: { name: string };
  _TAG(): number[];
  uri?: string;
  height?: number;
  payload?: number[];
}
interface OracleTimestamp {
  msg: number[];
  attestations: OracleAttestation[];
  ops: Map<OracleOp, OracleTimestamp>;
}
interface OracleDetachedFile {
  fileHashOp: OracleOp;
  timestamp: OracleTimestamp;
  serializeToBytes(): Uint8Array;
}
interface OracleModule {
  Context: { StreamDeserialization: new (bytes: number[]) => unknown };
  Timestamp: { deserialize(context: unknown, message: number[]): OracleTimestamp };
  DetachedTimestampFile: { deserialize(bytes: number[]): OracleDetachedFile };
}
/**
 * The fixture's two loopback calendars each made up their own block 900001, so anchor 1's
 * branches disagree about its merkle root; that warning has its own test, and the other fixture
 * tests look past it.
 */
const verifyFixtureAnchor = (input: Parameters<typeof verifyOtsAnchor>[0]) =>
  verifyOtsAnchor(input).filter((finding) => finding.code !== 'ANCHOR_OTS_BRANCHES_DISAGREE');

const oracle = createRequire(import.meta.url)('opentimestamps') as OracleModule;

/** A tree both codecs can be compared on: every message, op and attestation, order-free. */
interface TreeView {
  readonly message: string;
  readonly attestations: readonly string[];
  readonly branches: readonly { readonly op: string; readonly child: TreeView }[];
}

function opView(tag: number, argument: Uint8Array | number[] | undefined): string {
  const tagHex = tag.toString(16).padStart(2, '0');
  return argument === undefined ? tagHex : `${tagHex} ${bytesToHex(Uint8Array.from(argument))}`;
}

function attestationView(attestation: OtsAttestation): string {
  switch (attestation.kind) {
    case 'pending':
      return `pending ${attestation.uri}`;
    case 'bitcoin':
    case 'litecoin':
      return `${attestation.kind} ${attestation.height}`;
    case 'ethereum':
      throw new Error('The oracle has no Ethereum attestation to compare with.');
    case 'unknown':
      return `unknown ${bytesToHex(attestation.tag)} ${bytesToHex(attestation.payload)}`;
  }
}

const OUR_OP_TAGS = OTS_OP_TAGS;

function ourView(node: OtsTimestamp): TreeView {
  return {
    message: bytesToHex(node.message),
    attestations: node.attestations.map(attestationView).sort(),
    branches: node.branches
      .map((branch) => ({
        op: opView(
          OUR_OP_TAGS[branch.op.kind],
          'argument' in branch.op ? branch.op.argument : undefined,
        ),
        child: ourView(branch.timestamp),
      }))
      .sort((left, right) => left.op.localeCompare(right.op)),
  };
}

function oracleAttestationView(attestation: OracleAttestation): string {
  switch (attestation.constructor.name) {
    case 'PendingAttestation':
      return `pending ${attestation.uri}`;
    case 'BitcoinBlockHeaderAttestation':
      return `bitcoin ${attestation.height}`;
    case 'LitecoinBlockHeaderAttestation':
      return `litecoin ${attestation.height}`;
    default:
      return `unknown ${bytesToHex(Uint8Array.from(attestation._TAG()))} ${bytesToHex(Uint8Array.from(attestation.payload ?? []))}`;
  }
}

function oracleView(node: OracleTimestamp): TreeView {
  return {
    message: bytesToHex(Uint8Array.from(node.msg)),
    attestations: node.attestations.map(oracleAttestationView).sort(),
    branches: [...node.ops]
      .map(([op, child]) => ({ op: opView(op._TAG(), op.arg), child: oracleView(child) }))
      .sort((left, right) => left.op.localeCompare(right.op)),
  };
}

function oracleParse(blob: Uint8Array, rootMessage: Uint8Array): OracleTimestamp {
  const context = new oracle.Context.StreamDeserialization(Array.from(blob));
  return oracle.Timestamp.deserialize(context, Array.from(rootMessage));
}

function expectOracleAgrees(blob: Uint8Array, rootMessage: Uint8Array): void {
  const ours = parseOtsTimestamp(blob, rootMessage);
  expect(oracleView(oracleParse(blob, rootMessage))).toEqual(ourView(ours));
  const detached = otsDetachedFileForChainHead(blob, rootMessage);
  const oracleFile = oracle.DetachedTimestampFile.deserialize(Array.from(detached));
  expect(oracleFile.fileHashOp._TAG()).toBe(0x08);
  expect(oracleView(oracleFile.timestamp)).toEqual(ourView(ours));
  // The oracle writes back in the order it read, so equal bytes mean ours were canonical.
  expect(bytesToHex(Uint8Array.from(oracleFile.serializeToBytes()))).toBe(bytesToHex(detached));
}

// ---------------------------------------------------------------------------------------------
// Helpers

interface AnchorRow {
  readonly anchor_id: number;
  readonly chain_head_hash: string;
  readonly ots_proof_blob: Uint8Array | null;
  readonly bitcoin_block_height: number | null;
  readonly confirmed_at: string | null;
}

function readAnchors(fileName: string): AnchorRow[] {
  const db = new Database(sharedFixturePath('nexuscone', fileName), {
    readonly: true,
    fileMustExist: true,
  });
  try {
    return db
      .prepare<[], AnchorRow>(
        'SELECT anchor_id, chain_head_hash, ots_proof_blob, bitcoin_block_height, confirmed_at FROM anchors ORDER BY anchor_id',
      )
      .all()
      .map((row) => ({
        ...row,
        ots_proof_blob: row.ots_proof_blob === null ? null : new Uint8Array(row.ots_proof_blob),
      }));
  } finally {
    db.close();
  }
}

function anchorInput(row: AnchorRow, overrides: Partial<OtsAnchorInput> = {}): OtsAnchorInput {
  if (row.ots_proof_blob === null) throw new Error(`anchor ${row.anchor_id} has no OTS proof`);
  return {
    anchorId: row.anchor_id,
    proofBlob: row.ots_proof_blob,
    chainHeadHash: row.chain_head_hash,
    recordedHeight: row.bitcoin_block_height,
    confirmedAt: row.confirmed_at,
    headers: null,
    ...overrides,
  };
}

function claimsIn(roots: readonly OtsAnchorRoots[]): readonly OtsBitcoinClaim[] {
  const [first] = roots;
  if (first === undefined || !('claims' in first)) throw new Error('no readable proof');
  return first.claims;
}

function codes(findings: readonly Finding[]): string[] {
  return findings.map((finding) => finding.code);
}

function rowById(rows: readonly AnchorRow[], anchorId: number): AnchorRow {
  const row = rows.find((candidate) => candidate.anchor_id === anchorId);
  if (row === undefined) throw new Error(`no anchor ${anchorId}`);
  return row;
}

const HEAD = hexToBytes('53708b7f72e11ac4c5f2c386b23d799067e05024be4c92e3e452dac69056910f');

function expectCodecError(blob: Uint8Array, pattern: RegExp, rootMessage = HEAD): void {
  let thrown: unknown;
  try {
    parseOtsTimestamp(blob, rootMessage);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(OtsCodecError);
  expect((thrown as Error).message).toMatch(pattern);
  expect((thrown as Error).message.trim().split(/(?<=\.)\s/)).toHaveLength(1);
}

function hex(text: string): Uint8Array {
  return hexToBytes(text.replace(/\s+/g, ''));
}

const PENDING_TAG = '83dfe30d2ef90c8e';
const BITCOIN_TAG = '0588960d73d71901';
/** `00 <pending tag> <payload: varbytes("http://a")>` */
const PENDING_LEAF = `00 ${PENDING_TAG} 09 08 ${bytesToHex(new TextEncoder().encode('http://a'))}`;

// ---------------------------------------------------------------------------------------------

describeWithFixtures('OpenTimestamps proofs in the nexuscone fixtures', () => {
  const nexusconeDir = `${sharedFixturesDir}/nexuscone`;
  const anchoredFiles = [
    'anchored_witnessed.db',
    ...readdirSync(nexusconeDir).filter((name) => name.startsWith('tampered_anchored_')),
  ];
  const witnessed = readAnchors('anchored_witnessed.db');
  const transplanted = readAnchors('tampered_anchored_ots_proof_transplanted.db');

  it.each(anchoredFiles)(
    '%s: every proof blob re-serialises byte-identically and the oracle reads the same tree',
    (fileName) => {
      const rows = readAnchors(fileName).filter((row) => row.ots_proof_blob !== null);
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        const blob = row.ots_proof_blob as Uint8Array;
        const head = hexToBytes(row.chain_head_hash);
        const tree = parseOtsTimestamp(blob, head);
        expect(bytesToHex(serializeOtsTimestamp(tree))).toBe(bytesToHex(blob));
        expectOracleAgrees(blob, head);
      }
    },
  );

  it('reads the shapes the manifest describes', () => {
    const kinds = (anchorId: number) =>
      otsAttestationPaths(
        parseOtsTimestamp(
          rowById(witnessed, anchorId).ots_proof_blob as Uint8Array,
          hexToBytes(rowById(witnessed, anchorId).chain_head_hash),
        ),
      ).map((path) => attestationView(path.attestation));
    expect(rowById(witnessed, 1).ots_proof_blob).toHaveLength(273);
    expect(kinds(1).sort()).toEqual([
      'bitcoin 900001',
      'bitcoin 900001',
      'pending http://127.0.0.1:36917',
      'pending http://127.0.0.1:46735',
    ]);
    expect(kinds(2).sort()).toEqual([
      'pending http://127.0.0.1:36917',
      'pending http://127.0.0.1:46735',
    ]);
    expect(kinds(4)).toEqual(['pending http://127.0.0.1:46735']);
    // The poller asked calendar A for these commitments (manifest standin_request_log).
    const commitments = pendingCommitmentsOf(
      parseOtsTimestamp(
        rowById(witnessed, 1).ots_proof_blob as Uint8Array,
        hexToBytes(rowById(witnessed, 1).chain_head_hash),
      ),
    ).map((pending) => `${pending.calendarUri} ${bytesToHex(pending.commitment)}`);
    expect(commitments).toContain(
      'http://127.0.0.1:46735 f3441e38dbd55a7af7c8632559e154e052cf2be72b4be167b05021a0f99ed381',
    );
    expect(commitments).toContain(
      'http://127.0.0.1:36917 6719741621145f35d6f7d9f19f607b93a54f04527eb66ded038fdd4ff7a7390d',
    );
  });

  it('converts a nexuscone blob to a standard .ots file and back', () => {
    const row = rowById(witnessed, 1);
    const file = otsDetachedFileForChainHead(
      row.ots_proof_blob as Uint8Array,
      hexToBytes(row.chain_head_hash),
    );
    expect(bytesToHex(file.slice(0, OTS_FILE_MAGIC.length))).toBe(bytesToHex(OTS_FILE_MAGIC));
    expect(bytesToHex(file.slice(OTS_FILE_MAGIC.length, OTS_FILE_MAGIC.length + 2))).toBe('0108');
    const parsed = parseOtsDetachedFile(file);
    expect(parsed.fileHashOp).toBe('sha256');
    expect(bytesToHex(parsed.timestamp.message)).toBe(row.chain_head_hash);
    expect(bytesToHex(serializeOtsDetachedFile(parsed))).toBe(bytesToHex(file));
    expect(bytesToHex(file.slice(OTS_FILE_MAGIC.length + 2 + 32))).toBe(
      bytesToHex(row.ots_proof_blob as Uint8Array),
    );
  });

  it("warns that anchor 1's two branches compute different roots for block 900001", () => {
    const warnings = verifyOtsAnchor(anchorInput(rowById(witnessed, 1))).filter(
      (finding) => finding.code === 'ANCHOR_OTS_BRANCHES_DISAGREE',
    );
    expect(warnings).toHaveLength(1);
    expect(FINDING_CODE_INFO.ANCHOR_OTS_BRANCHES_DISAGREE.status).toBe('WARN');
    expect(warnings[0]?.message).toMatch(/2 different merkle roots for block 900001/);
    expect(warnings[0]?.actual?.split(', ')).toHaveLength(2);
  });

  it('anchor 1 without headers is exactly one SKIP: its Bitcoin claim is unchecked', () => {
    const findings = verifyFixtureAnchor(anchorInput(rowById(witnessed, 1)));
    expect(codes(findings)).toEqual(['ANCHOR_OTS_HEADERS_MISSING']);
    expect(FINDING_CODE_INFO.ANCHOR_OTS_HEADERS_MISSING.status).toBe('SKIP');
    expect(findings[0]?.anchorId).toBe(1);
    expect(findings[0]?.message).toContain('900001');
  });

  it.each([2, 4])('anchor %i is PENDING, never a PASS', (anchorId) => {
    const findings = verifyFixtureAnchor(anchorInput(rowById(witnessed, anchorId)));
    expect(codes(findings)).toEqual(['ANCHOR_OTS_PENDING']);
    expect(FINDING_CODE_INFO.ANCHOR_OTS_PENDING.status).toBe('PENDING');
    expect(findings[0]?.message).toContain('http://127.0.0.1:46735');
  });

  it('finds nothing to cross-check in the untouched file', () => {
    expect(
      crossCheckOtsAnchors(
        witnessed.map((row) => ({
          anchorId: row.anchor_id,
          proofBlob: row.ots_proof_blob,
          chainHeadHash: row.chain_head_hash,
        })),
      ),
    ).toEqual([]);
  });

  it('flags the transplanted proof at anchor 2, and nothing at anchor 1, without headers', () => {
    const findings = crossCheckOtsAnchors(
      transplanted.map((row) => ({
        anchorId: row.anchor_id,
        proofBlob: row.ots_proof_blob,
        chainHeadHash: row.chain_head_hash,
      })),
    );
    expect(findings).toEqual([
      {
        code: 'ANCHOR_OTS_COMMITMENT_MISMATCH',
        anchorId: 2,
        message:
          "anchor 2's proof is byte-identical to anchor 1's, made for another chain head: one proof cannot commit to both",
        expected: 'd201acc6493ca9728b5d45f07c8786bba57b97fa76edec9e7085b578bb9f24c6',
        actual: '53708b7f72e11ac4c5f2c386b23d799067e05024be4c92e3e452dac69056910f',
      },
    ]);
    // Alone, without the anchor it was copied from, the transplant still only looks unchecked.
    expect(codes(verifyFixtureAnchor(anchorInput(rowById(transplanted, 2))))).toEqual([
      'ANCHOR_OTS_HEADERS_MISSING',
    ]);
  });

  it('flags a same-height root conflict between anchors whose proofs differ', () => {
    const row1 = rowById(witnessed, 1);
    // Anchor 2's head with anchor 1's proof plus one harmless extra pending branch: not
    // byte-identical any more, but its Bitcoin claims still compute other roots for 900001.
    const tree = parseOtsTimestamp(
      row1.ots_proof_blob as Uint8Array,
      hexToBytes(rowById(witnessed, 2).chain_head_hash),
    );
    const disguised = serializeOtsTimestamp(
      otsTimestamp(tree.message, [{ kind: 'pending', uri: 'http://c' }], tree.branches),
    );
    const findings = crossCheckOtsAnchors([
      { anchorId: 1, proofBlob: row1.ots_proof_blob, chainHeadHash: row1.chain_head_hash },
      {
        anchorId: 2,
        proofBlob: disguised,
        chainHeadHash: rowById(witnessed, 2).chain_head_hash,
      },
    ]);
    expect(codes(findings)).toEqual(['ANCHOR_OTS_COMMITMENT_MISMATCH']);
    expect(findings[0]?.anchorId).toBe(2);
    expect(findings[0]?.message).toMatch(/at least one of the two is false/);
    expect(findings[0]?.message).toMatch(/only block headers can tell which one is genuine/);
    const anchor1Roots = claimsIn(
      computeOtsBitcoinRoots([
        { anchorId: 1, proofBlob: row1.ots_proof_blob, chainHeadHash: row1.chain_head_hash },
      ]),
    ).map((claim) => claim.merkleRootHex);
    expect(anchor1Roots).toContain(findings[0]?.expected);
  });

  it('an edited height is ANCHOR_OTS_HEIGHT_MISMATCH', () => {
    const findings = verifyFixtureAnchor(
      anchorInput(rowById(witnessed, 1), { recordedHeight: 900002 }),
    );
    const mismatch = findings.find((finding) => finding.code === 'ANCHOR_OTS_HEIGHT_MISMATCH');
    expect(mismatch).toMatchObject({ anchorId: 1, expected: '900002', actual: '900001' });
  });

  it('a row that says confirmed while its proof is only pending is ANCHOR_OTS_INVALID', () => {
    const findings = verifyFixtureAnchor(
      anchorInput(rowById(witnessed, 2), {
        recordedHeight: 900001,
        confirmedAt: '2026-11-22T21:40:49.880202Z',
      }),
    );
    expect(codes(findings)).toEqual(['ANCHOR_OTS_INVALID']);
    expect(findings[0]?.message).toMatch(/recorded as confirmed at height 900001/);
  });

  it('a pending row whose proof carries a Bitcoin attestation is ANCHOR_OTS_HEIGHT_MISMATCH', () => {
    const findings = verifyFixtureAnchor(
      anchorInput(rowById(witnessed, 1), { recordedHeight: null, confirmedAt: null }),
    );
    expect(codes(findings)).toContain('ANCHOR_OTS_HEIGHT_MISMATCH');
  });

  describe('with block headers', () => {
    const row1 = rowById(witnessed, 1);
    const claims = claimsIn(
      computeOtsBitcoinRoots([
        { anchorId: 1, proofBlob: row1.ots_proof_blob, chainHeadHash: row1.chain_head_hash },
      ]),
    );
    // The first claim is calendar 36917's branch; calendar 46735's computes another root for
    // the same height (the fixture's stand-ins each invented block 900001), and one verified
    // attestation is a complete proof.
    const firstRoot = (claims[0] as OtsBitcoinClaim).merkleRoot;
    const genuineHeader = mineRegtestHeader(new Uint8Array(32), firstRoot, 1_795_000_000);
    const headers = blockHeaderSourceOf(new Map([[900001, genuineHeader]]));

    it('anchor 1 passes against a regtest header committing to its computed root', () => {
      expect(claims.map((claim) => claim.height)).toEqual([900001, 900001]);
      expect(checkProofOfWork(genuineHeader)).toEqual({ ok: true });
      expect(verifyFixtureAnchor(anchorInput(row1, { headers }))).toEqual([]);
    });

    it('the transplanted anchor 2 fails: its path computes another merkle root', () => {
      const findings = verifyFixtureAnchor(anchorInput(rowById(transplanted, 2), { headers }));
      expect(findings.length).toBeGreaterThan(0);
      expect(new Set(codes(findings))).toEqual(new Set(['ANCHOR_OTS_INVALID']));
      expect(findings[0]).toMatchObject({
        anchorId: 2,
        expected: displayOrderHex(merkleRootOf(genuineHeader)),
      });
      expect(findings[0]?.actual).not.toBe(findings[0]?.expected);
    });

    it('a header whose hash misses its nBits target is ANCHOR_OTS_INVALID', () => {
      // mainnet's difficulty-1 bits: a regtest-mined hash is almost never below that target.
      const hardBits = Uint8Array.of(0xff, 0xff, 0x00, 0x1d);
      const weakHeader = genuineHeader.slice();
      weakHeader.set(hardBits, 72);
      expect(checkProofOfWork(weakHeader).ok).toBe(false);
      const findings = verifyFixtureAnchor(
        anchorInput(row1, { headers: blockHeaderSourceOf(new Map([[900001, weakHeader]])) }),
      );
      expect(codes(findings)).toEqual(['ANCHOR_OTS_INVALID']);
      expect(findings[0]?.message).toMatch(/fails proof of work/);
    });

    it('headers without the claimed height are one SKIP naming it', () => {
      const findings = verifyFixtureAnchor(
        anchorInput(row1, { headers: blockHeaderSourceOf(new Map([[900000, genuineHeader]])) }),
      );
      expect(codes(findings)).toEqual(['ANCHOR_OTS_HEADERS_MISSING']);
      expect(findings[0]?.message).toContain('900001');
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe('OpenTimestamps codec', () => {
  it.each<[string, OtsOp, string, string]>([
    ['sha1', { kind: 'sha1' }, '', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
    ['ripemd160', { kind: 'ripemd160' }, '', '9c1185a5c5e9fc54612808977ee8f548b2258d31'],
    [
      'sha256',
      { kind: 'sha256' },
      '',
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    ],
    [
      'keccak256',
      { kind: 'keccak256' },
      '',
      'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470',
    ],
    ['reverse', { kind: 'reverse' }, '010203', '030201'],
    ['hexlify', { kind: 'hexlify' }, '00ff', bytesToHex(new TextEncoder().encode('00ff'))],
    ['append', { kind: 'append', argument: hex('beef') }, '01', '01beef'],
    ['prepend', { kind: 'prepend', argument: hex('beef') }, '01', 'beef01'],
    [
      // Known answer from python-opentimestamps' secp256k1.py point arithmetic: P = G, message 00.
      'secp256k1commitment',
      {
        kind: 'secp256k1commitment',
        argument: hex('0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798'),
      },
      '00',
      '5a59d3366efc335404eae4797b0a26fbef6227fc0d50a86f7f79b91a041df472',
    ],
  ])('%s computes what python does, and survives a round trip', (_name, op, input, output) => {
    expect(bytesToHex(applyOtsOp(op, hex(input)))).toBe(output);
    const tree = otsTimestamp(
      hex(input),
      [],
      [
        {
          op,
          timestamp: otsTimestamp(applyOtsOp(op, hex(input)), [{ kind: 'bitcoin', height: 7 }], []),
        },
      ],
    );
    const bytes = serializeOtsTimestamp(tree);
    expect(ourView(parseOtsTimestamp(bytes, hex(input)))).toEqual(ourView(tree));
  });

  it('reads the attestation kinds python knows and keeps unknown ones as raw bytes', () => {
    const blob = hex(`
      ff 00 0102030405060708 03 aabbcc
      ff 00 ${BITCOIN_TAG} 03 a1f736
      ff 00 06869a0d73d71b45 01 05
      ff 00 30fe8087b5c7ead7 01 06
      ${PENDING_LEAF}`);
    const tree = parseOtsTimestamp(blob, HEAD);
    expect(tree.attestations).toEqual([
      { kind: 'unknown', tag: hex('0102030405060708'), payload: hex('aabbcc') },
      { kind: 'bitcoin', height: 900001 },
      { kind: 'litecoin', height: 5 },
      { kind: 'ethereum', height: 6 },
      { kind: 'pending', uri: 'http://a' },
    ]);
    expect(bytesToHex(serializeOtsTimestamp(tree))).toBe(bytesToHex(blob));
  });

  it('orders a node as python does, whatever order the bytes came in', () => {
    const unordered = hex(`
      ff f1 01 02 ${PENDING_LEAF}
      ff 08 ${PENDING_LEAF}
      ff f0 01 02 ${PENDING_LEAF}
      ff f0 01 01 ${PENDING_LEAF}
      00 ${BITCOIN_TAG} 01 01`);
    const canonical = hex(`
      ff 00 ${BITCOIN_TAG} 01 01
      ff 08 ${PENDING_LEAF}
      ff f0 01 01 ${PENDING_LEAF}
      ff f0 01 02 ${PENDING_LEAF}
      f1 01 02 ${PENDING_LEAF}`);
    expect(bytesToHex(serializeOtsTimestamp(parseOtsTimestamp(unordered, HEAD)))).toBe(
      bytesToHex(canonical),
    );
  });

  it('reads and writes a standard .ots file with each file hash op', () => {
    for (const [tag, length] of [
      ['02', 20],
      ['03', 20],
      ['08', 32],
      ['67', 32],
    ] as const) {
      const file = hex(
        `${bytesToHex(OTS_FILE_MAGIC)} 01 ${tag} ${'11'.repeat(length)} ${PENDING_LEAF}`,
      );
      expect(bytesToHex(serializeOtsDetachedFile(parseOtsDetachedFile(file)))).toBe(
        bytesToHex(file),
      );
    }
    const withoutMagic = hex(`00 ${bytesToHex(OTS_FILE_MAGIC.slice(1))} 02 08 ${'11'.repeat(32)}`);
    expect(() => parseOtsDetachedFile(withoutMagic)).toThrow(/Version 2/);
    expect(() => parseOtsDetachedFile(hex(`${'00'.repeat(40)}`))).toThrow(OtsCodecError);
    expect(() =>
      parseOtsDetachedFile(hex(`${bytesToHex(OTS_FILE_MAGIC)} 01 f0 ${'11'.repeat(32)}`)),
    ).toThrow(/file hash op/);
  });

  describe('hostile proofs fail fast with one sentence and no stack overflow', () => {
    const cases: [string, Uint8Array, RegExp][] = [
      [
        'a fork bomb nested 10,000 deep',
        hex(`${'ff 08 '.repeat(10_000)} ${PENDING_LEAF}`),
        /nests deeper than 256 levels/,
      ],
      ['10,000 chained sha256 ops', hex(`${'08 '.repeat(10_000)} ${PENDING_LEAF}`), /nests deeper/],
      [
        'a height varuint wider than 8 bytes',
        hex(`00 ${BITCOIN_TAG} 0a ${'ff '.repeat(9)} 01`),
        /runs past 8 bytes/,
      ],
      [
        'a length varuint wider than 8 bytes',
        hex(`f0 ${'ff '.repeat(10)} 01`),
        /runs past 8 bytes/,
      ],
      [
        'a height beyond 2^53',
        hex(`00 ${BITCOIN_TAG} 08 ${'ff '.repeat(7)} 7f`),
        /too large to be exact/,
      ],
      ['a truncated blob', hex(PENDING_LEAF).slice(0, 12), /ends inside/],
      ['an empty blob', new Uint8Array(0), /ends where/],
      ['a fork marker at the end', hex('ff'), /ends where/],
      ['a trailing byte', hex(`${PENDING_LEAF} 00`), /unexpected byte follows/],
      ['trailing bytes', hex(`${PENDING_LEAF} 0000`), /2 unexpected bytes follow/],
      [
        'an append argument of 4097 bytes',
        hex(`f0 8120 ${'00'.repeat(4097)} ${PENDING_LEAF}`),
        /over its 4096-byte limit/,
      ],
      ['an empty append argument', hex(`f0 00 ${PENDING_LEAF}`), /under its 1-byte minimum/],
      [
        'a result over 4096 bytes',
        hex(`f0 e01f ${'00'.repeat(4064)} f0 01 00 ${PENDING_LEAF}`),
        /yields 4097 bytes/,
      ],
      [
        'hexlify of more than 2048 bytes',
        hex(`f0 e10f ${'00'.repeat(2017)} f3 ${PENDING_LEAF}`),
        /2049-byte message/,
      ],
      ['an unknown op byte', hex(`04 ${PENDING_LEAF}`), /unknown operation tag 0x04/],
      ['an unknown op after a fork', hex(`ff 04 ${PENDING_LEAF}`), /unknown operation tag 0x04/],
      [
        'a pending URI with a query',
        hex(`00 ${PENDING_TAG} 0b 0a ${bytesToHex(new TextEncoder().encode('http://a?b'))}`),
        /character outside/,
      ],
      [
        'a pending URI over 1000 bytes',
        hex(`00 ${PENDING_TAG} eb07 e907 ${'61'.repeat(1001)}`),
        /over its 1000-byte limit/,
      ],
      [
        'a Bitcoin payload with bytes after the height',
        hex(`00 ${BITCOIN_TAG} 02 01 01`),
        /unexpected byte follows/,
      ],
      [
        'an attestation payload over 8192 bytes',
        hex(`00 0102030405060708 8140 ${'00'.repeat(8193)}`),
        /over its 8192-byte limit/,
      ],
      ['a proof over 64 KiB', hex(`f0 01 00 ${'00'.repeat(70_000)}`), /over the 65536-byte limit/],
      [
        'a secp256k1 argument that is no point',
        hex(`09 21 02 ${'ff'.repeat(32)} ${PENDING_LEAF}`),
        /not a point on secp256k1/,
      ],
    ];

    it.each(cases)('%s', (_name, blob, pattern) => {
      const started = performance.now();
      expectCodecError(blob, pattern);
      expect(performance.now() - started).toBeLessThan(1000);
      const findings = verifyOtsAnchor({
        anchorId: 9,
        proofBlob: blob,
        chainHeadHash: bytesToHex(HEAD),
        recordedHeight: null,
        confirmedAt: null,
        headers: null,
      });
      expect(codes(findings)).toEqual(['ANCHOR_OTS_INVALID']);
    });

    it('stops a proof that would expand into hundreds of MiB of messages', () => {
      // 4 KiB message, then thousands of one-byte reverse ops each yielding another 4 KiB.
      const siblings = `ff f2 f2 f2 f2 ${PENDING_LEAF} `.repeat(1100);
      const blob = hex(`f0 e01f ${'00'.repeat(4064)} ${siblings} ${PENDING_LEAF}`);
      const started = performance.now();
      expectCodecError(blob, /more than 16 MiB/);
      expect(performance.now() - started).toBeLessThan(2000);
    });

    it('random bytes never throw anything but the codec error', () => {
      const fragments = [
        'ff',
        '00',
        '08',
        'f0 01 aa',
        'f1 20',
        'f2',
        'f3',
        BITCOIN_TAG,
        PENDING_TAG,
        '09 08 687474703a2f2f61',
        '81',
        'ffffffff',
      ].map(hex);
      const structured = fc
        .array(fc.oneof(fc.constantFrom(...fragments), fc.uint8Array({ maxLength: 8 })), {
          maxLength: 40,
        })
        .map((parts) => Uint8Array.from(parts.flatMap((part) => [...part])));
      fc.assert(
        fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), structured), (bytes) => {
          try {
            const tree = parseOtsTimestamp(bytes, HEAD);
            expect(ourView(parseOtsTimestamp(serializeOtsTimestamp(tree), HEAD))).toEqual(
              ourView(tree),
            );
          } catch (error) {
            if (!(error instanceof OtsCodecError)) throw error;
          }
        }),
        { numRuns: 3000 },
      );
    });
  });

  describe('generated trees', () => {
    interface TreeShape {
      readonly attestations: readonly OtsAttestation[];
      readonly branches: readonly { readonly op: OtsOp; readonly child: TreeShape }[];
    }
    const attestation: fc.Arbitrary<OtsAttestation> = fc.oneof(
      fc
        .stringMatching(/^[A-Za-z0-9\-._/:]{0,30}$/)
        .map((uri): OtsAttestation => ({ kind: 'pending', uri })),
      fc
        .integer({ min: 0, max: 2 ** 28 })
        .map((height): OtsAttestation => ({ kind: 'bitcoin', height })),
      fc
        .integer({ min: 0, max: 2 ** 28 })
        .map((height): OtsAttestation => ({ kind: 'litecoin', height })),
      fc
        .record({ tag: fc.uint8Array({ minLength: 8, maxLength: 8 }), payload: fc.uint8Array() })
        .filter(
          ({ tag }) =>
            ![PENDING_TAG, BITCOIN_TAG, '06869a0d73d71b45', '30fe8087b5c7ead7'].includes(
              bytesToHex(tag),
            ),
        )
        .map(({ tag, payload }): OtsAttestation => ({ kind: 'unknown', tag, payload })),
    );
    // The ops the oracle also implements (its hexlify returns nothing, so it is left out).
    const oracleOp: fc.Arbitrary<OtsOp> = fc.oneof(
      fc.constantFrom<OtsOp>(
        { kind: 'sha1' },
        { kind: 'ripemd160' },
        { kind: 'sha256' },
        { kind: 'reverse' },
      ),
      fc
        .uint8Array({ minLength: 1, maxLength: 33 })
        .map((argument): OtsOp => ({ kind: 'append', argument })),
      fc
        .uint8Array({ minLength: 1, maxLength: 33 })
        .map((argument): OtsOp => ({ kind: 'prepend', argument })),
    );
    const anyOp: fc.Arbitrary<OtsOp> = fc.oneof(
      oracleOp,
      fc.constantFrom<OtsOp>({ kind: 'hexlify' }, { kind: 'keccak256' }),
    );
    const shapeOf = (op: fc.Arbitrary<OtsOp>): fc.Arbitrary<TreeShape> =>
      fc.letrec<{ node: TreeShape }>((tie) => ({
        node: fc.record({
          attestations: fc.array(attestation, { maxLength: 3 }),
          branches: fc.oneof(
            { depthSize: 'small', withCrossShrink: true },
            fc.constant([]),
            fc.array(fc.record({ op, child: tie('node') }), { maxLength: 3 }),
          ),
        }),
      })).node;

    /** The tree a shape describes; a branch whose op the limits refuse (hexlify twice over a long message) is dropped. */
    function build(message: Uint8Array, node: TreeShape): OtsTimestamp {
      const branches = node.branches.flatMap((branch) => {
        let result: Uint8Array;
        try {
          result = applyOtsOp(branch.op, message);
        } catch (error) {
          if (error instanceof OtsCodecError) return [];
          throw error;
        }
        return [{ op: branch.op, timestamp: build(result, branch.child) }];
      });
      const attestations: readonly OtsAttestation[] =
        node.attestations.length === 0 && branches.length === 0
          ? [{ kind: 'pending', uri: 'http://leaf' }]
          : node.attestations;
      return otsTimestamp(message, attestations, branches);
    }

    it('parse is the inverse of serialise for every op', () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 1, maxLength: 40 }),
          shapeOf(anyOp),
          (root, treeShape) => {
            const tree = build(root, treeShape);
            const bytes = serializeOtsTimestamp(tree);
            const reparsed = parseOtsTimestamp(bytes, root);
            expect(ourView(reparsed)).toEqual(ourView(tree));
            expect(bytesToHex(serializeOtsTimestamp(reparsed))).toBe(bytesToHex(bytes));
          },
        ),
        { numRuns: 300 },
      );
    });

    it('the oracle reads the same trees from what this codec writes', () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 1, maxLength: 40 }),
          shapeOf(oracleOp),
          (root, treeShape) => {
            const tree = build(root, treeShape);
            const bytes = serializeOtsTimestamp(tree);
            expect(oracleView(oracleParse(bytes, root))).toEqual(ourView(tree));
          },
        ),
        { numRuns: 300 },
      );
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe('Bitcoin block headers', () => {
  // Bitcoin's genesis block: a real header with real proof of work.
  const genesis = hex(
    '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c',
  );

  it('hashes, reads and checks the genesis header', () => {
    expect(displayOrderHex(bitcoinHeaderHash(genesis))).toBe(
      '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f',
    );
    expect(displayOrderHex(merkleRootOf(genesis))).toBe(
      '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b',
    );
    expect(checkProofOfWork(genesis)).toEqual({ ok: true });
    const tampered = genesis.slice();
    tampered[79] = (tampered[79] as number) ^ 1;
    expect(checkProofOfWork(tampered).ok).toBe(false);
  });

  it.each<[string, string]>([
    ['0x1d00ffff', 'ffff' + '0'.repeat(52)],
    ['0x207fffff', '7fffff' + '0'.repeat(58)],
    ['0x01003456', 'zero'],
    ['0x00123456', 'zero'],
    ['0x01fedcba', 'negative'],
    ['0x04923456', 'negative'],
    ['0xff123456', 'overflows'],
    ['0x22000100', 'overflows'],
    ['0x21010000', 'overflows'],
    ['0x2100ffff', 'above every'],
  ])('decodes nBits %s as Bitcoin Core does', (bits, expected) => {
    const decoded = targetFromCompactBits(Number(bits));
    if ('target' in decoded) expect(decoded.target.toString(16)).toBe(expected);
    else expect(decoded.problem).toContain(expected);
  });

  it('reads both headers-file formats and refuses broken ones', () => {
    const first = mineRegtestHeader(new Uint8Array(32), sha256(Uint8Array.of(1)), 1);
    const second = mineRegtestHeader(bitcoinHeaderHash(first), sha256(Uint8Array.of(2)), 2);
    const lines = `# regtest\n\n500 ${bytesToHex(first)}\n${bytesToHex(second)}\n`;
    const parsed = parseBlockHeadersFile(lines);
    expect([...parsed.keys()]).toEqual([500, 501]);
    expect(bytesToHex(parsed.get(501) as Uint8Array)).toBe(bytesToHex(second));
    const json = JSON.stringify([
      { height: 7, hex: bytesToHex(first) },
      { height: 9, hex: bytesToHex(second) },
    ]);
    expect([...parseBlockHeadersFile(json).keys()]).toEqual([7, 9]);

    const broken: [string, RegExp][] = [
      [`${bytesToHex(first)}\n`, /needs a height/],
      [`5 ${bytesToHex(first).slice(2)}\n`, /not 160 hex/],
      [`5 ${bytesToHex(second)}\n6 ${bytesToHex(first)}\n`, /does not build on/],
      [`5 ${bytesToHex(first)}\n5 ${bytesToHex(second)}\n`, /listed twice/],
      [`-5 ${bytesToHex(first)}\n`, /not a non-negative integer/],
      ['[{"height": 1}]', /not 160 hex/],
      ['[1, 2', /not valid JSON/],
    ];
    for (const [text, pattern] of broken) {
      expect(() => parseBlockHeadersFile(text)).toThrow(BlockHeadersFileError);
      expect(() => parseBlockHeadersFile(text)).toThrow(pattern);
    }
  });
});

// ---------------------------------------------------------------------------------------------

function listen(
  handler: Parameters<typeof createServer>[1],
): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }),
    ),
  );
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('calendar client against loopback calendars, end to end', () => {
  let calendarA: TestOtsCalendar;
  let calendarB: TestOtsCalendar;
  const servers: Server[] = [];

  beforeAll(async () => {
    calendarA = await startTestOtsCalendar({ firstHeight: 1000 });
    calendarB = await startTestOtsCalendar({ firstHeight: 2000 });
  });
  afterAll(async () => {
    await calendarA.close();
    await calendarB.close();
    await Promise.all(servers.map(closeServer));
  });

  async function fakeServer(handler: Parameters<typeof createServer>[1]): Promise<string> {
    const { url, server } = await listen(handler);
    servers.push(server);
    return url;
  }

  it('submits two heads to two calendars, stays pending until they mine, then verifies', async () => {
    const heads = [sha256(randomBytes(32)), sha256(randomBytes(32))];
    const submissions = await Promise.all(
      heads.map((head) => submitToCalendars([calendarA.url, calendarB.url], head)),
    );
    const anchors = submissions.map((submission, index) => {
      expect(submission.calendars).toEqual([calendarA.url, calendarB.url]);
      expect(submission.failures).toEqual([]);
      const tree = submission.timestamp as OtsTimestamp;
      expect(tree.branches).toHaveLength(2);
      const blob = serializeOtsTimestamp(tree);
      expectOracleAgrees(blob, heads[index] as Uint8Array);
      return { anchorId: index + 1, head: heads[index] as Uint8Array, tree, blob };
    });
    expect(calendarA.requests).toContain(`POST /digest ${bytesToHex(anchors[0]!.head)}`);

    for (const anchor of anchors) {
      expect(
        codes(
          verifyOtsAnchor({
            anchorId: anchor.anchorId,
            proofBlob: anchor.blob,
            chainHeadHash: bytesToHex(anchor.head),
            recordedHeight: null,
            confirmedAt: null,
            headers: null,
          }),
        ),
      ).toEqual(['ANCHOR_OTS_PENDING']);
      const before = await upgradePendingProof(anchor.tree);
      expect(before).toMatchObject({ upgraded: false, confirmed: false, failures: [] });
      expect(before.stillPending).toHaveLength(2);
    }

    expect(calendarA.confirm().height).toBe(1000);
    expect(calendarB.confirm().height).toBe(2000);
    const headers = parseBlockHeadersFile(
      calendarA.headersFileText() + calendarB.headersFileText(),
    );

    const confirmed = [];
    for (const anchor of anchors) {
      const upgrade = await upgradePendingProof(anchor.tree);
      expect(upgrade).toMatchObject({ upgraded: true, confirmed: true, failures: [] });
      expect(upgrade.stillPending).toEqual([]);
      const blob = serializeOtsTimestamp(upgrade.timestamp);
      expectOracleAgrees(blob, anchor.head);
      const heights = otsAttestationPaths(upgrade.timestamp).flatMap((path) =>
        path.attestation.kind === 'bitcoin' ? [path.attestation.height] : [],
      );
      expect(heights.sort()).toEqual([1000, 2000]);
      const input: OtsAnchorInput = {
        anchorId: anchor.anchorId,
        proofBlob: blob,
        chainHeadHash: bytesToHex(anchor.head),
        recordedHeight: Math.min(...heights),
        confirmedAt: '2026-11-23T00:00:00.000000Z',
        headers: blockHeaderSourceOf(headers),
      };
      expect(verifyOtsAnchor(input)).toEqual([]);
      expect(codes(verifyOtsAnchor({ ...input, headers: null }))).toEqual([
        'ANCHOR_OTS_HEADERS_MISSING',
      ]);
      confirmed.push({
        anchorId: anchor.anchorId,
        proofBlob: blob,
        chainHeadHash: input.chainHeadHash,
      });
    }
    expect(crossCheckOtsAnchors(confirmed)).toEqual([]);
    // Swapping the two confirmed proofs is caught by the headers, and by the cross-check alone.
    expect(
      codes(
        verifyOtsAnchor({
          anchorId: 2,
          proofBlob: confirmed[0]!.proofBlob,
          chainHeadHash: confirmed[1]!.chainHeadHash,
          recordedHeight: 1000,
          confirmedAt: '2026-11-23T00:00:00.000000Z',
          headers: blockHeaderSourceOf(headers),
        }),
      ),
    ).toEqual(['ANCHOR_OTS_INVALID', 'ANCHOR_OTS_INVALID']);
    expect(
      codes(
        crossCheckOtsAnchors([
          confirmed[0]!,
          { ...confirmed[0]!, anchorId: 2, chainHeadHash: confirmed[1]!.chainHeadHash },
        ]),
      ),
    ).toEqual(['ANCHOR_OTS_COMMITMENT_MISMATCH']);
  });

  it('reports a 404 as pending and an unreachable, slow, oversized or garbled calendar as failed', async () => {
    const commitment = sha256(randomBytes(8));
    expect(await fetchCalendarUpgrade(calendarA.url, commitment)).toMatchObject({
      status: 'pending',
    });
    const silent = await fakeServer(() => undefined);
    const oversized = await fakeServer((_request, response) => {
      response.writeHead(200).end(new Uint8Array(20_000));
    });
    const garbled = await fakeServer((_request, response) => {
      response.writeHead(200).end(Uint8Array.of(0x04, 0x00));
    });
    const refusing = await fakeServer((_request, response) => {
      response.writeHead(503).end('busy');
    });
    const closed = await fakeServer(() => undefined);
    await closeServer(servers.pop() as Server);

    const outcomes = await Promise.all(
      [silent, oversized, garbled, refusing, closed].map((url) =>
        fetchCalendarUpgrade(url, commitment, { timeoutMs: 300 }),
      ),
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'failed',
      'failed',
      'failed',
      'failed',
      'failed',
    ]);
    const reasons = outcomes.map((outcome) => ('reason' in outcome ? outcome.reason : ''));
    expect(reasons[0]).toMatch(/timed out/);
    expect(reasons[1]).toMatch(/10000-byte limit/);
    expect(reasons[2]).toMatch(/no valid timestamp: The proof has an unknown operation tag/);
    expect(reasons[3]).toMatch(/HTTP 503/);
    expect(reasons[4]).toMatch(/could not be reached/);

    const submission = await submitToCalendars([refusing, calendarA.url], commitment);
    expect(submission.calendars).toEqual([calendarA.url]);
    expect(submission.failures).toEqual([
      { calendarUrl: refusing, reason: `Calendar ${refusing} refused the digest with HTTP 503.` },
    ]);
    await expect(submitToCalendar('file:///etc/passwd', commitment)).rejects.toThrow(
      /not an http or https URL/,
    );
  });

  it('contacts only allowed calendars when the caller gives a whitelist', async () => {
    const digest = sha256(randomBytes(8));
    const tree = await submitToCalendar(calendarB.url, digest);
    const before = calendarB.requests.length;
    const upgrade = await upgradePendingProof(tree, { isCalendarAllowed: () => false });
    expect(calendarB.requests.length).toBe(before);
    expect(upgrade.failures[0]?.reason).toMatch(/not on the allowed list/);
  });

  it('prefetches headers from a Bitcoin Core RPC and from Esplora, checking each hash', async () => {
    const height = 812_345;
    const header = mineRegtestHeader(new Uint8Array(32), sha256(randomBytes(8)), 1_800_000_000);
    const blockHash = displayOrderHex(bitcoinHeaderHash(header));
    const impostor = mineRegtestHeader(new Uint8Array(32), new Uint8Array(32), 1);
    let lie = false;
    const headerHex = () => bytesToHex(lie ? impostor : header);

    const rpc = await fakeServer((request, response) => {
      if (request.headers.authorization !== `Basic ${btoa('user:secret')}`) {
        response.writeHead(401).end();
        return;
      }
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const { method, params } = JSON.parse(body) as { method: string; params: unknown[] };
        const answer =
          method !== 'getblockhash'
            ? { result: params[0] === blockHash ? headerHex() : null, error: null }
            : params[0] === height
              ? { result: blockHash, error: null }
              : { result: null, error: { code: -8, message: 'Block height out of range' } };
        response.writeHead(answer.error ? 500 : 200).end(JSON.stringify(answer));
      });
    });
    const esplora = await fakeServer((request, response) => {
      const url = request.url ?? '';
      if (url === `/block-height/${height}`) response.writeHead(200).end(blockHash);
      else if (url === `/block/${blockHash}/header`) response.writeHead(200).end(headerHex());
      else response.writeHead(404).end('Block not found');
    });

    for (const endpoint of [
      { kind: 'bitcoin-core-rpc', url: rpc, username: 'user', password: 'secret' } as const,
      { kind: 'esplora', url: `${esplora}/` } as const,
    ]) {
      lie = false;
      const source = await prefetchBlockHeaders(endpoint, [height, height + 7]);
      expect(bytesToHex(source.headerAt(height) as Uint8Array)).toBe(bytesToHex(header));
      expect(source.headerAt(height + 7)).toBeNull();
      lie = true;
      await expect(prefetchBlockHeaders(endpoint, [height])).rejects.toThrow(
        /does not hash to block/,
      );
    }
    await expect(
      prefetchBlockHeaders({ kind: 'bitcoin-core-rpc', url: rpc, username: 'user' }, [height]),
    ).rejects.toThrow(BlockHeaderFetchError);
  });
});
