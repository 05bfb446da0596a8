import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Logger } from '../core/log/logger.js';
import type { AppErrorInfo } from '../shared/error-codes.js';
import { ipcEvents, type EventName, type EventPayload } from '../shared/ipc-contract.js';
import type { Dispatcher, SenderInfo } from '../ipc/dispatcher.js';
import { toErrorInfo } from '../ipc/dispatcher.js';
import { contentTypeFor, resolveStaticPath, securityHeaders } from './static-files.js';

/** The only interface browser mode ever binds. */
export const loopbackHost = '127.0.0.1';
/** Header carrying the per-run token on bridge calls. */
export const tokenHeader = 'x-scan-station-token';
/** Path prefix of invoke calls: `POST /ipc/<channel>`. */
export const ipcPathPrefix = '/ipc/';
/** Path of the server-sent event stream: `GET /events?token=…`. */
export const eventsPath = '/events';
/** POST here (with the token header) for a one-time ticket that opens the event stream. */
export const eventsTicketPath = '/events-ticket';
/** How long an unused event-stream ticket stays valid. */
export const eventsTicketMs = 30_000;
/** Header naming the caller's event stream (its ticket), so a job's progress goes to that caller only. */
export const streamHeader = 'x-scan-station-stream';

/** The browser-mode server's resource limits (documented in docs/security.md). */
export const bridgeLimits = {
  /** Open TCP connections at once (one browser tab uses a handful). */
  maxConnections: 64,
  /** Open event streams at once (one per tab). */
  maxStreams: 8,
  /** Live, unused event-stream tickets. */
  maxTickets: 64,
  /** All request headers must arrive within this time. */
  headersTimeoutMs: 10_000,
  /** A whole request (headers and body) must arrive within this time. */
  requestTimeoutMs: 120_000,
  /** An idle keep-alive connection is closed after this time. */
  keepAliveTimeoutMs: 5_000,
  /** Refused requests written to the log per minute; the rest are counted in one summary line. */
  refusalsLoggedPerMinute: 20,
} as const;

/** Options of the browser-mode server. */
export interface BrowserServerOptions {
  dispatcher: Dispatcher;
  /** Folder holding the built renderer (index.html and assets). */
  staticDir: string;
  log: Logger;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Per-run secret; generated when omitted. */
  token?: string;
  maxBodyBytes?: number;
  /** Overrides the header timeout (tests use a short one; see bridgeLimits). */
  headersTimeoutMs?: number;
}

/** A running browser-mode server. */
export interface BrowserServer {
  /** The address to open, token in the fragment so it never reaches logs or Referer headers. */
  url: string;
  origin: string;
  port: number;
  token: string;
  /** Pushes a station-wide event (`station:changed`) to every open page's event stream. */
  broadcast<E extends EventName>(event: E, payload: EventPayload<E>): void;
  close(): Promise<void>;
}

