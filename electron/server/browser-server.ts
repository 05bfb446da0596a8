import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Logger } from '../core/log/logger.js';
import type { AppErrorInfo } from '../shared/error-codes.js';
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
}

/** A running browser-mode server. */
export interface BrowserServer {
  /** The address to open, token in the fragment so it never reaches logs or Referer headers. */
  url: string;
  origin: string;
  port: number;
  token: string;
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

  const sink = (event: string, payload: unknown) => {
    const frame = `data: ${JSON.stringify({ event, payload })}\n\n`;
    for (const stream of streams) stream.write(frame);
  };

  const server = http.createServer((req, res) => {
    handleRequest(req, res).catch((error: unknown) => {
      options.log.error('bridge.request-failed', { error });
      if (!res.headersSent) sendError(res, 500, toErrorInfo('internal-error', { channel: 'http' }));
      else res.end();
    });
  });

  async function handleRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const host = req.headers.host ?? '';
    // DNS rebinding defence: a page on evil.example resolving to 127.0.0.1 still sends its own Host.
    if (!allowedHosts().has(host)) {
      sendError(res, 421, toErrorInfo('bridge-bad-host', { host: host.slice(0, 100) }));
      return;
    }
    const origin = req.headers.origin;
    const originValid = origin === undefined || allowedOrigins().has(origin);
    const url = new URL(req.url ?? '/', `http://${host}`);

    if (url.pathname.startsWith(ipcPathPrefix)) {
      if (req.method !== 'POST') {
        sendError(res, 405, toErrorInfo('bridge-bad-request', { reason: 'use POST' }), { allow: 'POST' });
        return;
      }
      if (!originValid) {
        sendError(res, 403, toErrorInfo('bridge-bad-origin', { origin: String(origin).slice(0, 100) }));
        return;
      }
      const tokenValid = tokensMatch(token, headerValue(req.headers[tokenHeader]));
      if (!tokenValid) {
        sendError(res, 401, toErrorInfo('bridge-unauthorized'));
        return;
      }
      // A JSON content type forces a CORS preflight from any other origin, which is never granted.
      if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
        sendError(res, 415, toErrorInfo('bridge-bad-request', { reason: 'content-type must be application/json' }));
        return;
      }
      const body = await readBody(req, maxBodyBytes);
      if (body === 'too-large') {
        sendError(res, 413, toErrorInfo('bridge-body-too-large', { limit: maxBodyBytes }));
        return;
      }
      let args: unknown;
      try {
        args = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
      } catch {
        sendError(res, 400, toErrorInfo('bridge-bad-request', { reason: 'body is not JSON' }));
        return;
      }
      const channel = decodeURIComponent(url.pathname.slice(ipcPathPrefix.length));
      const sender: SenderInfo = { transport: 'http', tokenValid, hostValid: true, originValid };
      const result = await options.dispatcher.dispatch(channel, args, sender, sink);
      sendJson(res, 200, result);
      return;
    }

    if (url.pathname === eventsTicketPath) {
      if (req.method !== 'POST') {
        sendError(res, 405, toErrorInfo('bridge-bad-request', { reason: 'use POST' }), { allow: 'POST' });
        return;
      }
      if (!originValid || !tokensMatch(token, headerValue(req.headers[tokenHeader]))) {
        sendError(res, 401, toErrorInfo('bridge-unauthorized'));
        return;
      }
      // A handful at most are ever live (one per open tab and reconnect); refuse a flood.
      if (tickets.size >= 64) {
        sendError(res, 429, toErrorInfo('bridge-bad-request', { reason: 'too many tickets' }));
        return;
      }
      const ticket = randomBytes(24).toString('base64url');
      tickets.set(ticket, Date.now() + eventsTicketMs);
      sendJson(res, 200, { ticket });
      return;
    }

    if (url.pathname === eventsPath) {
      if (req.method !== 'GET') {
        sendError(res, 405, toErrorInfo('bridge-bad-request', { reason: 'use GET' }), { allow: 'GET' });
        return;
      }
      if (!originValid || !takeTicket(url.searchParams.get('ticket'))) {
        sendError(res, 401, toErrorInfo('bridge-unauthorized'));
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
      req.on('close', () => streams.delete(res));
      return;
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendError(res, 405, toErrorInfo('bridge-bad-request', { reason: 'use GET' }), { allow: 'GET, HEAD' });
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
    if (!target) {
      sendError(res, 404, toErrorInfo('bridge-bad-request', { reason: 'not found' }));
      return;
    }
    let file = target;
    let stat = await fs.stat(file).catch(() => null);
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

async function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  if (Number(req.headers['content-length'] ?? 0) > limit) {
    // Let the rest arrive and vanish so the client reads the 413 instead of a reset connection.
    req.resume();
    return 'too-large';
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) tooLarge = true;
    if (!tooLarge) chunks.push(chunk as Buffer);
  }
  return tooLarge ? 'too-large' : Buffer.concat(chunks);
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
