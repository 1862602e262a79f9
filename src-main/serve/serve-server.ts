/**
 * The browser twin's server: the built renderer and the IPC contract over HTTP, for machines
 * without the Electron binary. It is a local, single-user server, so every request must prove it
 * comes from the page `proofdesk serve` printed:
 *
 * - It listens on 127.0.0.1 only.
 * - A random 32-byte token (hex) is required. It is accepted once per browser in the page URL
 *   (`/?token=…`), exchanged for an HttpOnly SameSite=Strict cookie, and dropped from the address
 *   bar with a redirect. Every other request, API calls included, needs that cookie.
 * - Host must be exactly 127.0.0.1:PORT (a DNS-rebinding defence), an Origin header must be this
 *   server's origin, and Sec-Fetch-Site, when sent, must be same-origin or none, so another site
 *   (or another server on 127.0.0.1, which is same-site) can neither read nor drive it.
 * - API calls are POST with a JSON body (a cross-origin form or simple request cannot send one),
 *   validated by dispatchIpcCall exactly as Electron's ipcMain handlers are. Paths never come
 *   from the browser: the command line chose the files.
 * - Every response carries the app's Content-Security-Policy and no-store, nosniff, no-referrer
 *   headers; the renderer files are served from memory, by exact path.
 *
 * Channels map to `POST /api/<channel>` (e.g. /api/ledger/verify) answering the IpcResult
 * envelope; push events go to every page over one Server-Sent-Events stream, `GET /api/events`.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProofdeskError } from '../../src-shared/check-code';
import { IPC_CHANNELS, type IpcEvent, type IpcResult } from '../../src-shared/ipc/ipc-contract';
import { CONTENT_SECURITY_POLICY } from '../app/window-security';
import type { RendererAssets } from './renderer-bundle';

export const SERVE_HOST = '127.0.0.1';
/** The largest API request body accepted. */
export const MAX_BODY_BYTES = 1024 * 1024;
const HEARTBEAT_MS = 20_000;

/** Runs one contract call (validation included) and reports push events through `emit`. */
export type IpcDispatcher = (
  channel: string,
  input: unknown,
  emit: (event: IpcEvent, payload: unknown) => void,
) => Promise<IpcResult<unknown>>;

export interface ServeServerOptions {
  readonly dispatch: IpcDispatcher;
  readonly assets: RendererAssets;
  /** 0: any free port. */
  readonly port: number;
}

export interface RunningServeServer {
  readonly port: number;
  readonly origin: string;
  /** The page address with the access token: the only way in. */
  readonly url: string;
  /** Ends the event streams and open connections, and stops listening. */
  close(): Promise<void>;
}

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  // The twin's counterpart of Electron's permission handler, which denies every request.
  'Permissions-Policy':
    'camera=(), microphone=(), geolocation=(), usb=(), serial=(), hid=(), payment=(), display-capture=()',
};

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieValue(request: IncomingMessage, name: string): string | null {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === name)
      return part.slice(separator + 1).trim();
  }
  return null;
}

function send(
  response: ServerResponse,
  status: number,
  body: string | Buffer,
  headers: Record<string, string>,
): void {
  response.writeHead(status, { ...SECURITY_HEADERS, ...headers });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}

function sendJson(
  response: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  send(response, status, JSON.stringify(value), {
    'Content-Type': 'application/json; charset=utf-8',
    ...headers,
  });
}

function usageEnvelope(message: string): IpcResult<never> {
  return { ok: false, error: { code: 'USAGE', message } };
}

/** A request that is not from this server's own page: nothing is said beyond how to get in. */
function forbid(response: ServerResponse): void {
  send(
    response,
    403,
    'Forbidden: open the address that `proofdesk serve` printed, from the terminal or the address bar.\n',
    { 'Content-Type': 'text/plain; charset=utf-8' },
  );
}

type BodyResult = { ok: true; text: string } | { ok: false; status: number; message: string };

function readBody(request: IncomingMessage): Promise<BodyResult> {
  return new Promise((resolvePromise) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      resolvePromise({ ok: false, status: 413, message: 'The request body is too large.' });
      request.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () =>
      resolvePromise(
        tooLarge
          ? { ok: false, status: 413, message: 'The request body is too large.' }
          : { ok: true, text: Buffer.concat(chunks).toString('utf8') },
      ),
    );
    request.on('error', () =>
      resolvePromise({ ok: false, status: 400, message: 'The request body could not be read.' }),
    );
  });
}

function listenError(error: NodeJS.ErrnoException, port: number): ProofdeskError {
  if (error.code === 'EADDRINUSE')
    return new ProofdeskError(
      'USAGE',
      `Port ${port} on ${SERVE_HOST} is already in use; choose another with --port, or --port 0 for any free port.`,
    );
  if (error.code === 'EACCES')
    return new ProofdeskError(
      'USAGE',
      `Port ${port} on ${SERVE_HOST} needs privileges this user does not have; choose a port above 1023.`,
    );
  return new ProofdeskError(
    'USAGE',
    `Cannot listen on ${SERVE_HOST} port ${port}: ${error.message.replace(/\.$/, '')}.`,
  );
}

