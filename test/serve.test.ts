/**
 * `proofdesk serve`, the browser twin's server, run as users run it (a subprocess of the built
 * CLI): the token and cookie, the Host, Origin and Sec-Fetch-Site checks, 127.0.0.1 only, every
 * IPC channel over HTTP with the contract's envelope and validation, progress events over SSE
 * while a verification runs, Cancel, a clean stop on SIGTERM and SIGINT, and one-sentence errors.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  IPC_CHANNELS,
  IPC_EVENTS,
  ipcErrorSchema,
  type IpcChannel,
} from '../src-shared/ipc/ipc-contract';
import { CONTENT_SECURITY_POLICY } from '../src-main/app/window-security';
import { appendEntries, formatNexusconeTimestamp } from '../src-main/ledger/ledger-writer';
import { expectOneSentenceError, runCli, temporaryConfigHome } from './support/cli';
import { sha256OfFile, temporaryDirectory } from './support/ledger-fixtures';
import { startServe, type ServeProcess } from './support/renderer-harness';

const demoLedger = fileURLToPath(new URL('../resources/demo/demo-ledger.db', import.meta.url));
/** Large enough for the worker pool, so a verification takes long enough to watch and cancel. */
const BIG_ROWS = 150_000;

interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

interface RequestOptions {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly host?: string;
}

