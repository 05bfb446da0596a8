import { randomBytes, timingSafeEqual } from 'node:crypto';
import { appendFileSync, promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { findNameProblem } from '../../shared/file-names.js';
import { defaultCodePattern } from '../codes/image-code-rules.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { readBoundedFile } from '../fs/read-bounded.js';
import { defaultRescanReasons } from '../../shared/imaging/rescan-reasons.js';
import type { RescanReason } from '../../shared/imaging/erp-image-state.js';
import { createBillStore, describeBill, describeUnknownBill, isPageNumber, maxPageNumber, readScanFields, type BillConflict, type BillManifest, type RoundOutcome } from './bill-store.js';
import { ImagingError, type PageReceipt } from './imaging-adapter.js';
import { receiveMultipart } from './multipart-stream.js';
import { signTokenRequest } from './token-sign.js';

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
  /** Overrides imagingServerLimits.maxPageBytes. */
  maxPageBytes?: number;
  /** Overrides the resource limits (tests use small ones; the defaults are imagingServerLimits). */
  limits?: Partial<ImagingServerLimits>;
  /** Told every token issued: only for tests proving a token never reaches a log or a bundle. */
  onToken?: (token: string) => void;
  /** The rescan reasons (退扫原因) it offers; the default list when absent (already checked: see checkRescanReasons). */
  rescanReasons?: readonly RescanReason[];
  /** Codes marked as needing no images at start (是否需要影像扫描 = 否, for training); kept with those set later. */
  noImageNeeded?: readonly string[];
}

/** A running reference server. */
export interface ReferenceServer {
  url: string;
  port: number;
  setFaults(faults: ImagingFaults): void;
  close(): Promise<void>;
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
  billReturned: '2008',
  roundConflict: '2009',
  caseTwin: '2010',
  billVoided: '2011',
  billUnknown: '2404',
  tooLarge: '2413',
} as const;

const conflictErrcodes: Record<BillConflict, string> = {
  'idempotency-conflict': imagingErrcodes.idempotencyConflict,
  'page-conflict': imagingErrcodes.pageConflict,
  'bill-closed': imagingErrcodes.billClosed,
  'bill-returned': imagingErrcodes.billReturned,
  'bill-voided': imagingErrcodes.billVoided,
};

/** A path segment URL-decoded, or null when its `%` escapes are malformed (a client error, never a 500). */
function decodePathSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/**
 * A page number from a form field, as the protocol writes it: decimal digits, no sign, no leading zero,
 * 1…10,000. `Number()` would also take `0x10`, `0b101`, ` 2 `, `+4` and `1e1`.
 */
function readPageField(value: unknown): number | null {
  if (typeof value !== 'string' || !/^[1-9][0-9]{0,4}$/.test(value)) return null;
  const page = Number(value);
  return isPageNumber(page) ? page : null;
}

/**
 * The reference server's resource limits. It is also the training server inside the app, so an
 * upload that could exhaust memory or hold connections open would take the app down with it.
 */
export const imagingServerLimits = {
  /** Bytes of one page (the protocol's 50 MB); larger is `2413`, HTTP 413. */
  maxPageBytes: 50 * 1024 * 1024,
  /** Bytes a page body may carry beyond its page: boundaries, headers and the small fields. */
  multipartOverheadBytes: 64 * 1024,
  /** Bytes of a JSON body (token, close, rounds, return). */
  maxJsonBytes: 64 * 1024,
  /** Parts of a page body (file, page, sha256, idempotencyKey and a few a client may add). */
  maxFormParts: 8,
  /** Bytes of one text field of a page body. */
  maxFieldBytes: 1024,
  /** Bytes of one part's header block. */
  maxPartHeaderBytes: 8 * 1024,
  /** Open TCP connections at once; more are dropped by Node as they arrive. */
  maxConnections: 32,
  /** All request headers must arrive within this time. */
  headersTimeoutMs: 10_000,
  /** A whole request, body included, must arrive within this time (a 50 MB page at 4 Mbit/s takes 100 s). */
  requestTimeoutMs: 120_000,
  /** A connection on which nothing moves for this long is closed (a stalled body, a silent client). */
  idleTimeoutMs: 30_000,
  /** An idle keep-alive connection is closed after this time. */
  keepAliveTimeoutMs: 5_000,
  /** Codes marked as needing no images (image-scan.json, rewritten whole on each change): more are refused with `1001`. */
  maxNoImageNeededCodes: 10_000,
};