export async function startServeServer(options: ServeServerOptions): Promise<RunningServeServer> {
  const token = randomBytes(32).toString('hex');
  const streams = new Set<ServerResponse>();
  // Known once listening (the port may be chosen by the system); no request is handled before.
  let port = 0;
  let origin = '';
  let cookieName = '';

  const emit = (event: IpcEvent, payload: unknown): void => {
    const frame = `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const stream of streams) stream.write(frame);
  };

  const openEventStream = (request: IncomingMessage, response: ServerResponse): void => {
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      Connection: 'keep-alive',
    });
    // A first comment tells a client the stream is live before any event is sent.
    response.write(': proofdesk events\n\n');
    streams.add(response);
    request.on('close', () => streams.delete(response));
  };

  const handleApiCall = async (
    channel: string,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> => {
    if (!Object.hasOwn(IPC_CHANNELS, channel)) {
      request.resume();
      sendJson(response, 404, usageEnvelope(`There is no IPC channel ${JSON.stringify(channel)}.`));
      return;
    }
    if (request.method !== 'POST') {
      request.resume();
      sendJson(response, 405, usageEnvelope(`${channel} is called with POST.`), { Allow: 'POST' });
      return;
    }
    const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim();
    if (contentType?.toLowerCase() !== 'application/json') {
      request.resume();
      sendJson(response, 415, usageEnvelope('The request body must be application/json.'));
      return;
    }
    const body = await readBody(request);
    if (!body.ok) {
      sendJson(response, body.status, usageEnvelope(body.message));
      return;
    }
    let input: unknown;
    try {
      input = body.text.trim() === '' ? undefined : JSON.parse(body.text);
    } catch {
      sendJson(response, 400, usageEnvelope('The request body is not valid JSON.'));
      return;
    }
    // Any answer of a call is its result, failures included, as over Electron's IPC.
    sendJson(response, 200, await options.dispatch(channel, input, emit));
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    // The same checks for every request, before anything else is looked at.
    if (request.headers.host !== `${SERVE_HOST}:${port}`) return forbid(response);
    const requestOrigin = request.headers.origin;
    if (requestOrigin !== undefined && requestOrigin !== origin) return forbid(response);
    const site = request.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return forbid(response);

    const url = new URL(request.url ?? '/', origin);
    const offered = url.searchParams.get('token');
    if (offered !== null) {
      if (url.pathname !== '/' || request.method !== 'GET' || !sameSecret(offered, token))
        return forbid(response);
      // Exchange the token for a cookie and take it out of the address bar (and history).
      send(response, 303, '', {
        Location: '/',
        'Set-Cookie': `${cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`,
      });
      return;
    }
    const cookie = cookieValue(request, cookieName);
    if (cookie === null || !sameSecret(cookie, token)) return forbid(response);

    const path = url.pathname;
    if (path === '/api/events') {
      if (request.method !== 'GET') {
        sendJson(response, 405, usageEnvelope('/api/events is read with GET.'), { Allow: 'GET' });
        return;
      }
      openEventStream(request, response);
      return;
    }
    if (path.startsWith('/api/'))
      return handleApiCall(path.slice('/api/'.length), request, response);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(response, 405, 'Method not allowed.\n', {
        Allow: 'GET, HEAD',
        'Content-Type': 'text/plain; charset=utf-8',
      });
      return;
    }
    const asset = options.assets.get(path === '/' ? '/index.html' : path);
    if (asset === undefined && path === '/favicon.ico') {
      // Browsers ask for one unprompted; the app has none, and a 404 would be a console error.
      send(response, 204, '', {});
      return;
    }
    if (asset === undefined) {
      send(response, 404, 'Not found.\n', { 'Content-Type': 'text/plain; charset=utf-8' });
      return;
    }
    send(response, 200, asset.body, { 'Content-Type': asset.contentType });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent)
        sendJson(response, 500, {
          ok: false,
          error: {
            code: 'INTERNAL',
            message: error instanceof Error ? error.message : String(error),
          },
        });
      else response.destroy();
    });
  });

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(listenError(error, options.port)),
    );
    server.listen({ host: SERVE_HOST, port: options.port, exclusive: true }, () =>
      resolvePromise(),
    );
  });
  port = (server.address() as AddressInfo).port;
  origin = `http://${SERVE_HOST}:${port}`;
  // Cookies are shared by every port of a host; a per-port name keeps two servers apart.
  cookieName = `proofdesk-${port}`;

  const heartbeat = setInterval(() => {
    for (const stream of streams) stream.write(': keep-alive\n\n');
  }, HEARTBEAT_MS);
  heartbeat.unref();

  return {
    port,
    origin,
    url: `${origin}/?token=${token}`,
    close: () =>
      new Promise<void>((resolvePromise) => {
        clearInterval(heartbeat);
        for (const stream of streams) stream.end();
        streams.clear();
        server.close(() => resolvePromise());
        server.closeAllConnections();
      }),
  };
}