/** One HTTP request with exactly the headers given (Host defaults to 127.0.0.1:port). */
function send(port: number, options: RequestOptions = {}): Promise<Reply> {
  return new Promise((resolvePromise, reject) => {
    const request = httpRequest(
      {
        host: options.host ?? '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: options.headers,
        agent: false,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        response.on('end', () =>
          resolvePromise({ status: response.statusCode ?? 0, headers: response.headers, body }),
        );
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

function json(reply: Reply): unknown {
  return JSON.parse(reply.body) as unknown;
}

/** The cookie the server sets for its token, as a Cookie request header. */
async function signIn(twin: ServeProcess): Promise<string> {
  const reply = await send(twin.port, { path: `/?token=${twin.token}` });
  const setCookie = reply.headers['set-cookie']?.[0] ?? '';
  return setCookie.split(';')[0] ?? '';
}

function post(
  twin: ServeProcess,
  cookie: string,
  channel: string,
  input: unknown = {},
): Promise<Reply> {
  return send(twin.port, {
    method: 'POST',
    path: `/api/${channel}`,
    headers: { cookie, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
}

interface StreamedEvent {
  readonly event: string;
  readonly data: unknown;
  readonly at: number;
}

interface EventStream {
  readonly events: StreamedEvent[];
  readonly ended: Promise<void>;
  close(): void;
}

/** Opens GET /api/events and resolves once the stream is live. */
function openEvents(twin: ServeProcess, cookie: string): Promise<EventStream> {
  return new Promise((resolvePromise, reject) => {
    const events: StreamedEvent[] = [];
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port: twin.port,
        path: '/api/events',
        headers: { cookie },
        agent: false,
      },
      (response) => {
        expect(response.statusCode).toBe(200);
        expect(response.headers['content-type']).toMatch(/^text\/event-stream/);
        let buffer = '';
        const ended = new Promise<void>((done) => {
          response.on('end', done);
          response.on('close', done);
        });
        response.setEncoding('utf8').on('data', (chunk: string) => {
          buffer += chunk;
          let boundary = buffer.indexOf('\n\n');
          while (boundary !== -1) {
            const frame = buffer.slice(0, boundary);
            buffer = buffer.slice(boundary + 2);
            const event = /^event: (.+)$/m.exec(frame)?.[1];
            const data = /^data: (.+)$/m.exec(frame)?.[1];
            if (event !== undefined && data !== undefined)
              events.push({ event, data: JSON.parse(data), at: performance.now() });
            boundary = buffer.indexOf('\n\n');
          }
          // The server's opening comment: the stream is live.
          resolvePromise({ events, ended, close: () => request.destroy() });
        });
      },
    );
    request.on('error', reject);
    request.end();
  });
}

/** Resolves with the connection error code, or 'connected'. */
function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolvePromise) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolvePromise('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolvePromise(error.code ?? 'error'));
  });
}

const stateRoot = temporaryDirectory();
let demo: ServeProcess;
let big: ServeProcess;
let demoCookie: string;
let bigCookie: string;
const bigLedger = join(stateRoot, 'big.db');

beforeAll(async () => {
  let micros = 1_790_000_000_000_000n;
  appendEntries(
    bigLedger,
    Array.from({ length: BIG_ROWS }, (_, index) => ({
      actor: `agent:${index % 7}`,
      action: 'tool.call',
      eventType: 'request',
      payload: `{"n":${index}}`,
    })),
    { createIfMissing: true, clock: () => formatNexusconeTimestamp((micros += 1000n)) },
  );
  [demo, big] = await Promise.all([
    startServe({ stateDir: join(stateRoot, 'demo') }),
    startServe({ db: bigLedger, stateDir: join(stateRoot, 'big') }),
  ]);
  [demoCookie, bigCookie] = await Promise.all([signIn(demo), signIn(big)]);
});

afterAll(async () => {
  await Promise.all([demo?.stop(), big?.stop()]);
});

describe('proofdesk serve: access', () => {
  it('prints one line on stdout: the page address on 127.0.0.1 with a 32-byte hex token', () => {
    expect(demo.output().stdout).toBe(`${demo.url}\n`);
    expect(demo.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/);
    expect(demo.token).not.toBe(big.token);
    expect(demo.output().stderr).toMatch(/demo-ledger\.db \(the bundled demo\) on 127\.0\.0\.1:/);
  });

  it('exchanges the token for an HttpOnly SameSite=Strict cookie and redirects it out of the URL', async () => {
    const reply = await send(demo.port, { path: `/?token=${demo.token}` });
    expect(reply.status).toBe(303);
    expect(reply.headers.location).toBe('/');
    expect(reply.headers['set-cookie']).toEqual([
      `proofdesk-${demo.port}=${demo.token}; HttpOnly; SameSite=Strict; Path=/`,
    ]);

    const page = await send(demo.port, { headers: { cookie: demoCookie } });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('<div id="root"></div>');
    const script = /src="\.(\/assets\/[^"]+\.js)"/.exec(page.body)?.[1] ?? '';
    const bundle = await send(demo.port, { path: script, headers: { cookie: demoCookie } });
    expect(bundle.status).toBe(200);
    expect(bundle.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(bundle.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
  });

  it('answers 403 and no data to any request without the token or the cookie', async () => {
    const page = await send(demo.port, { headers: { cookie: demoCookie } });
    const script = /src="\.(\/assets\/[^"]+\.js)"/.exec(page.body)?.[1] ?? '';
    const attempts: RequestOptions[] = [
      { path: '/' },
      { path: '/index.html' },
      { path: script },
      { path: '/api/events' },
      { path: '/favicon.ico' },
      { path: '/no-such-file' },
      ...Object.keys(IPC_CHANNELS).map((channel) => ({
        method: 'POST',
        path: `/api/${channel}`,
        headers: { 'content-type': 'application/json' },
        body: '{}',
      })),
    ];
    for (const attempt of attempts) {
      const reply = await send(demo.port, attempt);
      expect(reply.status, attempt.path).toBe(403);
      expect(reply.headers['set-cookie'], attempt.path).toBeUndefined();
      expect(reply.body).toMatch(/^Forbidden: open the address that `proofdesk serve` printed/);
      expect(reply.body).not.toMatch(/demo-ledger|sha256|<html|"ok"/);
    }
  });

  it('refuses a wrong token, a token elsewhere than the page URL, and a wrong cookie', async () => {
    const other = '0'.repeat(64);
    const refused: RequestOptions[] = [
      { path: `/?token=${other}` },
      { path: '/?token=' },
      { path: `/?token=${demo.token.slice(0, 63)}` },
      { path: `/?token=${big.token}` },
      { path: `/index.html?token=${demo.token}` },
      { path: `/api/events?token=${demo.token}` },
      { method: 'POST', path: `/?token=${demo.token}` },
      { headers: { authorization: `Bearer ${demo.token}` } },
      { headers: { cookie: `proofdesk-${demo.port}=${other}` } },
      { headers: { cookie: `proofdesk-${demo.port}=` } },
      // The right token under another server's cookie name is not this server's cookie.
      { headers: { cookie: `proofdesk-${big.port}=${demo.token}` } },
      { headers: { cookie: bigCookie } },
    ];
    for (const attempt of refused) {
      const reply = await send(demo.port, attempt);
      expect(reply.status, JSON.stringify(attempt)).toBe(403);
      expect(reply.headers['set-cookie']).toBeUndefined();
    }
  });

  it('refuses any Host but 127.0.0.1:PORT, even with the cookie or the token (DNS rebinding)', async () => {
    const hosts = [
      `localhost:${demo.port}`,
      `evil.example:${demo.port}`,
      '127.0.0.1',
      `127.0.0.1:${demo.port + 1}`,
      `[::1]:${demo.port}`,
      `127.0.0.1:${demo.port}.evil.example`,
    ];
    const attempts: RequestOptions[] = [
      { path: `/?token=${demo.token}` },
      { headers: { cookie: demoCookie } },
      {
        method: 'POST',
        path: '/api/ledger/describe',
        headers: { cookie: demoCookie, 'content-type': 'application/json' },
        body: '{}',
      },
    ];
    for (const host of hosts) {
      for (const attempt of attempts) {
        const reply = await send(demo.port, {
          ...attempt,
          headers: { ...attempt.headers, host },
        });
        expect(reply.status, host).toBe(403);
        expect(reply.body).not.toContain('demo-ledger');
      }
    }
  });

  it('refuses requests from another origin or site, and accepts its own', async () => {
    const describeWith = (headers: Record<string, string>) =>
      send(demo.port, {
        method: 'POST',
        path: '/api/ledger/describe',
        headers: { cookie: demoCookie, 'content-type': 'application/json', ...headers },
        body: '{}',
      });
    for (const origin of [
      'http://evil.example',
      `http://127.0.0.1:${big.port}`,
      `http://localhost:${demo.port}`,
      'null',
    ]) {
      expect((await describeWith({ origin })).status, origin).toBe(403);
    }
    for (const site of ['cross-site', 'same-site']) {
      expect((await describeWith({ 'sec-fetch-site': site })).status, site).toBe(403);
    }
    const own = await describeWith({ origin: demo.origin, 'sec-fetch-site': 'same-origin' });
    expect(own.status).toBe(200);
    expect(JSON.parse(own.body)).toMatchObject({ ok: true });
  });

  it('listens on 127.0.0.1 only', async () => {
    expect(await tryConnect('127.0.0.1', demo.port)).toBe('connected');
    // Another loopback address, IPv6 loopback and every external interface: nothing listens.
    expect(await tryConnect('127.0.0.2', demo.port)).toBe('ECONNREFUSED');
    expect(await tryConnect('::1', demo.port)).not.toBe('connected');
    const external = Object.values(networkInterfaces())
      .flat()
      .filter((address) => address !== undefined && !address.internal)
      .map((address) => address!.address);
    for (const address of external) {
      expect(await tryConnect(address, demo.port), address).not.toBe('connected');
    }
  });
});

describe('proofdesk serve: the IPC contract over HTTP', () => {
  it('answers every channel of the contract with its envelope', async () => {
    const channels = Object.keys(IPC_CHANNELS) as IpcChannel[];
    for (const channel of channels) {
      const reply = await post(demo, demoCookie, channel);
      expect(reply.status, channel).toBe(200);
      expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
      const envelope = JSON.parse(reply.body) as { ok: boolean; data?: unknown; error?: unknown };
      if (envelope.ok) {
        // What arrives is exactly what the contract's output schema describes.
        expect(() => IPC_CHANNELS[channel].output.parse(envelope.data), channel).not.toThrow();
      } else {
        // A refusal (e.g. `{}` lacks a required field) is a contract error, never a crash.
        const error = ipcErrorSchema.parse(envelope.error);
        expect(error.code, `${channel}: ${error.message}`).not.toBe('INTERNAL');
      }
    }
    const described = json(await post(demo, demoCookie, 'ledger/describe'));
    expect(described).toEqual({
      ok: true,
      data: {
        fileName: 'demo-ledger.db',
        sha256: sha256OfFile(demoLedger),
        bytes: statSync(demoLedger).size,
      },
    });
    const verified = json(await post(demo, demoCookie, 'ledger/verify'));
    expect(verified).toMatchObject({ ok: true, data: { verdict: 'pass', entries: 3000 } });
    expect(JSON.parse((await post(demo, demoCookie, 'ledger/cancel-verify')).body)).toEqual({
      ok: true,
      data: { cancelled: false },
    });
  });

  it("rejects invalid input with the contract's USAGE code; paths never come from the browser", async () => {
    for (const input of [{ path: '/etc/passwd' }, { ledgerPath: demoLedger }, [], 'x', 7]) {
      const reply = await post(demo, demoCookie, 'ledger/describe', input);
      expect(reply.status).toBe(200);
      const envelope = JSON.parse(reply.body) as { ok: boolean; error: unknown };
      expect(envelope.ok).toBe(false);
      const error = ipcErrorSchema.parse(envelope.error);
      expect(error.code).toBe('USAGE');
      expect(error.message).toMatch(/^Invalid input for ledger\/describe: /);
    }
    const transport: [RequestOptions, number, RegExp][] = [
      [{ body: '{not json' }, 400, /not valid JSON/],
      [{ headers: { 'content-type': 'text/plain' } }, 415, /application\/json/],
      // What a cross-site form would send.
      [
        { headers: { 'content-type': 'application/x-www-form-urlencoded' } },
        415,
        /application\/json/,
      ],
      [{ method: 'GET', body: undefined }, 405, /POST/],
      [{ path: '/api/ledger/no-such-channel' }, 404, /no IPC channel/],
      [{ path: '/api/__proto__' }, 404, /no IPC channel/],
      [{ path: '/api/constructor' }, 404, /no IPC channel/],
      [{ body: JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }) }, 413, /too large/],
    ];
    for (const [override, status, message] of transport) {
      const reply = await send(demo.port, {
        method: 'POST',
        path: '/api/ledger/describe',
        body: '{}',
        ...override,
        headers: { cookie: demoCookie, 'content-type': 'application/json', ...override.headers },
      });
      expect(reply.status, JSON.stringify(override).slice(0, 80)).toBe(status);
      const envelope = JSON.parse(reply.body) as { ok: boolean; error: unknown };
      expect(envelope.ok).toBe(false);
      expect(ipcErrorSchema.parse(envelope.error)).toMatchObject({ code: 'USAGE', message });
    }
  });

  it('streams ledger/verify-progress over Server-Sent Events while ledger/verify runs', async () => {
    const stream = await openEvents(big, bigCookie);
    const started = performance.now();
    const reply = await post(big, bigCookie, 'ledger/verify');
    const answeredAt = performance.now();
    const result = JSON.parse(reply.body) as { ok: boolean; data: { entries: number } };
    expect(result).toMatchObject({ ok: true, data: { verdict: 'pass', entries: BIG_ROWS } });
    await expect
      .poll(() => stream.events.at(-1)?.data)
      .toEqual({
        rowsDone: BIG_ROWS,
        rowsTotal: BIG_ROWS,
      });
    stream.close();
    const progress = stream.events.filter((event) => event.event === 'ledger/verify-progress');
    expect(progress).toHaveLength(stream.events.length);
    expect(progress.length).toBeGreaterThan(2);
    for (const [index, event] of progress.entries()) {
      const payload = IPC_EVENTS['ledger/verify-progress'].parse(event.data);
      expect(payload.rowsTotal).toBe(BIG_ROWS);
      const previous = progress[index - 1];
      if (previous !== undefined)
        expect(payload.rowsDone).toBeGreaterThanOrEqual((previous.data as typeof payload).rowsDone);
    }
    // Progress arrived while the call was still running, not only at its end.
    const during = progress.filter(
      (event) =>
        event.at > started &&
        event.at < answeredAt &&
        (event.data as { rowsDone: number }).rowsDone < BIG_ROWS,
    );
    expect(during.length).toBeGreaterThan(0);
  });

  it('ledger/cancel-verify stops a running verification, which then answers CANCELLED', async () => {
    const stream = await openEvents(big, bigCookie);
    const verifying = post(big, bigCookie, 'ledger/verify');
    await expect.poll(() => stream.events.length, { interval: 5 }).toBeGreaterThan(0);
    const cancel = json(await post(big, bigCookie, 'ledger/cancel-verify'));
    expect(cancel).toEqual({ ok: true, data: { cancelled: true } });
    const verify = JSON.parse((await verifying).body) as { ok: boolean; error: unknown };
    expect(verify.ok).toBe(false);
    expect(ipcErrorSchema.parse(verify.error).code).toBe('CANCELLED');
    stream.close();
    // A second verification is not blocked by the cancelled one.
    expect(JSON.parse((await post(big, bigCookie, 'ledger/verify')).body)).toMatchObject({
      ok: true,
      data: { verdict: 'pass' },
    });
  });
});