/** Compares two secrets in constant time. */
export function tokensMatch(expected: string, given: string | undefined | null): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Serves the renderer and the IPC bridge on 127.0.0.1 only. */
export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  // Template uploads travel as base64 JSON: room for the largest accepted template.
  const maxBodyBytes = options.maxBodyBytes ?? 72 * 1024 * 1024;
  const staticRoot = path.resolve(options.staticDir);
  const streams = new Set<http.ServerResponse>();
  /** Each open stream by the ticket that opened it: the caller names it on its calls. */
  const streamsById = new Map<string, http.ServerResponse>();
  // Unauthenticated traffic may not fill the log (and rotate real history away): a budget per minute.
  let refusalWindow = Date.now();
  let refusalsLogged = 0;
  let refusalsDropped = 0;
  const logRefusal = (reason: string, status: number) => {
    const now = Date.now();
    if (now - refusalWindow > 60_000) {
      if (refusalsDropped > 0) options.log.warn('bridge.refusals-not-logged', { count: refusalsDropped });
      refusalWindow = now;
      refusalsLogged = 0;
      refusalsDropped = 0;
    }
    if (refusalsLogged < bridgeLimits.refusalsLoggedPerMinute) {
      refusalsLogged += 1;
      options.log.warn('bridge.refused', { reason, status });
    } else refusalsDropped += 1;
  };
  // One-time tickets for EventSource (which cannot send headers): the long-lived token never
  // appears in a URL, and a ticket that leaks (logs, history) is already spent or expired.
  const tickets = new Map<string, number>();
  const takeTicket = (ticket: string | null): boolean => {
    const now = Date.now();
    for (const [key, expires] of tickets) if (expires < now) tickets.delete(key);
    if (!ticket || !tickets.has(ticket)) return false;
    tickets.delete(ticket);
    return true;
  };
  let port = 0;

  const allowedHosts = () => new Set([`${loopbackHost}:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://${loopbackHost}:${port}`, `http://localhost:${port}`]);

  /** Events of one call go to the stream its caller named, never to every open page. */
  const sinkFor = (streamId: string | undefined) => (event: string, payload: unknown) => {
    const stream = streamId ? streamsById.get(streamId) : undefined;
    stream?.write(`data: ${JSON.stringify({ event, payload })}\n\n`);
  };

  // Node looks for expired header/request timers on this interval; the default (30 s) would let a
  // slow-header client hold a connection for 40 s instead of 10.
  const server = http.createServer({ connectionsCheckingInterval: 1000 }, (req, res) => {
    handleRequest(req, res).catch((error: unknown) => {
      options.log.error('bridge.request-failed', { error });
      if (!res.headersSent) sendError(res, 500, toErrorInfo('internal-error', { channel: 'http' }));
      else res.end();
    });
  });

  /** Answers a refusal and closes the connection, so nothing more is read from a refused request. */
  const refuse = (req: http.IncomingMessage, res: http.ServerResponse, status: number, error: AppErrorInfo, reason: string, headers: Record<string, string> = {}) => {
    logRefusal(reason, status);
    // Null when the client already hung up.
    const socket = req.socket as typeof req.socket | null;
    sendError(res, status, error, { ...headers, connection: 'close' });
    res.once('finish', () => socket?.destroy());
  };

  async function handleRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // Only origin-form targets ("/path?query"): an absolute URL or garbage never reaches URL parsing.
    const target = req.url ?? '';
    if (!target.startsWith('/') || target.startsWith('//')) {
      refuse(req, res, 400, toErrorInfo('bridge-bad-request', { reason: 'bad request target' }), 'bad-target');
      return;
    }
    // Exactly one Host header, and ours: DNS rebinding sends its own; two Hosts are a smuggling attempt.
    const hostHeaders = req.rawHeaders.filter((_value, index) => index % 2 === 0 && req.rawHeaders[index]?.toLowerCase() === 'host').length;
    const host = req.headers.host ?? '';
    if (hostHeaders !== 1 || !allowedHosts().has(host)) {
      refuse(req, res, 421, toErrorInfo('bridge-bad-host', { host: host.slice(0, 100) }), 'bad-host');
      return;
    }
    const origin = req.headers.origin;
    const originValid = origin === undefined || allowedOrigins().has(origin);
    let url: URL;
    try {
      url = new URL(target, `http://${host}`);
    } catch {
      refuse(req, res, 400, toErrorInfo('bridge-bad-request', { reason: 'bad request target' }), 'bad-target');
      return;
    }

    if (url.pathname.startsWith(ipcPathPrefix)) {
      if (req.method !== 'POST') {
        refuse(req, res, 405, toErrorInfo('bridge-bad-request', { reason: 'use POST' }), 'method', { allow: 'POST' });
        return;
      }
      if (!originValid) {
        refuse(req, res, 403, toErrorInfo('bridge-bad-origin', { origin: String(origin).slice(0, 100) }), 'origin');
        return;
      }
      const tokenValid = tokensMatch(token, headerValue(req.headers[tokenHeader]));
      if (!tokenValid) {
        refuse(req, res, 401, toErrorInfo('bridge-unauthorized'), 'token');
        return;
      }
      // Exactly application/json (a JSON type forces a CORS preflight from any other origin, never granted).
      if (!isJsonContentType(req.headers['content-type'])) {
        refuse(req, res, 415, toErrorInfo('bridge-bad-request', { reason: 'content-type must be application/json' }), 'content-type');
        return;
      }
      const body = await readBody(req, maxBodyBytes);
      if (body === 'too-large') {
        refuse(req, res, 413, toErrorInfo('bridge-body-too-large', { limit: maxBodyBytes }), 'too-large');
        return;
      }
      let args: unknown;
      try {
        args = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
      } catch {
        sendError(res, 400, toErrorInfo('bridge-bad-request', { reason: 'body is not JSON' }));
        return;
      }
      let channel: string;
      try {
        channel = decodeURIComponent(url.pathname.slice(ipcPathPrefix.length));
      } catch {
        sendError(res, 400, toErrorInfo('bridge-bad-request', { reason: 'bad path encoding' }));
        return;
      }
      const sender: SenderInfo = { transport: 'http', tokenValid, hostValid: true, originValid };
      const result = await options.dispatcher.dispatch(channel, args, sender, sinkFor(headerValue(req.headers[streamHeader])));
      sendJson(res, 200, result);
      return;
    }

    if (url.pathname === eventsTicketPath) {
      if (req.method !== 'POST') {
        refuse(req, res, 405, toErrorInfo('bridge-bad-request', { reason: 'use POST' }), 'method', { allow: 'POST' });
        return;
      }
      if (!originValid || !tokensMatch(token, headerValue(req.headers[tokenHeader]))) {
        refuse(req, res, 401, toErrorInfo('bridge-unauthorized'), 'token');
        return;
      }
      // A handful at most are ever live (one per open tab and reconnect); refuse a flood.
      takeTicket(null);
      if (tickets.size >= bridgeLimits.maxTickets) {
        refuse(req, res, 429, toErrorInfo('bridge-bad-request', { reason: 'too many tickets' }), 'tickets');
        return;
      }
      const ticket = randomBytes(24).toString('base64url');
      tickets.set(ticket, Date.now() + eventsTicketMs);
      sendJson(res, 200, { ticket });
      return;
    }

    if (url.pathname === eventsPath) {
      if (req.method !== 'GET') {
        refuse(req, res, 405, toErrorInfo('bridge-bad-request', { reason: 'use GET' }), 'method', { allow: 'GET' });
        return;
      }
      const ticket = url.searchParams.get('ticket');
      if (!originValid || !takeTicket(ticket) || !ticket) {
        refuse(req, res, 401, toErrorInfo('bridge-unauthorized'), 'ticket');
        return;
      }
      if (streams.size >= bridgeLimits.maxStreams) {
        refuse(req, res, 429, toErrorInfo('bridge-bad-request', { reason: 'too many event streams' }), 'streams');
        return;
      }
      res.writeHead(200, {
        ...securityHeaders,
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      res.write('retry: 2000\n\n');
      streams.add(res);
      streamsById.set(ticket, res);
      // A stream lives as long as its page: no request timeout for it.
      req.socket.setTimeout(0);
      req.on('close', () => {
        streams.delete(res);
        streamsById.delete(ticket);
      });
      return;
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') {
      refuse(req, res, 405, toErrorInfo('bridge-bad-request', { reason: 'use GET' }), 'method', { allow: 'GET, HEAD' });
      return;
    }
    await serveStatic(url.pathname, req, res);
  }

  async function serveStatic(pathname: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      sendError(res, 400, toErrorInfo('bridge-bad-request', { reason: 'bad path encoding' }));
      return;
    }
    const target = resolveStaticPath(staticRoot, decoded);
    // Source maps describe our code to whoever asks; the running app does not need them.
    if (!target || target.endsWith('.map')) {
      sendError(res, 404, toErrorInfo('bridge-bad-request', { reason: 'not found' }));
      return;
    }
    let file = target;
    // lstat: a symbolic link inside the folder (to /etc/passwd, say) is not followed.
    let stat = await fs.lstat(file).catch(() => null);
    // …nor a linked folder on the way: the real path must still be inside the renderer folder.
    if (stat?.isFile()) {
      const real = await fs.realpath(file).catch(() => '');
      const realRoot = await fs.realpath(staticRoot).catch(() => staticRoot);
      if (!real.startsWith(realRoot + path.sep)) stat = null;
    }
    if (!stat?.isFile()) {
      // Client-side routes fall back to the app shell; missing assets stay 404.
      if (path.extname(decoded) !== '') {
        sendError(res, 404, toErrorInfo('bridge-bad-request', { reason: 'not found' }));
        return;
      }
      file = path.join(staticRoot, 'index.html');
      stat = await fs.stat(file).catch(() => null);
      if (!stat?.isFile()) {
        sendError(res, 404, toErrorInfo('bridge-bad-request', { reason: 'renderer not built' }));
        return;
      }
    }
    res.writeHead(200, {
      ...securityHeaders,
      'content-type': contentTypeFor(file),
      'content-length': stat.size,
      'cache-control': file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).pipe(res);
  }

  server.maxConnections = bridgeLimits.maxConnections;
  server.headersTimeout = options.headersTimeoutMs ?? bridgeLimits.headersTimeoutMs;
  server.requestTimeout = bridgeLimits.requestTimeoutMs;
  server.keepAliveTimeout = bridgeLimits.keepAliveTimeoutMs;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, loopbackHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://${loopbackHost}:${port}`;
  const heartbeat = setInterval(() => {
    for (const stream of streams) stream.write(': keep-alive\n\n');
  }, 15_000);
  heartbeat.unref();
  options.log.info('bridge.listening', { origin });

  return {
    url: `${origin}/#token=${token}`,
    origin,
    port,
    token,
    broadcast(event, payload) {
      const line = `data: ${JSON.stringify({ event, payload: ipcEvents[event].parse(payload) })}\n\n`;
      for (const stream of streams) stream.write(line);
    },
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(heartbeat);
        for (const stream of streams) stream.end();
        streams.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Exactly `application/json` (parameters such as charset allowed), not `application/json-patch+json`. */
export function isJsonContentType(value: string | undefined): boolean {
  return (value ?? '').split(';')[0]?.trim().toLowerCase() === 'application/json';
}

/**
 * Reads a body up to `limit` bytes and stops there: a declared or a chunked body over the limit is
 * not read further (the caller answers 413 and closes the connection).
 */
async function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  if (Number(req.headers['content-length'] ?? 0) > limit) return 'too-large';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...securityHeaders,
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

function sendError(res: http.ServerResponse, status: number, error: AppErrorInfo, headers: Record<string, string> = {}): void {
  sendJson(res, status, { ok: false, error }, headers);
}
