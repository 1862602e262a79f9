/**
 * A real RFC 3161 TSA on 127.0.0.1 for tests: `openssl ts -reply` answers the queries, with a
 * throwaway CA and TSA certificates made by `openssl req` / `openssl x509` at startup, so the
 * client and verifier are tested against an independent implementation rather than against
 * themselves. Behaviours make it misbehave the ways real TSAs and networks do.
 */
import { describeWhenAvailable, itWhenAvailable } from './requirements';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';

const run = promisify(execFile);

function opensslVersion(): string | null {
  try {
    return execFileSync('openssl', ['version'], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

/** `openssl version`, or null when no openssl is on PATH (checked once, at load). */
export const opensslAvailable: string | null = opensslVersion();

/** `describe` when openssl is on PATH: the loopback TSA is built on `openssl ts -reply`. */
export function describeWithOpenssl(name: string, fn: () => void): void {
  describeWhenAvailable(name, opensslAvailable === null ? 'openssl is not on PATH' : null, fn);
}

/** `it` for a test that needs openssl; see itWhenAvailable. */
export const itWithOpenssl = itWhenAvailable(opensslAvailable !== null);

/** A copy of `bytes` with the byte at `index` (negative counts from the end) XORed with `mask`. */
export function flipByte(bytes: Uint8Array, index: number, mask = 0x01): Uint8Array {
  const copy = new Uint8Array(bytes);
  const at = index < 0 ? copy.length + index : index;
  if (at < 0 || at >= copy.length) throw new RangeError(`no byte ${index} in ${copy.length} bytes`);
  copy[at] = (copy[at] as number) ^ mask;
  return copy;
}

export interface TestCertificate {
  readonly pem: string;
  readonly der: Uint8Array;
}

/** The throwaway PKI: two unrelated CAs and TSA certificates under them. */
export interface TestTsaPki {
  readonly dir: string;
  readonly configPath: string;
  /** The CA that certifies the `good` and `eku-not-critical` TSAs: the trust root for tests. */
  readonly ca: TestCertificate;
  /** An unrelated CA with its own, otherwise correct, TSA certificate. */
  readonly otherCa: TestCertificate;
  /** Under `ca`: critical extendedKeyUsage timeStamping. */
  readonly tsa: TestCertificate;
  /** Under `ca`, same key as `tsa`, but its timeStamping extendedKeyUsage is not critical. */
  readonly tsaEkuNotCritical: TestCertificate;
  /** Under `otherCa`. */
  readonly otherTsa: TestCertificate;
  /** Under `ca`, same key as `tsa`, valid only during 2020 (issued with `openssl ca`). */
  readonly tsaExpired: TestCertificate;
  dispose(): Promise<void>;
}

const SUBJECT_PREFIX = '/C=GB/O=Proofdesk Loopback TSA TEST ONLY';

function opensslConfig(dir: string): string {
  const tsaSection = (name: string, cert: string, key: string, chain: string): string => `
[ ${name} ]
dir = ${dir}
serial = $dir/serial-${name}
crypto_device = builtin
signer_cert = $dir/${cert}
certs = $dir/${chain}
signer_key = $dir/${key}
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.3161.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`;
  return `[ req ]
distinguished_name = req_dn
prompt = no

[ req_dn ]
CN = unused

[ v3_ca ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ tsa_leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ tsa_leaf_eku_not_critical ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

# openssl x509 can only start a certificate now; openssl ca can back-date it.
[ ca_backdating ]
database = ${dir}/ca-index.txt
new_certs_dir = ${dir}
certificate = ${dir}/ca.pem
private_key = ${dir}/ca.key
serial = ${dir}/ca-serial
default_md = sha256
policy = policy_any
unique_subject = no

[ policy_any ]
commonName = supplied

[ tsa ]
default_tsa = tsa_good
${tsaSection('tsa_good', 'tsa.pem', 'tsa.key', 'ca.pem')}
${tsaSection('tsa_other', 'other-tsa.pem', 'other-tsa.key', 'other-ca.pem')}
${tsaSection('tsa_expired', 'tsa-expired.pem', 'tsa.key', 'ca.pem')}`;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  try {
    await run('openssl', args, { cwd: dir });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl ${args[0] ?? ''} failed: ${stderr.trim() || String(error)}`, {
      cause: error,
    });
  }
}

async function readCertificate(path: string): Promise<TestCertificate> {
  const pem = await readFile(path, 'utf8');
  const base64 = pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, '');
  return { pem, der: new Uint8Array(Buffer.from(base64, 'base64')) };
}

/** Makes the CAs and TSA certificates (EC P-256) in a fresh temp dir. */
export async function createTestTsaPki(): Promise<TestTsaPki> {
  const dir = await mkdtemp(join(tmpdir(), 'proofdesk-test-tsa-'));
  const configPath = join(dir, 'openssl.cnf');
  await writeFile(configPath, opensslConfig(dir));
  await writeFile(join(dir, 'ca-index.txt'), '');
  await writeFile(join(dir, 'ca-serial'), '3001\n');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

  const makeCa = (name: string, cn: string, serial: string) =>
    // prettier-ignore
    openssl(dir, [
      'req', '-x509', '-new', ...ec, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-subj',
      `${SUBJECT_PREFIX}/CN=${cn}`, '-days', '3650', '-set_serial', serial, '-config', configPath,
      '-extensions', 'v3_ca',
    ]);
  const issue = (csr: string, out: string, ca: string, extensions: string, serial: string) =>
    // prettier-ignore
    openssl(dir, [
      'x509', '-req', '-in', csr, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-set_serial',
      serial, '-days', '3650', '-extfile', configPath, '-extensions', extensions, '-out', out,
    ]);
  const request = (name: string, cn: string) =>
    // prettier-ignore
    openssl(dir, [
      'req', '-new', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj',
      `${SUBJECT_PREFIX}/CN=${cn}`, '-config', configPath,
    ]);

  await Promise.all([
    makeCa('ca', 'Proofdesk Loopback Root CA', '0x1001'),
    makeCa('other-ca', 'Proofdesk Loopback Unrelated CA', '0x5001'),
    request('tsa', 'Proofdesk Loopback TSA'),
    request('other-tsa', 'Proofdesk Loopback TSA Under Unrelated CA'),
  ]);
  await Promise.all([
    issue('tsa.csr', 'tsa.pem', 'ca', 'tsa_leaf', '0x2001'),
    issue('tsa.csr', 'tsa-eku-not-critical.pem', 'ca', 'tsa_leaf_eku_not_critical', '0x2002'),
    issue('other-tsa.csr', 'other-tsa.pem', 'other-ca', 'tsa_leaf', '0x6001'),
    // prettier-ignore
    openssl(dir, [
      'ca', '-batch', '-config', configPath, '-name', 'ca_backdating', '-preserveDN', '-notext',
      '-startdate', '20200101000000Z', '-enddate', '20210101000000Z', '-extfile', configPath,
      '-extensions', 'tsa_leaf', '-in', 'tsa.csr', '-out', 'tsa-expired.pem',
    ]),
  ]);
  const [ca, otherCa, tsa, tsaEkuNotCritical, otherTsa, tsaExpired] = await Promise.all(
    ['ca', 'other-ca', 'tsa', 'tsa-eku-not-critical', 'other-tsa', 'tsa-expired'].map((name) =>
      readCertificate(join(dir, `${name}.pem`)),
    ),
  );
  return {
    dir,
    configPath,
    ca: ca as TestCertificate,
    otherCa: otherCa as TestCertificate,
    tsa: tsa as TestCertificate,
    tsaEkuNotCritical: tsaEkuNotCritical as TestCertificate,
    otherTsa: otherTsa as TestCertificate,
    tsaExpired: tsaExpired as TestCertificate,
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

export type TestTsaBehaviour =
  /** `openssl ts -reply` signing with the TSA certificate under `pki.ca`. */
  | 'good'
  /** Signed by the TSA certificate under the unrelated CA. */
  | 'other-ca'
  /**
   * openssl's TSA refuses to sign with a certificate whose timeStamping usage is not critical, so
   * this takes openssl's TSTInfo and re-signs it with `openssl cms -sign -cades` (which adds the
   * ESS signingCertificateV2 attribute) using that certificate: a correct token in every other
   * respect.
   */
  | 'eku-not-critical'
  /** Re-signed as above with the good certificate, but without -cades: no ESS signingCertificate. */
  | 'no-ess-cert-id'
  /** `openssl ts -reply` signing with the certificate valid only during 2020. */
  | 'expired-cert'
  /** A good response with its last byte (inside the ECDSA signature) flipped. */
  | 'flip-signature'
  /** 200 application/timestamp-reply with random bytes. */
  | 'garbage'
  /** 200 with a good response body but Content-Type text/html. */
  | 'wrong-content-type'
  /** HTTP 503, as an overloaded TSA answers. */
  | 'http-503'
  /** Answers like `good`, but only after `delayMs`. */
  | 'slow';

export interface TestTsaRequest {
  readonly method: string;
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: Uint8Array;
}

export interface TestTsa {
  /** http://127.0.0.1:<port>/tsr */
  readonly url: string;
  readonly port: number;
  readonly requests: readonly TestTsaRequest[];
  behaviour: TestTsaBehaviour;
  delayMs: number;
  close(): Promise<void>;
}

function derLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** TimeStampResp { status granted, token } around a DER TimeStampToken (ContentInfo). */
function grantedResponse(token: Uint8Array): Uint8Array {
  const status = Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00);
  const content = Buffer.concat([status, token]);
  return Buffer.concat([Uint8Array.of(0x30), derLength(content.length), content]);
}

/** Starts one TSA on 127.0.0.1 with its own port; several can share one PKI. */
export async function startTestTsa(
  pki: TestTsaPki,
  behaviour: TestTsaBehaviour = 'good',
): Promise<TestTsa> {
  const requests: TestTsaRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let sequence = 0;
  // openssl ts -reply increments a serial file, so replies are made one at a time.
  let queue: Promise<unknown> = Promise.resolve();

  const reply = (query: Uint8Array, section: `tsa_${'good' | 'other' | 'expired'}`) => {
    const next = queue.then(async (): Promise<Uint8Array> => {
      const id = `${process.pid}-${++sequence}`;
      const queryPath = join(pki.dir, `query-${id}.tsq`);
      const replyPath = join(pki.dir, `reply-${id}.tsr`);
      await writeFile(queryPath, query);
      // prettier-ignore
      await openssl(pki.dir, [
        'ts', '-reply', '-config', pki.configPath, '-section', section, '-queryfile', queryPath,
        '-out', replyPath,
      ]);
      return new Uint8Array(await readFile(replyPath));
    });
    queue = next.catch(() => undefined);
    return next;
  };

  const resign = async (query: Uint8Array, signer: string, cades: boolean) => {
    const good = await reply(query, 'tsa_good');
    const id = `${process.pid}-${++sequence}`;
    const path = (name: string) => join(pki.dir, `${name}-${id}`);
    await writeFile(path('good.tsr'), good);
    // prettier-ignore
    await openssl(pki.dir, [
      'ts', '-reply', '-in', path('good.tsr'), '-token_out', '-out', path('good.tst'),
    ]);
    // prettier-ignore
    await openssl(pki.dir, [
      'cms', '-verify', '-noverify', '-inform', 'DER', '-in', path('good.tst'), '-out',
      path('tstinfo.der'),
    ]);
    // prettier-ignore
    await openssl(pki.dir, [
      'cms', '-sign', '-binary', '-nodetach', ...(cades ? ['-cades'] : []), '-nosmimecap',
      '-md', 'sha256', '-econtent_type', 'id-smime-ct-TSTInfo', '-signer', signer, '-inkey',
      'tsa.key', '-certfile', 'ca.pem', '-in', path('tstinfo.der'), '-outform', 'DER', '-out',
      path('resigned.tst'),
    ]);
    return grantedResponse(new Uint8Array(await readFile(path('resigned.tst'))));
  };

  const answer = async (request: IncomingMessage, response: ServerResponse, body: Uint8Array) => {
    if (request.method !== 'POST' || request.url !== '/tsr') {
      response.writeHead(404).end();
      return;
    }
    const send = (bytes: Uint8Array, contentType = 'application/timestamp-reply') => {
      response.writeHead(200, { 'content-type': contentType, 'content-length': bytes.length });
      response.end(bytes);
    };
    switch (tsa.behaviour) {
      case 'http-503':
        response.writeHead(503, { 'content-type': 'text/plain' }).end('overloaded');
        return;
      case 'garbage':
        send(randomBytes(64));
        return;
      case 'good':
        send(await reply(body, 'tsa_good'));
        return;
      case 'other-ca':
        send(await reply(body, 'tsa_other'));
        return;
      case 'eku-not-critical':
        send(await resign(body, 'tsa-eku-not-critical.pem', true));
        return;
      case 'no-ess-cert-id':
        send(await resign(body, 'tsa.pem', false));
        return;
      case 'expired-cert':
        send(await reply(body, 'tsa_expired'));
        return;
      case 'flip-signature':
        send(flipByte(await reply(body, 'tsa_good'), -1));
        return;
      case 'wrong-content-type':
        send(await reply(body, 'tsa_good'), 'text/html');
        return;
      case 'slow': {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            timers.delete(timer);
            resolve();
          }, tsa.delayMs);
          timers.add(timer);
        });
        if (!response.destroyed) send(await reply(body, 'tsa_good'));
        return;
      }
    }
  };

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = new Uint8Array(Buffer.concat(chunks));
      requests.push({
        method: request.method ?? '',
        path: request.url ?? '',
        contentType: request.headers['content-type'],
        body,
      });
      answer(request, response, body).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(error instanceof Error ? error.message : String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const tsa: TestTsa = {
    url: `http://127.0.0.1:${port}/tsr`,
    port,
    requests,
    behaviour,
    delayMs: 5_000,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return tsa;
}

const PROXY_VARIABLES = [
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'ALL_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
];

/**
 * Clears the machine's proxy settings for one describe block, so loopback servers are reached
 * directly (here and in CLI subprocesses, which inherit them), and restores them after it.
 */
export function withoutProxyEnvironment(): void {
  const saved = new Map<string, string | undefined>();
  beforeAll(() => {
    for (const name of PROXY_VARIABLES) {
      saved.set(name, process.env[name]);
      delete process.env[name];
    }
  });
  afterAll(() => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
}