describe('proofdesk serve: process', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s ends the event streams, closes the port and exits 0',
    async (signal) => {
      const twin = await startServe({ stateDir: join(stateRoot, `stop-${signal}`) });
      const cookie = await signIn(twin);
      const stream = await openEvents(twin, cookie);
      const exit = await twin.stop(signal);
      expect(exit).toEqual({ code: 0, signal: null });
      await stream.ended;
      expect(await tryConnect('127.0.0.1', twin.port)).toBe('ECONNREFUSED');
      expect(twin.output().stderr).not.toMatch(/^proofdesk:/m);
      expect(twin.output().stderr).toMatch(/Stopped serving\.\n$/);
    },
  );

  describe('bad input: one sentence on stderr, exit 2', () => {
    const configHome = temporaryConfigHome();
    const directory = temporaryDirectory();
    const notSqlite = join(directory, 'notes.txt');
    writeFileSync(notSqlite, 'not a database\n');
    const badKeyring = join(directory, 'keys.json');
    writeFileSync(badKeyring, '{"k": "zz"}');
    mkdirSync(join(directory, 'folder.db'));

    it.each([
      [['serve', join(directory, 'missing.db')], /There is no file at .*missing\.db\./],
      [['serve', join(directory, 'folder.db')], /is a directory, not a ledger file\./],
      [['serve', notSqlite], /is not an SQLite database\./],
      [['serve', '--port', 'abc'], /--port needs a whole number from 0 to 65535/],
      [['serve', '--port', '65536'], /--port needs a whole number from 0 to 65535/],
      [['serve', '--port=-1'], /--port needs a whole number from 0 to 65535/],
      [['serve', '--port', '1.5'], /--port needs a whole number from 0 to 65535/],
      [['serve', '--port'], /The option --port needs a value\./],
      [['serve', '--keys', join(directory, 'none.json')], /There is no keyring file at/],
      [['serve', '--keys', badKeyring], /The keyring .*keys\.json gives key id "k"/],
      [
        ['serve', demoLedger, demoLedger],
        /serve takes at most one ledger file, but 2 were given\./,
      ],
      [['serve', '--bogus'], /serve has no option --bogus/],
    ])('%j', (args, message) => {
      expectOneSentenceError(runCli(args, { configHome }), message);
    });

    it('a port already in use', async () => {
      const blocker = createTcpServer();
      await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
      const { port } = blocker.address() as AddressInfo;
      try {
        const result = runCli(['serve', '--port', String(port), '--state-dir', directory], {
          configHome,
        });
        expectOneSentenceError(
          result,
          new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use; choose another`),
        );
      } finally {
        blocker.close();
      }
    });
  });

  it('the usage names the command', () => {
    const help = runCli(['help'], { configHome: temporaryConfigHome() });
    expect(help.stdout).toContain(
      'proofdesk serve [db] [--port N] [--keys FILE] [--key FILE] [--state-dir DIR]',
    );
  });
});
