import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { appendFileSync, promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { defaultCodePattern } from '../cover/image-code-rules.js';

/** Faults the reference server can inject, for tests of the upload queue's resilience. */
export interface ImagingFaults {
  /** Delay every answer by this long. */
  delayMs?: number;
  /** Answer HTTP 503 to every n-th request. */
  failEvery?: number;
  /** Answer HTTP 429 with Retry-After: 1 to every n-th request. */
  rateLimitEvery?: number;
  /** Save every n-th page upload, then drop the connection without answering. */
  dropAfterSaveEvery?: number;
}

/** Options of the reference imaging server. */
export interface ReferenceServerOptions {
  dataDir: string;
  /** client_id → client_secret. */
  clients: Record<string, string>;
  /** 127.0.0.1 unless told otherwise. */
  host?: string;
  port?: number;
  now?: () => Date;
  faults?: ImagingFaults;
  tokenTtlSeconds?: number;
  maxPageBytes?: number;
}

/** A running reference server. */
export interface ReferenceServer {
  url: string;
  port: number;
  setFaults(faults: ImagingFaults): void;
  close(): Promise<void>;
}

/** What the server answers for one stored page (the same receipt for a repeated idempotency key). */
export interface PageReceipt {
  receiptId: string;
  imageCode: string;
  page: number;
  sha256: string;
  bytes: number;
  receivedAt: string;
}

interface BillManifest {
  imageCode: string;
  status: 'open' | 'closed';
  pageCount: number | null;
  pages: Record<string, PageReceipt>;
  /** idempotency key → receipt id */
  keys: Record<string, string>;
  closedAt: string | null;
}

/** Error codes of the protocol (docs/imaging-protocol.md); `errcode` is always a string. */
export const imagingErrcodes = {
  ok: '0000',
  badRequest: '1001',
  badCredentials: '1300',
  clockSkew: '1301',
  tokenInvalid: '1401',
  invalidImageCode: '2001',
  hashMismatch: '2002',
  idempotencyConflict: '2003',
  pageConflict: '2004',
  billClosed: '2005',
  pagesMissing: '2006',
  pagesBeyondCount: '2007',
  billUnknown: '2404',
  tooLarge: '2413',
} as const;

/** Timestamps may be seconds or milliseconds; a sign older or newer than this is refused. */
export const maxClockSkewMs = 5 * 60 * 1000;

/** md5(client_id + client_secret + timestamp), lower-case hex, as the invoice cloud signs tokens. */
export function signTokenRequest(clientId: string, clientSecret: string, timestamp: string): string {
  return createHash('md5').update(`${clientId}${clientSecret}${timestamp}`).digest('hex');
}

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * The project's reference implementation of its imaging protocol: the embedded training server and
 * the peer the upload queue is tested against. Pages and bills persist on disk, written atomically.
 */
export async function startReferenceImagingServer(options: ReferenceServerOptions): Promise<ReferenceServer> {
  const now = options.now ?? (() => new Date());
  const ttl = options.tokenTtlSeconds ?? 7200;
  const maxPageBytes = options.maxPageBytes ?? 50 * 1024 * 1024;
  let faults: ImagingFaults = options.faults ?? {};
  const tokens = new Map<string, { clientId: string; expires: number }>();
  const locks = new Map<string, Promise<unknown>>();
  let requestCount = 0;
  let uploadCount = 0;
  const billsDir = path.join(options.dataDir, 'bills');
  const accessLog = path.join(options.dataDir, 'access.log');
  await fs.mkdir(billsDir, { recursive: true });

  /** One bill's changes run one at a time: two uploads must not both rewrite its manifest. */
  const withBill = <T>(code: string, work: () => Promise<T>): Promise<T> => {
    const next = (locks.get(code) ?? Promise.resolve()).then(work);
    locks.set(code, next.catch(() => undefined));
    return next;
  };
  const manifestFile = (code: string) => path.join(billsDir, code, 'bill.json');
  const readManifest = async (code: string): Promise<BillManifest | null> => {
    try {
      return JSON.parse(await fs.readFile(manifestFile(code), 'utf8')) as BillManifest;
    } catch {
      return null;
    }
  };
  const writeManifest = (manifest: BillManifest) => writeFileAtomic(manifestFile(manifest.imageCode), JSON.stringify(manifest, null, 1));

  const send = (res: http.ServerResponse, status: number, errcode: string, description: string, extra: Record<string, unknown> = {}) => {
    const body = JSON.stringify({ errcode, description, ...extra });
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), date: now().toUTCString() });
    res.end(body);
    return errcode;
  };

  const readBody = async (req: http.IncomingMessage, limit: number): Promise<Buffer | null> => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > limit) return null;
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  };

  const authorised = (url: URL) => {
    const token = url.searchParams.get('access_token') ?? '';
    const entry = tokens.get(token);
    return entry !== undefined && entry.expires > now().getTime();
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<string> {
    requestCount += 1;
    if (faults.delayMs) await new Promise((resolve) => setTimeout(resolve, faults.delayMs));
    if (faults.failEvery && requestCount % faults.failEvery === 0) return send(res, 503, '5030', 'injected failure');
    if (faults.rateLimitEvery && requestCount % faults.rateLimitEvery === 0) {
      res.setHeader('retry-after', '1');
      return send(res, 429, '4290', 'injected rate limit');
    }
    const url = new URL(req.url ?? '/', 'http://imaging.local');

    if (req.method === 'POST' && url.pathname === '/base/oauth/token') {
      const body = await readBody(req, 64 * 1024);
      let request: { client_id?: unknown; timestamp?: unknown; sign?: unknown };
      try {
        request = JSON.parse(body?.toString('utf8') ?? '') as typeof request;
      } catch {
        return send(res, 200, imagingErrcodes.badRequest, 'body must be JSON {client_id, timestamp, sign}');
      }
      const clientId = String(request.client_id ?? '');
      const timestamp = String(request.timestamp ?? '');
      const secret = options.clients[clientId];
      if (!secret || !sameText(signTokenRequest(clientId, secret, timestamp), String(request.sign ?? ''))) {
        return send(res, 200, imagingErrcodes.badCredentials, 'client_id or sign is wrong');
      }
      const stamp = Number(timestamp);
      const ms = stamp < 1e12 ? stamp * 1000 : stamp;
      if (!Number.isFinite(ms) || Math.abs(now().getTime() - ms) > maxClockSkewMs) return send(res, 200, imagingErrcodes.clockSkew, 'timestamp is too far from the server clock');
      const token = randomBytes(24).toString('hex');
      tokens.set(token, { clientId, expires: now().getTime() + ttl * 1000 });
      return send(res, 200, imagingErrcodes.ok, 'success', { access_token: token, expires_in: ttl });
    }

    const bill = /^\/imaging\/v1\/bills\/([^/]+)(\/pages|\/close)?$/.exec(url.pathname);
    if (!bill) return send(res, 404, imagingErrcodes.badRequest, 'no such endpoint');
    if (!authorised(url)) return send(res, 401, imagingErrcodes.tokenInvalid, 'access_token is missing, unknown or expired');
    const code = decodeURIComponent(bill[1] ?? '');
    if (!defaultCodePattern.test(code)) return send(res, 400, imagingErrcodes.invalidImageCode, 'not a valid image code');

    if (req.method === 'GET' && !bill[2]) {
      const manifest = await readManifest(code);
      if (!manifest) return send(res, 404, imagingErrcodes.billUnknown, 'no such bill');
      const pages = Object.values(manifest.pages).sort((a, b) => a.page - b.page).map(({ page, sha256, bytes, receivedAt }) => ({ page, sha256, bytes, receivedAt }));
      return send(res, 200, imagingErrcodes.ok, 'success', { data: { imageCode: code, status: manifest.status, pageCount: manifest.pageCount, pages } });
    }

    if (req.method === 'POST' && bill[2] === '/pages') {
      const body = await readBody(req, maxPageBytes + 64 * 1024);
      if (!body) return send(res, 413, imagingErrcodes.tooLarge, `a page may be at most ${maxPageBytes} bytes`);
      let form: FormData;
      try {
        form = await new Request('http://imaging.local/', { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '' }, body: body.buffer.slice(body.byteOffset, body.byteOffset + body.length) as ArrayBuffer }).formData();
      } catch {
        return send(res, 400, imagingErrcodes.badRequest, 'body must be multipart/form-data');
      }
      const file = form.get('file');
      const page = Number(form.get('page'));
      const sha256 = String(form.get('sha256') ?? '').toLowerCase();
      const key = String(form.get('idempotencyKey') ?? '');
      if (!(file instanceof Blob) || !Number.isInteger(page) || page < 1 || page > 10_000 || !/^[0-9a-f]{64}$/.test(sha256) || !/^[\w-]{8,128}$/.test(key)) {
        return send(res, 400, imagingErrcodes.badRequest, 'fields: file, page (1…10000), sha256 (hex), idempotencyKey (8–128 of [A-Za-z0-9_-])');
      }
      const bytes = Buffer.from(await file.arrayBuffer());
      if (createHash('sha256').update(bytes).digest('hex') !== sha256) return send(res, 422, imagingErrcodes.hashMismatch, 'the file does not match its sha256');
      const outcome = await withBill(code, async () => {
        const manifest: BillManifest = (await readManifest(code)) ?? { imageCode: code, status: 'open', pageCount: null, pages: {}, keys: {}, closedAt: null };
        const existingId = manifest.keys[key];
        if (existingId) {
          const receipt = Object.values(manifest.pages).find((candidate) => candidate.receiptId === existingId);
          if (receipt && receipt.sha256 === sha256 && receipt.page === page) return { receipt };
          return { conflict: imagingErrcodes.idempotencyConflict };
        }
        if (manifest.status === 'closed') return { conflict: imagingErrcodes.billClosed };
        const stored = manifest.pages[String(page)];
        if (stored) {
          if (stored.sha256 !== sha256) return { conflict: imagingErrcodes.pageConflict };
          manifest.keys[key] = stored.receiptId;
          await writeManifest(manifest);
          return { receipt: stored };
        }
        await writeFileAtomic(path.join(billsDir, code, `${String(page).padStart(4, '0')}.bin`), bytes);
        const receipt: PageReceipt = { receiptId: randomUUID(), imageCode: code, page, sha256, bytes: bytes.length, receivedAt: now().toISOString() };
        manifest.pages[String(page)] = receipt;
        manifest.keys[key] = receipt.receiptId;
        await writeManifest(manifest);
        return { receipt };
      });
      if ('conflict' in outcome) return send(res, 409, outcome.conflict ?? imagingErrcodes.pageConflict, 'conflicts with what this bill already holds');
      uploadCount += 1;
      if (faults.dropAfterSaveEvery && uploadCount % faults.dropAfterSaveEvery === 0) {
        // Saved, but the client never hears so: it must retry with the same key and get the same receipt.
        req.socket.destroy();
        return 'dropped';
      }
      return send(res, 200, imagingErrcodes.ok, 'success', { data: outcome.receipt });
    }

    if (req.method === 'POST' && bill[2] === '/close') {
      const body = await readBody(req, 64 * 1024);
      let pageCount: number;
      try {
        pageCount = Number((JSON.parse(body?.toString('utf8') ?? '') as { pageCount?: unknown }).pageCount);
      } catch {
        pageCount = Number.NaN;
      }
      if (!Number.isInteger(pageCount) || pageCount < 1) return send(res, 400, imagingErrcodes.badRequest, 'body must be JSON {pageCount}');
      const outcome = await withBill(code, async () => {
        const manifest = await readManifest(code);
        if (!manifest) return { status: 404, errcode: imagingErrcodes.billUnknown, extra: {} };
        const have = Object.keys(manifest.pages).map(Number);
        const missing = Array.from({ length: pageCount }, (_, i) => i + 1).filter((page) => !have.includes(page));
        if (missing.length) return { status: 409, errcode: imagingErrcodes.pagesMissing, extra: { data: { missing } } };
        const beyond = have.filter((page) => page > pageCount);
        if (beyond.length) return { status: 409, errcode: imagingErrcodes.pagesBeyondCount, extra: { data: { beyond } } };
        if (manifest.status !== 'closed') {
          manifest.status = 'closed';
          manifest.pageCount = pageCount;
          manifest.closedAt = now().toISOString();
          await writeManifest(manifest);
        }
        return { status: 200, errcode: imagingErrcodes.ok, extra: { data: { imageCode: code, status: manifest.status, pageCount: manifest.pageCount, closedAt: manifest.closedAt } } };
      });
      return send(res, outcome.status, outcome.errcode, outcome.errcode === imagingErrcodes.ok ? 'success' : 'the bill cannot be closed', outcome.extra);
    }
    return send(res, 405, imagingErrcodes.badRequest, 'method not allowed');
  }

  const server = http.createServer((req, res) => {
    const started = performance.now();
    handle(req, res)
      .catch(() => (res.headersSent ? 'error' : send(res, 500, '5000', 'internal error')))
      .then((errcode) => {
        // Tokens never reach the log.
        const logged = (req.url ?? '').replace(/access_token=[^&]*/g, 'access_token=[redacted]');
        appendFileSync(accessLog, `${JSON.stringify({ time: now().toISOString(), method: req.method, path: logged, status: res.statusCode, errcode, ms: Math.round(performance.now() - started) })}\n`);
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    setFaults: (next) => {
      faults = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
