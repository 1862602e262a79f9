/**
 * RFC 3161 anchors: the verifier against the tokens nexuscone stored in the shared fixtures (made
 * by a loopback `openssl ts` TSA under a throwaway CA), and the client plus verifier against a live
 * loopback `openssl ts -reply` TSA, including misbehaving TSAs, timeouts and proxies.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePemCertificates } from '../src-shared/anchors/pem';
import {
  verifyTimestampResponse,
  type TstVerification,
} from '../src-shared/anchors/rfc3161-verification';
import { ProofdeskError } from '../src-shared/check-code';
import {
  requestTimestamp,
  requestTimestampFromAny,
  TsaRequestError,
  TsaUnavailableError,
} from '../src-main/anchoring/tsa-client';
import { nexusconeFixture } from './support/ledger-fixtures';
import { describeWithFixtures, itWithFixtures } from './support/shared-fixtures';
import {
  createTestTsaPki,
  describeWithOpenssl,
  flipByte,
  startTestTsa,
  type TestTsa,
  type TestTsaPki,
  withoutProxyEnvironment,
} from './support/test-tsa';

interface StoredAnchor {
  readonly anchorId: number;
  readonly chainHeadHash: string;
  readonly tstBlob: Uint8Array;
  readonly tsaGenTime: string;
}

function storedAnchors(file: string): StoredAnchor[] {
  const db = new Database(nexusconeFixture(file), { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(
        'SELECT anchor_id, chain_head_hash, tst_blob, tsa_gen_time FROM anchors WHERE tst_blob IS NOT NULL ORDER BY anchor_id',
      )
      .all() as {
      anchor_id: number;
      chain_head_hash: string;
      tst_blob: Buffer;
      tsa_gen_time: string;
    }[];
    return rows.map((row) => ({
      anchorId: row.anchor_id,
      chainHeadHash: row.chain_head_hash,
      tstBlob: new Uint8Array(row.tst_blob),
      tsaGenTime: row.tsa_gen_time,
    }));
  } finally {
    db.close();
  }
}

const codes = (verification: TstVerification) => verification.findings.map((item) => item.code);
const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const HEAD = 'ab'.repeat(32);

describeWithFixtures('RFC 3161 tokens in the nexuscone fixtures', () => {
  const fixtureRoot = parsePemCertificates(
    readFileSync(nexusconeFixture('tsa_test_root_ca.pem'), 'utf8'),
    'tsa_test_root_ca.pem',
  );
  const fixtureLeaf = parsePemCertificates(
    readFileSync(nexusconeFixture('tsa_test_leaf.pem'), 'utf8'),
    'tsa_test_leaf.pem',
  );
  const anchors = storedAnchors('anchored_witnessed.db');
  const anchor = (id: number) => anchors.find((item) => item.anchorId === id) as StoredAnchor;

  it('verifies every stored tst_blob against the fixture root with no findings', async () => {
    expect(anchors.map((item) => item.anchorId)).toEqual([1, 2, 3]);
    for (const stored of anchors) {
      const verification = await verifyTimestampResponse({
        responseDer: stored.tstBlob,
        chainHeadHash: stored.chainHeadHash,
        trustRoots: fixtureRoot,
      });
      expect(verification.findings, `anchor ${stored.anchorId}`).toEqual([]);
      expect(verification.trustChecked).toBe(true);
      expect(verification.signerSubject).toBe(
        'C=GB, O=Proofdesk Fixture TEST ONLY, CN=Proofdesk Fixture Test TSA',
      );
      // nexuscone stores genTime with microseconds; the token's own genTime has whole seconds.
      expect(verification.genTime).toBe(new Date(stored.tsaGenTime).toISOString());
    }
    expect(
      (
        await verifyTimestampResponse({
          responseDer: anchor(1).tstBlob,
          chainHeadHash: anchor(1).chainHeadHash,
          trustRoots: fixtureRoot,
        })
      ).serialNumber,
    ).toBe('0x03e9');
  });

  it('reports exactly one ANCHOR_TSA_ROOTS_MISSING when no roots are supplied', async () => {
    for (const trustRoots of [null, []]) {
      for (const stored of anchors) {
        const verification = await verifyTimestampResponse({
          responseDer: stored.tstBlob,
          chainHeadHash: stored.chainHeadHash,
          trustRoots,
        });
        expect(codes(verification)).toEqual(['ANCHOR_TSA_ROOTS_MISSING']);
        expect(verification.findings[0]?.message).toMatch(/^no TSA trust roots were supplied/);
        expect(verification.trustChecked).toBe(false);
      }
    }
  });

  it('finds the flipped signature byte of the tampered fixture, and nothing about the imprint', async () => {
    const tampered = storedAnchors('tampered_anchored_tst_signature_flip.db');
    const flipped = tampered.find((item) => item.anchorId === 1) as StoredAnchor;
    expect(flipped.tstBlob).toEqual(flipByte(anchor(1).tstBlob, -1));
    const verification = await verifyTimestampResponse({
      responseDer: flipped.tstBlob,
      chainHeadHash: flipped.chainHeadHash,
      trustRoots: fixtureRoot,
    });
    expect(codes(verification)).toEqual(['ANCHOR_TSA_SIGNATURE_INVALID']);
    expect(verification.findings[0]?.message).toMatch(/^the CMS signature .* does not verify/);
    for (const stored of tampered.filter((item) => item.anchorId !== 1)) {
      const untouched = await verifyTimestampResponse({
        responseDer: stored.tstBlob,
        chainHeadHash: stored.chainHeadHash,
        trustRoots: fixtureRoot,
      });
      expect(untouched.findings).toEqual([]);
    }
  });

  it("reports ANCHOR_TSA_IMPRINT_MISMATCH for anchor 1's token checked against anchor 2's head", async () => {
    const verification = await verifyTimestampResponse({
      responseDer: anchor(1).tstBlob,
      chainHeadHash: anchor(2).chainHeadHash,
      trustRoots: fixtureRoot,
    });
    expect(verification.findings).toEqual([
      {
        code: 'ANCHOR_TSA_IMPRINT_MISMATCH',
        message: 'the timestamp’s message imprint is not SHA-256 of this anchor’s raw chain head',
        expected: sha256Hex(Buffer.from(anchor(2).chainHeadHash, 'hex')),
        actual: sha256Hex(Buffer.from(anchor(1).chainHeadHash, 'hex')),
      },
    ]);
  });

  it('catches a token whose imprint was rewritten to fit another head', async () => {
    const blob = Buffer.from(anchor(1).tstBlob);
    const from = Buffer.from(sha256Hex(Buffer.from(anchor(1).chainHeadHash, 'hex')), 'hex');
    const to = Buffer.from(sha256Hex(Buffer.from(anchor(2).chainHeadHash, 'hex')), 'hex');
    const at = blob.indexOf(from);
    expect(at).toBeGreaterThan(0);
    expect(blob.indexOf(from, at + 1)).toBe(-1);
    to.copy(blob, at);
    const verification = await verifyTimestampResponse({
      responseDer: new Uint8Array(blob),
      chainHeadHash: anchor(2).chainHeadHash,
      trustRoots: fixtureRoot,
    });
    expect(codes(verification)).toEqual(['ANCHOR_TSA_SIGNATURE_INVALID']);
    expect(verification.findings[0]?.message).toBe(
      'the signed messageDigest attribute is not the digest of the TSTInfo',
    );
  });

  it('reports a chain head that is not 64 lowercase hex as an imprint mismatch', async () => {
    const verification = await verifyTimestampResponse({
      responseDer: anchor(1).tstBlob,
      chainHeadHash: anchor(1).chainHeadHash.toUpperCase(),
      trustRoots: fixtureRoot,
    });
    expect(codes(verification)).toEqual(['ANCHOR_TSA_IMPRINT_MISMATCH']);
    expect(verification.findings[0]?.message).toMatch(/not 64 lowercase hex/);
  });

  it('reports ANCHOR_TSA_NONCE_MISMATCH when a nonce is expected from a token that has none', async () => {
    const verification = await verifyTimestampResponse({
      responseDer: anchor(1).tstBlob,
      chainHeadHash: anchor(1).chainHeadHash,
      trustRoots: fixtureRoot,
      expectedNonce: 42n,
    });
    expect(verification.findings).toEqual([
      expect.objectContaining({
        code: 'ANCHOR_TSA_NONCE_MISMATCH',
        expected: '42',
        actual: '(no nonce)',
      }),
    ]);
  });

  it('refuses the TSA certificate itself as a root', async () => {
    const verification = await verifyTimestampResponse({
      responseDer: anchor(1).tstBlob,
      chainHeadHash: anchor(1).chainHeadHash,
      trustRoots: fixtureLeaf,
    });
    expect(codes(verification)).toEqual(['ANCHOR_TSA_UNTRUSTED']);
    expect(verification.findings[0]?.message).toMatch(/was itself supplied as a root/);
    expect(verification.trustChecked).toBe(true);
  });

  it('reports garbage, truncated, padded and refused responses as ANCHOR_TSA_MALFORMED only', async () => {
    const blob = anchor(1).tstBlob;
    const cases: [string, Uint8Array][] = [
      ['empty', new Uint8Array()],
      ['garbage', new Uint8Array(Buffer.from('this is not DER at all'))],
      ['truncated', blob.subarray(0, blob.length - 40)],
      ['trailing bytes', Uint8Array.from([...blob, 0])],
      ['a TimeStampReq instead', Buffer.from('3003020101', 'hex')],
      ['status rejection', Buffer.from('30053003020102', 'hex')],
      ['granted without a token', Buffer.from('30053003020100', 'hex')],
    ];
    for (const [name, responseDer] of cases) {
      const verification = await verifyTimestampResponse({
        responseDer,
        chainHeadHash: anchor(1).chainHeadHash,
        trustRoots: fixtureRoot,
      });
      expect(codes(verification), name).toEqual(['ANCHOR_TSA_MALFORMED']);
      expect(verification.findings[0]?.message, name).toMatch(/^the /);
      expect(verification.genTime, name).toBeNull();
      expect(verification.trustChecked, name).toBe(false);
    }
    const rejected = await verifyTimestampResponse({
      responseDer: Buffer.from('30053003020102', 'hex'),
      chainHeadHash: HEAD,
      trustRoots: null,
    });
    expect(rejected.findings[0]?.message).toBe(
      'the TSA did not grant the timestamp: status rejection',
    );
  });

  it('throws a USAGE error for a trust root that is not a certificate', async () => {
    await expect(
      verifyTimestampResponse({
        responseDer: anchor(1).tstBlob,
        chainHeadHash: anchor(1).chainHeadHash,
        trustRoots: [fixtureRoot[0] as Uint8Array, new Uint8Array([0x30, 0x00])],
      }),
    ).rejects.toMatchObject({
      code: 'USAGE',
      message: 'TSA trust root 2 is not a DER X.509 certificate.',
    });
  });

  it('reads PEM certificates and refuses files that hold none', () => {
    const pem = readFileSync(nexusconeFixture('tsa_test_root_ca.pem'), 'utf8');
    const base64 = pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, '');
    expect(fixtureRoot).toEqual([new Uint8Array(Buffer.from(base64, 'base64'))]);
    const bundle = `junk before\n${pem}\n-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n${readFileSync(nexusconeFixture('tsa_test_leaf.pem'), 'utf8')}`;
    expect(parsePemCertificates(bundle, 'bundle.pem')).toEqual([...fixtureRoot, ...fixtureLeaf]);

    const refusals: [string, string][] = [
      ['', 'roots.pem contains no PEM certificate (no -----BEGIN CERTIFICATE----- block).'],
      ['-----BEGIN CERTIFICATE-----\nMIIB\n', 'roots.pem has a BEGIN CERTIFICATE line without its matching END line.'],
      ['-----BEGIN CERTIFICATE-----\nMI*B\n-----END CERTIFICATE-----', 'Certificate 1 in roots.pem is not valid base64.'],
      ['-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----', 'Certificate 1 in roots.pem is not a DER X.509 certificate.'],
      ['-----BEGIN CERTIFICATE-----\nMAA=\n-----END PRIVATE KEY-----', 'roots.pem has a PEM block that begins as CERTIFICATE but ends as PRIVATE KEY.'],
    ]; // prettier-ignore
    for (const [text, message] of refusals) {
      let thrown: unknown;
      try {
        parsePemCertificates(text, 'roots.pem');
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ProofdeskError);
      expect(thrown).toMatchObject({ code: 'USAGE', message });
    }
  });
});

/** A forwarding proxy that understands CONNECT (undici's default) and absolute-form requests. */
async function startProxy(): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const server: Server = createServer((request, response) => {
    seen.push(`${request.method ?? ''} ${request.url ?? ''}`);
    const upstream = httpRequest(
      request.url ?? '',
      { method: request.method, headers: request.headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => response.writeHead(502).end());
    request.pipe(upstream);
  });
  server.on('connect', (request, client, head) => {
    seen.push(`CONNECT ${request.url ?? ''}`);
    const [host = '', port = ''] = (request.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describeWithOpenssl('RFC 3161 against a loopback openssl TSA', () => {
  withoutProxyEnvironment();
  let pki: TestTsaPki;
  let good: TestTsa;
  let other: TestTsa;
  const options = { timeoutMs: 10_000 };

  beforeAll(async () => {
    pki = await createTestTsaPki();
    good = await startTestTsa(pki, 'good');
    other = await startTestTsa(pki, 'good');
  });

  afterAll(async () => {
    await good?.close();
    await other?.close();
    await pki?.dispose();
  });

  async function withBehaviour<T>(
    tsa: TestTsa,
    behaviour: TestTsa['behaviour'],
    fn: () => Promise<T>,
  ): Promise<T> {
    tsa.behaviour = behaviour;
    try {
      return await fn();
    } finally {
      tsa.behaviour = 'good';
    }
  }

  it('round-trips a timestamp that verifies with the test CA as root', async () => {
    const before = good.requests.length;
    const timestamp = await requestTimestamp(good.url, HEAD, options);
    const sent = good.requests[before];
    expect(sent?.contentType).toBe('application/timestamp-query');
    // TimeStampReq v1 with a SHA-256 imprint (NULL parameters) of the raw head, nonce, certReq.
    const imprint = sha256Hex(Buffer.from(HEAD, 'hex'));
    expect(Buffer.from(sent?.body ?? []).toString('hex')).toMatch(
      new RegExp(`^30..0201013031300d060960864801650304020105000420${imprint}02..[0-9a-f]+0101ff$`),
    );

    const verification = await verifyTimestampResponse({
      responseDer: timestamp.responseDer,
      chainHeadHash: HEAD,
      trustRoots: [pki.ca.der],
      expectedNonce: timestamp.nonce,
    });
    expect(verification.findings).toEqual([]);
    expect(verification.trustChecked).toBe(true);
    expect(verification.genTime).toBe(timestamp.genTime);
    expect(verification.signerSubject).toBe(
      'C=GB, O=Proofdesk Loopback TSA TEST ONLY, CN=Proofdesk Loopback TSA',
    );
    expect(Math.abs(Date.parse(timestamp.genTime) - Date.now())).toBeLessThan(60_000);
    expect(timestamp.nonce).toBeGreaterThanOrEqual(0n);
    expect(timestamp.nonce).toBeLessThan(1n << 64n);

    // The same token under the CA's PEM text, as a user would supply it.
    const fromPem = parsePemCertificates(pki.ca.pem, 'ca.pem');
    expect(
      (
        await verifyTimestampResponse({
          responseDer: timestamp.responseDer,
          chainHeadHash: HEAD,
          trustRoots: fromPem,
        })
      ).findings,
    ).toEqual([]);
  });

  it('reports ANCHOR_TSA_NONCE_MISMATCH for another expected nonce', async () => {
    const timestamp = await requestTimestamp(good.url, HEAD, options);
    const verification = await verifyTimestampResponse({
      responseDer: timestamp.responseDer,
      chainHeadHash: HEAD,
      trustRoots: [pki.ca.der],
      expectedNonce: timestamp.nonce + 1n,
    });
    expect(verification.findings).toEqual([
      {
        code: 'ANCHOR_TSA_NONCE_MISMATCH',
        message: 'the timestamp’s nonce is not the one the request sent',
        expected: (timestamp.nonce + 1n).toString(),
        actual: timestamp.nonce.toString(),
      },
    ]);
  });

  it('reports ANCHOR_TSA_UNTRUSTED for a TSA certificate whose timeStamping usage is not critical', async () => {
    const timestamp = await withBehaviour(good, 'eku-not-critical', () =>
      requestTimestamp(good.url, HEAD, options),
    );
    const verification = await verifyTimestampResponse({
      responseDer: timestamp.responseDer,
      chainHeadHash: HEAD,
      trustRoots: [pki.ca.der],
      expectedNonce: timestamp.nonce,
    });
    expect(verification.findings).toEqual([
      {
        code: 'ANCHOR_TSA_UNTRUSTED',
        message:
          '"C=GB, O=Proofdesk Loopback TSA TEST ONLY, CN=Proofdesk Loopback TSA" has the timeStamping extended key usage, but not marked critical as RFC 3161 requires',
        expected: 'a critical extendedKeyUsage of timeStamping only',
        actual: 'a non-critical extendedKeyUsage of timeStamping',
      },
    ]);
  });

  it('reports ANCHOR_TSA_UNTRUSTED for a TSA under another CA, and passes with that CA', async () => {
    const timestamp = await withBehaviour(good, 'other-ca', () =>
      requestTimestamp(good.url, HEAD, options),
    );
    const input = { responseDer: timestamp.responseDer, chainHeadHash: HEAD };
    const untrusted = await verifyTimestampResponse({ ...input, trustRoots: [pki.ca.der] });
    expect(codes(untrusted)).toEqual(['ANCHOR_TSA_UNTRUSTED']);
    expect(untrusted.findings[0]?.message).toMatch(
      /^"C=GB, O=Proofdesk Loopback TSA TEST ONLY, CN=Proofdesk Loopback TSA Under Unrelated CA" does not chain to a supplied TSA root at genTime/,
    );
    const trusted = await verifyTimestampResponse({
      ...input,
      trustRoots: [pki.ca.der, pki.otherCa.der],
    });
    expect(trusted.findings).toEqual([]);
  });

  it('reports ANCHOR_TSA_UNTRUSTED once when genTime is outside the TSA certificate validity', async () => {
    const timestamp = await withBehaviour(good, 'expired-cert', () =>
      requestTimestamp(good.url, HEAD, options),
    );
    const verification = await verifyTimestampResponse({
      responseDer: timestamp.responseDer,
      chainHeadHash: HEAD,
      trustRoots: [pki.ca.der],
    });
    expect(verification.findings).toEqual([
      {
        code: 'ANCHOR_TSA_UNTRUSTED',
        message:
          'the timestamp’s genTime lies outside the validity period of "C=GB, O=Proofdesk Loopback TSA TEST ONLY, CN=Proofdesk Loopback TSA"',
        expected: '2020-01-01T00:00:00.000Z to 2021-01-01T00:00:00.000Z',
        actual: timestamp.genTime,
      },
    ]);
  });

  it('reports ANCHOR_TSA_SIGNATURE_INVALID for a token whose signed attributes do not name the signer certificate', async () => {
    // requestTimestamp itself refuses such a token, so the test TSA's answer is fetched raw.
    good.behaviour = 'no-ess-cert-id';
    let responseDer: Uint8Array;
    try {
      const error = await requestTimestamp(good.url, HEAD, options).catch(
        (thrown: unknown) => thrown,
      );
      expect(error).toMatchObject({ reason: 'refused' });
      const response = await fetch(good.url, {
        method: 'POST',
        headers: { 'content-type': 'application/timestamp-query' },
        body: Buffer.from(good.requests[good.requests.length - 1]?.body ?? []),
      });
      responseDer = new Uint8Array(await response.arrayBuffer());
    } finally {
      good.behaviour = 'good';
    }
    const verification = await verifyTimestampResponse({
      responseDer,
      chainHeadHash: HEAD,
      trustRoots: [pki.ca.der],
    });
    expect(verification.findings).toEqual([
      {
        code: 'ANCHOR_TSA_SIGNATURE_INVALID',
        message:
          'the signed attributes carry no readable signingCertificate(V2) naming the signer certificate',
        expected: 'an ESS signingCertificate or signingCertificateV2 attribute',
        actual: '(missing)',
      },
    ]);
  });

  itWithFixtures(
    'reports ANCHOR_TSA_UNTRUSTED for the fixture TSA leaf against a different root',
    async () => {
      const [stored] = storedAnchors('anchored_witnessed.db');
      const verification = await verifyTimestampResponse({
        responseDer: (stored as StoredAnchor).tstBlob,
        chainHeadHash: (stored as StoredAnchor).chainHeadHash,
        trustRoots: [pki.ca.der],
      });
      expect(codes(verification)).toEqual(['ANCHOR_TSA_UNTRUSTED']);
      expect(verification.findings[0]).toMatchObject({
        message: expect.stringMatching(/does not chain to a supplied TSA root/) as unknown,
        expected:
          'a path to one of "C=GB, O=Proofdesk Loopback TSA TEST ONLY, CN=Proofdesk Loopback Root CA"',
        actual:
          'issued by "C=GB, O=Proofdesk Fixture TEST ONLY, CN=Proofdesk Fixture Test Root CA"',
      });
    },
  );

  it('refuses answers that do not verify, so they are never stored', async () => {
    const refusal = async (behaviour: TestTsa['behaviour']) =>
      withBehaviour(good, behaviour, () =>
        requestTimestamp(good.url, HEAD, options).then(
          () => null,
          (error: unknown) => error,
        ),
      );
    const flipped = await refusal('flip-signature');
    expect(flipped).toBeInstanceOf(TsaRequestError);
    expect(flipped).toMatchObject({
      reason: 'refused',
      message: expect.stringMatching(
        /^http:\/\/127\.0\.0\.1:\d+\/tsr returned a timestamp that fails verification \(ANCHOR_TSA_SIGNATURE_INVALID\): the CMS signature .*\.$/,
      ) as unknown,
    });
    expect(await refusal('garbage')).toMatchObject({
      reason: 'refused',
      message: expect.stringContaining('(ANCHOR_TSA_MALFORMED)') as unknown,
    });
    expect(await refusal('wrong-content-type')).toMatchObject({
      reason: 'content-type',
      message: `${good.url} answered with content type text/html, not application/timestamp-reply.`,
    });
    expect(await refusal('http-503')).toMatchObject({
      reason: 'http-status',
      message: `${good.url} answered HTTP 503 instead of a timestamp.`,
    });
  });

  it('falls through a 503 TSA and a garbage TSA to a good one', async () => {
    const failing = await startTestTsa(pki, 'http-503');
    const garbage = await startTestTsa(pki, 'garbage');
    try {
      const result = await requestTimestampFromAny(
        [failing.url, garbage.url, good.url, other.url],
        HEAD,
        options,
      );
      expect(result.url).toBe(good.url);
      expect(result.failures).toEqual([
        {
          url: failing.url,
          reason: 'http-status',
          message: `${failing.url} answered HTTP 503 instead of a timestamp.`,
        },
        {
          url: garbage.url,
          reason: 'refused',
          message: expect.stringMatching(
            /returned a timestamp that fails verification \(ANCHOR_TSA_MALFORMED\)/,
          ) as unknown,
        },
      ]);
      expect(failing.requests).toHaveLength(1);
      expect(garbage.requests).toHaveLength(1);
      expect(other.requests).toHaveLength(0);
      const verification = await verifyTimestampResponse({
        responseDer: result.responseDer,
        chainHeadHash: HEAD,
        trustRoots: [pki.ca.der],
        expectedNonce: result.nonce,
      });
      expect(verification.findings).toEqual([]);

      const allFailed = await requestTimestampFromAny(
        [failing.url, garbage.url],
        HEAD,
        options,
      ).catch((error: unknown) => error);
      expect(allFailed).toBeInstanceOf(TsaUnavailableError);
      expect((allFailed as TsaUnavailableError).failures.map((item) => item.reason)).toEqual([
        'http-status',
        'refused',
      ]);
      expect((allFailed as Error).message).toMatch(/^No TSA returned a usable timestamp: .*\.$/);
    } finally {
      await failing.close();
      await garbage.close();
    }
  });

  it('gives up on a slow TSA with one clear sentence, and falls through to the next', async () => {
    const slow = await startTestTsa(pki, 'slow');
    slow.delayMs = 5_000;
    try {
      const started = Date.now();
      const error = await requestTimestamp(slow.url, HEAD, { timeoutMs: 300 }).catch(
        (thrown: unknown) => thrown,
      );
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(error).toBeInstanceOf(TsaRequestError);
      expect(error).toMatchObject({
        reason: 'timeout',
        message: `${slow.url} did not answer within 300 ms.`,
      });
      const result = await requestTimestampFromAny([slow.url, good.url], HEAD, { timeoutMs: 300 });
      expect(result.url).toBe(good.url);
      expect(result.failures.map((item) => item.reason)).toEqual(['timeout']);
    } finally {
      await slow.close();
    }
  });

  it('stops at once when the caller cancels', async () => {
    const slow = await startTestTsa(pki, 'slow');
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const error = await requestTimestampFromAny([slow.url, good.url], HEAD, {
        timeoutMs: 10_000,
        signal: controller.signal,
      }).catch((thrown: unknown) => thrown);
      expect(error).toMatchObject({ code: 'CANCELLED', message: 'Timestamping was cancelled.' });
    } finally {
      await slow.close();
    }
  });

  it('reports an unreachable TSA and refuses malformed input with one sentence', async () => {
    const closed = await startTestTsa(pki, 'good');
    await closed.close();
    await expect(requestTimestamp(closed.url, HEAD, options)).rejects.toMatchObject({
      reason: 'network',
      message: expect.stringMatching(
        /^http:\/\/127\.0\.0\.1:\d+\/tsr could not be reached: .+\.$/,
      ) as unknown,
    });
    await expect(requestTimestamp(good.url, HEAD.toUpperCase(), options)).rejects.toMatchObject({
      code: 'USAGE',
      message: 'The chain head to timestamp is not 64 lowercase hex.',
    });
    await expect(requestTimestamp('ftp://example.test/tsr', HEAD, options)).rejects.toMatchObject({
      code: 'USAGE',
      message: 'The TSA URL "ftp://example.test/tsr" is not an http or https URL.',
    });
    await expect(requestTimestamp(good.url, HEAD, { timeoutMs: 0 })).rejects.toMatchObject({
      code: 'USAGE',
      message: 'The TSA timeout must be a positive whole number of milliseconds.',
    });
    await expect(requestTimestampFromAny([], HEAD, options)).rejects.toMatchObject({
      code: 'USAGE',
    });
  });

  it('goes through an explicit proxy', async () => {
    const proxy = await startProxy();
    try {
      const timestamp = await requestTimestamp(good.url, HEAD, {
        ...options,
        proxyUrl: proxy.url,
      });
      expect(proxy.seen).toEqual([`CONNECT 127.0.0.1:${good.port}`]);
      const verification = await verifyTimestampResponse({
        responseDer: timestamp.responseDer,
        chainHeadHash: HEAD,
        trustRoots: [pki.ca.der],
        expectedNonce: timestamp.nonce,
      });
      expect(verification.findings).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('follows HTTP_PROXY and NO_PROXY from the environment', async () => {
    const proxy = await startProxy();
    try {
      process.env.HTTP_PROXY = proxy.url;
      await requestTimestamp(good.url, HEAD, options);
      expect(proxy.seen).toEqual([`CONNECT 127.0.0.1:${good.port}`]);

      process.env.NO_PROXY = '127.0.0.1';
      await requestTimestamp(good.url, HEAD, options);
      expect(proxy.seen).toHaveLength(1);
    } finally {
      delete process.env.HTTP_PROXY;
      delete process.env.NO_PROXY;
      await proxy.close();
    }
  });
});

describe('flipByte', () => {
  it('flips one byte of a copy, counting negative indexes from the end', () => {
    const bytes = Uint8Array.of(1, 2, 3);
    expect(flipByte(bytes, -1)).toEqual(Uint8Array.of(1, 2, 2));
    expect(flipByte(bytes, 0, 0xff)).toEqual(Uint8Array.of(0xfe, 2, 3));
    expect(bytes).toEqual(Uint8Array.of(1, 2, 3));
    expect(() => flipByte(bytes, 3)).toThrow(RangeError);
  });
});