/** The reference server's resource limits (see imagingServerLimits for each one's meaning). */
export type ImagingServerLimits = typeof imagingServerLimits;

/** The bytes image-scan.json may have when it holds `codes` marks of the longest image code (with room for its layout). */
function imageScanFileBytes(codes: number): number {
  return 64 * 1024 + codes * 64;
}

/** Timestamps may be seconds or milliseconds; a sign older or newer than this is refused. */
export const maxClockSkewMs = 5 * 60 * 1000;


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
  const limits: ImagingServerLimits = { ...imagingServerLimits, ...options.limits, ...(options.maxPageBytes === undefined ? {} : { maxPageBytes: options.maxPageBytes }) };
  const { maxPageBytes } = limits;
  let faults: ImagingFaults = options.faults ?? {};
  const tokens = new Map<string, { clientId: string; expires: number }>();
  // A Map, not the options' plain object: a client_id such as "constructor" or "__proto__" must not
  // find Object.prototype's members and sign with their source text as the secret.
  const clients = new Map(Object.entries(options.clients));
  let requestCount = 0;
  let uploadCount = 0;
  const billsDir = path.join(options.dataDir, 'bills');
  const accessLog = path.join(options.dataDir, 'access.log');
  // Page bodies stream here, on the bills' volume, so a finished page is renamed into place, never copied.
  const stagingDir = path.join(options.dataDir, 'incoming');
  await fs.mkdir(billsDir, { recursive: true });
  // Left by a crash mid-upload: never named by a bill, so nothing to keep.
  await fs.rm(stagingDir, { recursive: true, force: true });
  await fs.mkdir(stagingDir, { recursive: true });

  const store = createBillStore({ root: billsDir, now });
  const rescanReasons: readonly RescanReason[] = options.rescanReasons ?? defaultRescanReasons;
  // 是否需要影像扫描 = 否, per code: kept outside bills/ (a code may be marked before any page of it
  // exists, and bills/ holds only bill folders), rewritten whole and atomically on each change.
  const imageScanFile = path.join(options.dataDir, 'image-scan.json');
  const writeImageScan = (codes: ReadonlySet<string>) => writeFileAtomic(imageScanFile, `${JSON.stringify({ noImageNeeded: [...codes].sort() }, null, 1)}\n`);
  // Read with a bound (a regular file only: a FIFO left there must not hang the start); a damaged or
  // foreign file starts with no marks, as a missing one does, and only image codes are taken from it.
  let noImageNeeded = new Set<string>(
    await readBoundedFile(imageScanFile, imageScanFileBytes(limits.maxNoImageNeededCodes), 'image-scan.json')
      .then((bytes) => (JSON.parse(bytes.toString('utf8')) as { noImageNeeded?: unknown }).noImageNeeded)
      .then((codes) => (Array.isArray(codes) ? codes.filter((code): code is string => typeof code === 'string' && defaultCodePattern.test(code)).slice(0, limits.maxNoImageNeededCodes) : []))
      .catch(() => []),
  );
  // The seed list (a command line) is a person's choice: kept even beyond the bound.
  for (const code of options.noImageNeeded ?? []) noImageNeeded.add(code);
  if (options.noImageNeeded?.length) await writeImageScan(noImageNeeded);
  let imageScanWrite: Promise<unknown> = Promise.resolve();
  /** Marks a code (or clears its mark), one change at a time; false when the marks are full. Nothing is rewritten when nothing changes. */
  const setNeedImageScan = (code: string, need: boolean): Promise<boolean> => {
    const next = imageScanWrite.then(async () => {
      if (need !== noImageNeeded.has(code)) return true;
      if (!need && noImageNeeded.size >= limits.maxNoImageNeededCodes) return false;
      const changed = new Set(noImageNeeded);
      if (need) changed.delete(code);
      else changed.add(code);
      // Memory follows the disk: a failed write leaves both as they were.
      await writeImageScan(changed);
      noImageNeeded = changed;
      return true;
    });
    imageScanWrite = next.catch(() => undefined);
    return next;
  };
  /** A bill as the query answers it: its record and whether it needs images. */
  const answerOf = (code: string, manifest: BillManifest | null) => ({ ...(manifest ? describeBill(manifest) : describeUnknownBill(code)), needImageScan: !noImageNeeded.has(code) });

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

  /** Answers a refusal and closes the connection, so nothing more is read from a refused body. */
  const refuse = (req: http.IncomingMessage, res: http.ServerResponse, status: number, errcode: string, description: string) => {
    // Null when the client already hung up.
    const socket = req.socket as typeof req.socket | null;
    res.setHeader('connection', 'close');
    res.once('finish', () => socket?.destroy());
    return send(res, status, errcode, description);
  };

  const answerUpload = (req: http.IncomingMessage, res: http.ServerResponse, receipt: PageReceipt) => {
    uploadCount += 1;
    if (faults.dropAfterSaveEvery && uploadCount % faults.dropAfterSaveEvery === 0) {
      // Saved, but the client never hears so: it must retry with the same key and get the same receipt.
      req.socket.destroy();
      return 'dropped';
    }
    return send(res, 200, imagingErrcodes.ok, 'success', { data: receipt });
  };

  /** The store's refusals as the protocol's answers; anything else is a 500. */
  const answerRefusal = (res: http.ServerResponse, error: unknown) => {
    if (!(error instanceof ImagingError)) return send(res, 500, '5000', 'internal error');
    switch (error.code) {
      case 'image-code-unsafe-name':
        return send(res, 400, imagingErrcodes.invalidImageCode, `not a valid image code: it cannot be a folder name (${String(error.params.reason)})`);
      case 'image-code-case-twin':
        return send(res, 409, imagingErrcodes.caseTwin, `a bill whose image code differs only in case exists: ${String(error.params.existing)}`);
      case 'imaging-rejected':
        // 5000: the server's own record is damaged (not the client's fault).
        if (error.params.errcode === '5000') return send(res, 500, '5000', String(error.params.description));
        return send(res, 400, imagingErrcodes.badRequest, String(error.params.description ?? 'bad request'));
      default:
        return send(res, 500, '5000', 'internal error');
    }
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
    // Only origin-form targets ("/path?query"): an absolute URL or garbage is a client error, not a 500.
    const target = req.url ?? '/';
    if (!target.startsWith('/') || target.startsWith('//') || !URL.canParse(target, 'http://imaging.local')) return send(res, 400, imagingErrcodes.badRequest, 'bad request target');
    const url = new URL(target, 'http://imaging.local');
    // Private deployments live under /api (NOTES.md); the same server answers with or without it.
    url.pathname = url.pathname.replace(/^\/api(?=\/)/, '');

    if (req.method === 'POST' && url.pathname === '/base/oauth/token') {
      const body = await readBody(req, limits.maxJsonBytes);
      if (!body) return refuse(req, res, 413, imagingErrcodes.tooLarge, `a JSON body may be at most ${limits.maxJsonBytes} bytes`);
      let request: { client_id?: unknown; timestamp?: unknown; sign?: unknown };
      try {
        request = JSON.parse(body.toString('utf8')) as typeof request;
      } catch {
        return send(res, 200, imagingErrcodes.badRequest, 'body must be JSON {client_id, timestamp, sign}');
      }
      if (typeof request !== 'object' || request === null || typeof request.client_id !== 'string' || typeof request.timestamp !== 'string' || !/^[0-9]{1,16}$/.test(request.timestamp) || typeof request.sign !== 'string') {
        return send(res, 200, imagingErrcodes.badRequest, 'body must be JSON {client_id, timestamp (decimal digits), sign} (strings)');
      }
      const clientId = request.client_id;
      const timestamp = request.timestamp;
      const secret = clients.get(clientId);
      if (!secret || !sameText(signTokenRequest(clientId, secret, timestamp), request.sign)) {
        return send(res, 200, imagingErrcodes.badCredentials, 'client_id or sign is wrong');
      }
      const stamp = Number(timestamp);
      const ms = stamp < 1e12 ? stamp * 1000 : stamp;
      if (Math.abs(now().getTime() - ms) > maxClockSkewMs) return send(res, 200, imagingErrcodes.clockSkew, 'timestamp is too far from the server clock');
      const token = randomBytes(24).toString('hex');
      tokens.set(token, { clientId, expires: now().getTime() + ttl * 1000 });
      options.onToken?.(token);
      return send(res, 200, imagingErrcodes.ok, 'success', { access_token: token, expires_in: ttl });
    }

    if (url.pathname === '/imaging/v1/rescan-reasons') {
      if (!authorised(url)) return send(res, 401, imagingErrcodes.tokenInvalid, 'access_token is missing, unknown or expired');
      if (req.method !== 'GET') return send(res, 405, imagingErrcodes.badRequest, 'method not allowed');
      return send(res, 200, imagingErrcodes.ok, 'success', { data: rescanReasons });
    }

    const bill = /^\/imaging\/v1\/bills\/([^/]+)(\/pages|\/close|\/rounds|\/return|\/void|\/image-scan)?$/.exec(url.pathname);
    if (!bill) return send(res, 404, imagingErrcodes.badRequest, 'no such endpoint');
    if (!authorised(url)) return send(res, 401, imagingErrcodes.tokenInvalid, 'access_token is missing, unknown or expired');
    const code = decodePathSegment(bill[1] ?? '');
    if (code === null || !defaultCodePattern.test(code)) return send(res, 400, imagingErrcodes.invalidImageCode, 'not a valid image code');
    // The store refuses it too; asked here so a page body for such a code is not read first.
    const nameProblem = findNameProblem(code);
    if (nameProblem) throw new ImagingError('image-code-unsafe-name', { code, reason: nameProblem }, 'needs-person');

    // A code never seen is 无影像 (0000, status unknown), not an error: the ERP's map has a row for it or not, and either way it is a state.
    if (req.method === 'GET' && !bill[2]) return send(res, 200, imagingErrcodes.ok, 'success', { data: answerOf(code, await store.readBill(code)) });

    // Returns, voids, rounds and "no images needed": a reviewer sends a closed bill back (`/return`) or
    // voids it (`/void`) — the reference server's stand-in for the ERP's own screens — and the station
    // opens the next round before its rescan's pages.
    if (req.method === 'POST' && (bill[2] === '/return' || bill[2] === '/rounds' || bill[2] === '/void' || bill[2] === '/image-scan')) {
      const body = await readBody(req, limits.maxJsonBytes);
      if (!body) return refuse(req, res, 413, imagingErrcodes.tooLarge, `a JSON body may be at most ${limits.maxJsonBytes} bytes`);
      let request: { reason?: unknown; reasonCode?: unknown; round?: unknown; needImageScan?: unknown };
      try {
        request = (JSON.parse(body.toString('utf8')) ?? {}) as typeof request;
      } catch {
        request = {};
      }
      if (typeof request !== 'object') request = {};
      if (bill[2] === '/image-scan') {
        if (typeof request.needImageScan !== 'boolean') return send(res, 400, imagingErrcodes.badRequest, 'body must be JSON {needImageScan} (true or false)');
        if (!(await setNeedImageScan(code, request.needImageScan))) return send(res, 400, imagingErrcodes.badRequest, `at most ${limits.maxNoImageNeededCodes} codes may be marked as needing no images: clear a mark (needImageScan true) first`);
        return send(res, 200, imagingErrcodes.ok, 'success', { data: answerOf(code, await store.readBill(code)) });
      }
      let outcome: RoundOutcome;
      let refusal: string;
      if (bill[2] === '/return') {
        const reasonCode = request.reasonCode === undefined || request.reasonCode === null ? null : request.reasonCode;
        if (reasonCode !== null && typeof reasonCode !== 'string') return send(res, 400, imagingErrcodes.badRequest, 'reasonCode must be a string');
        const known = reasonCode === null ? null : rescanReasons.find((candidate) => candidate.code === reasonCode);
        if (reasonCode !== null && !known) return send(res, 400, imagingErrcodes.badRequest, `unknown rescan reason code (GET /imaging/v1/rescan-reasons lists them)`);
        const text = typeof request.reason === 'string' ? request.reason.trim() : '';
        // The text defaults to the reason's name: the ERP shows the name of the reason chosen.
        const reason = text || known?.name || '';
        if ((request.reason !== undefined && request.reason !== null && typeof request.reason !== 'string') || !reason || reason.length > 500) {
          return send(res, 400, imagingErrcodes.badRequest, 'body must be JSON {reason (1–500 characters), reasonCode}: at least one');
        }
        outcome = await store.returnBill(code, { reason, reasonCode: known?.code ?? null });
        refusal = 'only a closed bill can be returned';
      } else if (bill[2] === '/void') {
        const reason = typeof request.reason === 'string' ? request.reason.trim() : '';
        if (!reason || reason.length > 500) return send(res, 400, imagingErrcodes.badRequest, 'body must be JSON {reason} (1–500 characters)');
        outcome = await store.voidBill(code, reason);
        refusal = 'the bill cannot be voided';
      } else {
        const round = request.round;
        if (typeof round !== 'number' || !Number.isInteger(round) || round < 2 || round > 1000) return send(res, 400, imagingErrcodes.badRequest, 'body must be JSON {round} (2…1000)');
        outcome = await store.openRound(code, round);
        refusal = 'the bill is not returned, or that is not its next round';
      }
      switch (outcome.kind) {
        case 'unknown':
          return send(res, 404, imagingErrcodes.billUnknown, 'no such bill');
        case 'voided':
          return send(res, 409, imagingErrcodes.billVoided, 'the bill was voided (废弃): it takes nothing more', { data: answerOf(code, outcome.manifest) });
        case 'conflict':
          return send(res, 409, imagingErrcodes.roundConflict, refusal, { data: answerOf(code, outcome.manifest) });
        case 'done':
          return send(res, 200, imagingErrcodes.ok, 'success', { data: answerOf(code, outcome.manifest) });
      }
    }

    if (req.method === 'POST' && bill[2] === '/pages') {
      const maxBodyBytes = maxPageBytes + limits.multipartOverheadBytes;
      const tooLarge = `a page may be at most ${maxPageBytes} bytes`;
      if (Number(req.headers['content-length'] ?? 0) > maxBodyBytes) return refuse(req, res, 413, imagingErrcodes.tooLarge, tooLarge);
      const stagedFile = path.join(stagingDir, `${randomBytes(12).toString('hex')}.part`);
      try {
        const received = await receiveMultipart(req, req.headers['content-type'], {
          fileField: 'file',
          tempFile: stagedFile,
          limits: { maxFileBytes: maxPageBytes, maxBodyBytes, maxFieldBytes: limits.maxFieldBytes, maxParts: limits.maxFormParts, maxPartHeaderBytes: limits.maxPartHeaderBytes },
        });
        if (!received.ok) {
          switch (received.reason) {
            case 'too-large':
              return refuse(req, res, 413, imagingErrcodes.tooLarge, tooLarge);
            case 'not-multipart':
            case 'malformed':
              return refuse(req, res, 400, imagingErrcodes.badRequest, 'body must be multipart/form-data');
          }
        }
        const page = readPageField(received.fields.get('page'));
        const sha256 = (received.fields.get('sha256') ?? '').toLowerCase();
        const key = received.fields.get('idempotencyKey') ?? '';
        if (!received.file || page === null || !/^[0-9a-f]{64}$/.test(sha256) || !/^[\w-]{8,128}$/.test(key)) {
          return send(res, 400, imagingErrcodes.badRequest, 'fields: file, page (1…10000), sha256 (hex), idempotencyKey (8–128 of [A-Za-z0-9_-])');
        }
        if (received.file.sha256 !== sha256) return send(res, 422, imagingErrcodes.hashMismatch, 'the file does not match its sha256');
        const outcome = await store.putPage({ imageCode: code, page, bytes: { stagedFile, size: received.file.bytes }, sha256, idempotencyKey: key, extension: 'bin' });
        if ('conflict' in outcome) {
          const manifest = outcome.manifest;
          if (outcome.conflict === 'bill-voided') return send(res, 409, imagingErrcodes.billVoided, 'the bill was voided (废弃): it takes nothing more', manifest ? { data: answerOf(code, manifest) } : {});
          return send(res, 409, conflictErrcodes[outcome.conflict], 'conflicts with what this bill already holds', manifest ? { data: answerOf(code, manifest) } : {});
        }
        return answerUpload(req, res, outcome.receipt);
      } finally {
        // Renamed into the bill when it was stored; otherwise (a repeat, a refusal, a dropped client) not wanted.
        await fs.rm(stagedFile, { force: true });
      }
    }

    if (req.method === 'POST' && bill[2] === '/close') {
      const body = await readBody(req, limits.maxJsonBytes);
      if (!body) return refuse(req, res, 413, imagingErrcodes.tooLarge, `a JSON body may be at most ${limits.maxJsonBytes} bytes`);
      let request: { pageCount?: unknown } | null;
      try {
        request = JSON.parse(body.toString('utf8')) as typeof request;
      } catch {
        request = null;
      }
      // Checked before anything is sized by it: a count of 1e9 once built a list of a billion page numbers.
      const pageCount = request?.pageCount;
      if (typeof pageCount !== 'number' || !isPageNumber(pageCount)) return send(res, 400, imagingErrcodes.badRequest, `body must be JSON {pageCount} (an integer, 1…${maxPageNumber})`);
      // Who scanned where: each a bounded string or absent/null, refused before anything changes.
      const fields = readScanFields(request as Record<string, unknown>);
      if (!fields.ok) return send(res, 400, imagingErrcodes.badRequest, fields.description);
      const closed = await store.closeBill(code, pageCount, fields.scan);
      const outcome = (() => {
        switch (closed.kind) {
          case 'unknown':
            return { status: 404, errcode: imagingErrcodes.billUnknown, extra: {} };
          case 'returned':
            return { status: 409, errcode: imagingErrcodes.billReturned, extra: { data: answerOf(code, closed.manifest) } };
          case 'voided':
            return { status: 409, errcode: imagingErrcodes.billVoided, extra: { data: answerOf(code, closed.manifest) } };
          case 'missing':
            return { status: 409, errcode: imagingErrcodes.pagesMissing, extra: { data: { missing: closed.missing } } };
          case 'beyond':
            return { status: 409, errcode: imagingErrcodes.pagesBeyondCount, extra: { data: { beyond: closed.beyond } } };
          case 'closed':
            return { status: 200, errcode: imagingErrcodes.ok, extra: { data: { imageCode: code, status: closed.manifest.status, imageState: describeBill(closed.manifest).imageState, pageCount: closed.manifest.pageCount, closedAt: closed.manifest.closedAt, scan: describeBill(closed.manifest).scan } } };
        }
      })();
      return send(res, outcome.status, outcome.errcode, outcome.errcode === imagingErrcodes.ok ? 'success' : 'the bill cannot be closed', outcome.extra);
    }
    return send(res, 405, imagingErrcodes.badRequest, 'method not allowed');
  }

  // Node looks for expired header and request timers on this interval; its default (30 s) would let a
  // slow client hold a connection well past the limits.
  const server = http.createServer({ connectionsCheckingInterval: Math.max(100, Math.min(1000, limits.headersTimeoutMs / 2)) }, (req, res) => {
    const started = performance.now();
    // Node's own request timeout is checked on an interval and not for every way a body can stall: a
    // deadline per request as well, cutting a body still arriving when it passes.
    const deadline = setTimeout(() => {
      if (!req.complete) req.socket.destroy();
    }, limits.requestTimeoutMs);
    res.once('close', () => clearTimeout(deadline));
    handle(req, res)
      .catch((error: unknown) => (res.headersSent ? 'error' : answerRefusal(res, error)))
      .then((errcode) => {
        // Tokens never reach the log.
        const logged = (req.url ?? '').replace(/access_token=[^&]*/g, 'access_token=[redacted]');
        appendFileSync(accessLog, `${JSON.stringify({ time: now().toISOString(), method: req.method, path: logged, status: res.statusCode, errcode, ms: Math.round(performance.now() - started) })}\n`);
      })
      // A full disk or an answer to a vanished client must not become an unhandled rejection: in the
      // app that would end the whole process, not this request.
      .catch(() => undefined);
  });
  server.maxConnections = limits.maxConnections;
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  // Inactivity: with no 'timeout' listener Node destroys the socket.
  server.timeout = limits.idleTimeoutMs;
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
