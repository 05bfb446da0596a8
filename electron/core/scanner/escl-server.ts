// The reference eSCL (AirScan) scanner: a real eSCL HTTP interface serving given pages, with a feeder that can be empty, jam or be slow — for training, tests and benches.
import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log/logger.js';
import { advertiseScanner, type ScannerAdvert } from './escl-server-advertise.js';
import { openPageSupply, type PageSupply } from './escl-server-pages.js';
import { readScanSettings, writeCapabilitiesXml, writeStatusXml, type ReferenceScanSettings, type StatusView } from './escl-server-xml.js';

/** How to start the reference scanner. */
export interface ReferenceScannerOptions {
  /** Address to listen on (default 127.0.0.1; all interfaces when advertised). */
  host?: string;
  /** Port (0: any free one). */
  port: number;
  /** A PDF (or any document the station reads) or a folder of JPEG/PNG page images. */
  pages: string;
  /** The feeder is empty: its status says so and a feeder job is refused (409). */
  adfEmpty?: boolean;
  /** The feeder jams when it takes the sheet after this many pages of a job. */
  jamAfter?: number;
  /** The scanner's pace: each page is ready this long after the one before (503 until then). */
  slowMs?: number;
  /** Every n-th NextDocument request answers 503 once (a device's "not now", to test retries). */
  unavailableEvery?: number;
  /** Announce `_uscan._tcp` over mDNS. */
  advertise?: boolean;
  /** The name it is announced under (default: its model). */
  name?: string;
  log?: Logger;
}

/** A job as the reference scanner keeps it (what tests look at). */
export interface ReferenceScanJob {
  id: string;
  /** The path of the job: `/eSCL/ScanJobs/<id>`. */
  uri: string;
  settings: ReferenceScanSettings;
  state: 'Processing' | 'Completed' | 'Canceled' | 'Aborted';
  /** Pages sent in full. */
  imagesCompleted: number;
  /** Pages the job would send when nothing goes wrong. */
  pagesPlanned: number;
  /** NextDocument requests the job got, answered or not. */
  nextDocumentRequests: number;
  /** DELETE was asked for it. */
  deleted: boolean;
  createdAt: Date;
}

/** A running reference scanner. */
export interface ReferenceScanner {
  /** Its eSCL base URL, `http://host:port/eSCL` (127.0.0.1 when it listens on every interface). */
  url: string;
  /** How many pages it serves (a feeder job sends them all). */
  pageCount: number;
  /** Stops it: ends every connection and the mDNS advertisement. */
  close(): Promise<void>;
  /** The jobs it remembers, oldest first. */
  jobs(): ReferenceScanJob[];
}

/** What the scanner calls itself. */
export const referenceMakeAndModel = 'Scan Station reference scanner';

/** A settings document larger than this is refused (413): a real one is under 2 KB. */
const maxBodyBytes = 64 * 1024;
/** A job nobody asked anything of for this long is abandoned (aborted), so the scanner does not stay busy forever. */
const abandonedJobMs = 60_000;
/** Jobs kept for the status document and tests. */
const keptJobs = 32;

const limits = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, idleTimeoutMs: 60_000, maxConnections: 64 };

interface JobRecord extends ReferenceScanJob {
  /** Page indexes of the supply this job sends, in order. */
  pages: number[];
  next: number;
  startedAt: number;
  /** A page is being read or sent: a second NextDocument meanwhile is told "not ready". */
  busy: boolean;
  abandon: NodeJS.Timeout | null;
}

/** A stable UUID for a scanner name, so the same scanner keeps its identity across restarts (discovery de-duplicates by it). */
function uuidOfName(name: string): string {
  const hex = createHash('sha1').update(`scan-station-reference-scanner:${name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Starts the reference eSCL scanner. A feeder job sends every given page in order (simplex and
 * duplex alike: the pages are the sides as the feeder yields them), a platen job the first page;
 * the feeder is loaded again for every job. Grey/colour and resolution are honoured by converting
 * the given page when it differs (see escl-server-pages.ts).
 */
export async function startReferenceScanner(options: ReferenceScannerOptions): Promise<ReferenceScanner> {
  const supply: PageSupply = await openPageSupply(options.pages);
  const log = options.log;
  const name = options.name?.trim() || referenceMakeAndModel;
  const uuid = uuidOfName(name);
  const jobs: JobRecord[] = [];
  let current: JobRecord | null = null;
  let jammedBy: JobRecord | null = null;
  let nextDocumentCount = 0;
  let listenUrl = '';

  const publicJob = (job: JobRecord): ReferenceScanJob => ({
    id: job.id,
    uri: job.uri,
    settings: { ...job.settings },
    state: job.state,
    imagesCompleted: job.imagesCompleted,
    pagesPlanned: job.pagesPlanned,
    nextDocumentRequests: job.nextDocumentRequests,
    deleted: job.deleted,
    createdAt: job.createdAt,
  });

  const finish = (job: JobRecord, state: 'Completed' | 'Canceled' | 'Aborted', why: string) => {
    if (job.state !== 'Processing') return;
    job.state = state;
    if (job.abandon) clearTimeout(job.abandon);
    job.abandon = null;
    if (current === job) current = null;
    log?.info('escl-server.job-ended', { job: job.id, state, why, pages: job.imagesCompleted });
  };

  const touch = (job: JobRecord) => {
    if (job.abandon) clearTimeout(job.abandon);
    job.abandon = setTimeout(() => finish(job, 'Aborted', 'abandoned'), abandonedJobMs);
    job.abandon.unref();
  };

  const statusView = (): StatusView => ({
    state: current ? 'Processing' : 'Idle',
    adfState: jammedBy ? 'ScannerAdfJam' : options.adfEmpty ? 'ScannerAdfEmpty' : 'ScannerAdfLoaded',
    jobs: [...jobs].reverse().map((job) => ({ uri: job.uri, uuid: job.id, state: job.state, imagesCompleted: job.imagesCompleted, ageSeconds: Math.ceil((Date.now() - job.createdAt.getTime()) / 1000) })),
  });

  const send = (res: http.ServerResponse, status: number, body = '', headers: Record<string, string> = {}) => {
    const bytes = Buffer.from(body, 'utf8');
    res.writeHead(status, { 'Content-Length': String(bytes.length), 'Cache-Control': 'no-cache', ...(body ? { 'Content-Type': 'text/plain; charset=utf-8' } : {}), ...headers });
    res.end(bytes);
  };
  const sendXml = (res: http.ServerResponse, xml: string) => send(res, 200, xml, { 'Content-Type': 'text/xml; charset=utf-8' });
  // Not ready yet: what devices answer while a page is being scanned. Retry-After in whole seconds.
  const notReady = (res: http.ServerResponse, waitMs: number) => send(res, 503, 'the page is not ready yet', { 'Retry-After': String(Math.max(1, Math.ceil(waitMs / 1000))) });

  const readBody = (req: http.IncomingMessage): Promise<string | null> =>
    new Promise((resolve, reject) => {
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > maxBodyBytes) return resolve(null);
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBodyBytes) {
          req.removeAllListeners('data');
          req.resume();
          resolve(null);
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });

  // The Location names the host the client used (a device behind NAT or a typed address), never the listen address 0.0.0.0.
  const locationOf = (req: http.IncomingMessage, job: JobRecord): string => {
    const host = req.headers.host;
    const base = host && /^[A-Za-z0-9.\-:[\]]{1,300}$/.test(host) ? `http://${host}` : new URL(listenUrl).origin;
    return `${base}${job.uri}`;
  };

  const createJob = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const body = await readBody(req);
    if (body === null) return send(res, 413, 'the scan settings are larger than 64 KB', { Connection: 'close' });
    const read = readScanSettings(body);
    if (read === null) return send(res, 400, 'the body is not a scan:ScanSettings document');
    if (!read.ok) {
      log?.info('escl-server.settings-refused', { ...read.refusal });
      return send(res, 409, `unsupported ${read.refusal.setting}: ${read.refusal.value}`);
    }
    const settings = read.settings;
    if (current) return send(res, 503, 'the scanner is busy with another job', { 'Retry-After': '2' });
    if (settings.source === 'Feeder' && jammedBy) return send(res, 409, 'the feeder is jammed');
    if (settings.source === 'Feeder' && options.adfEmpty) return send(res, 409, 'the feeder is empty');
    const id = randomUUID();
    const pages = settings.source === 'Platen' ? [0] : Array.from({ length: supply.count }, (_, index) => index);
    const job: JobRecord = { id, uri: `/eSCL/ScanJobs/${id}`, settings, state: 'Processing', imagesCompleted: 0, pagesPlanned: pages.length, nextDocumentRequests: 0, deleted: false, createdAt: new Date(), pages, next: 0, startedAt: performance.now(), busy: false, abandon: null };
    jobs.push(job);
    // Forget the oldest finished jobs; a running one is never dropped.
    while (jobs.length > keptJobs) {
      const oldest = jobs.findIndex((kept) => kept.state !== 'Processing');
      if (oldest < 0) break;
      jobs.splice(oldest, 1);
    }
    current = job;
    touch(job);
    log?.info('escl-server.job-started', { job: id, ...settings, pages: pages.length });
    send(res, 201, '', { Location: locationOf(req, job) });
  };

  const nextDocument = async (job: JobRecord, res: http.ServerResponse) => {
    job.nextDocumentRequests += 1;
    if (job.deleted || job.state === 'Canceled') return send(res, 410, 'the job was cancelled');
    // A job the feeder jammed in (or that failed): what NAPS2's server and several devices answer; the status says why.
    if (job.state === 'Aborted') return send(res, 500, 'the job was aborted');
    if (job.state === 'Completed') return send(res, 404, 'no more pages');
    touch(job);
    nextDocumentCount += 1;
    if (options.unavailableEvery && nextDocumentCount % options.unavailableEvery === 0) return notReady(res, 1000);
    if (job.busy) return notReady(res, 1000);
    if (job.next >= job.pages.length) {
      finish(job, 'Completed', 'feeder-done');
      return send(res, 404, 'no more pages');
    }
    if (job.settings.source === 'Feeder' && options.jamAfter !== undefined && job.next >= options.jamAfter) {
      jammedBy = job;
      finish(job, 'Aborted', 'jammed');
      return send(res, 500, 'the feeder jammed');
    }
    // The device's own pace: page k of the job is ready (k + 1) × slowMs after the job started.
    const waitMs = job.startedAt + (job.next + 1) * (options.slowMs ?? 0) - performance.now();
    if (waitMs > 0) return notReady(res, waitMs);
    job.busy = true;
    let bytes: Buffer;
    try {
      bytes = await supply.readJpeg(job.pages[job.next] as number, { color: job.settings.colorMode === 'RGB24' ? 'color' : 'gray', dpi: job.settings.resolution });
    } catch (error) {
      job.busy = false;
      log?.error('escl-server.page-unreadable', { job: job.id, page: job.next + 1, error: error instanceof Error ? error.message : String(error) });
      finish(job, 'Aborted', 'page-unreadable');
      return send(res, 500, 'the page could not be read');
    }
    if (job.state !== 'Processing') {
      job.busy = false;
      return send(res, 410, 'the job was cancelled');
    }
    // The page counts as sent once all its bytes were handed to the socket: a connection dropped before that gets the same page again.
    res.once('close', () => {
      job.busy = false;
      if (!res.writableFinished) return;
      job.next += 1;
      job.imagesCompleted += 1;
      log?.debug('escl-server.page-sent', { job: job.id, page: job.next, bytes: bytes.length });
      // A platen job's one page is its end; a feeder job ends on the 404 that tells the client so.
      if (job.settings.source === 'Platen') finish(job, 'Completed', 'platen-done');
    });
    res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': String(bytes.length), 'Content-Location': `${job.uri}/${job.next + 1}`, 'Cache-Control': 'no-cache' });
    res.end(bytes);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://scanner');
    const parts = url.pathname.split('/').filter(Boolean);
    const method = req.method ?? 'GET';
    if (method !== 'POST') req.resume();
    if (parts[0]?.toLowerCase() !== 'escl') return send(res, 404, 'not found');
    const [, resource, jobId, action] = parts;
    if (resource === 'ScannerCapabilities' && parts.length === 2) {
      if (method !== 'GET') return send(res, 405, 'method not allowed', { Allow: 'GET' });
      return sendXml(res, writeCapabilitiesXml({ makeAndModel: referenceMakeAndModel, uuid, serial: uuid.slice(0, 8).toUpperCase(), adminUri: `${new URL(listenUrl).origin}/eSCL` }));
    }
    if (resource === 'ScannerStatus' && parts.length === 2) {
      if (method !== 'GET') return send(res, 405, 'method not allowed', { Allow: 'GET' });
      return sendXml(res, writeStatusXml(statusView()));
    }
    if (resource === 'ScanJobs' && parts.length === 2) {
      if (method !== 'POST') return send(res, 405, 'method not allowed', { Allow: 'POST' });
      return createJob(req, res);
    }
    if (resource === 'ScanJobs' && jobId) {
      const job = jobs.find((kept) => kept.id === jobId);
      if (parts.length === 3) {
        if (method !== 'DELETE') return send(res, 405, 'method not allowed', { Allow: 'DELETE' });
        if (!job) return send(res, 404, 'no such job');
        job.deleted = true;
        // Deleting a job whose pages all went out (without asking for the 404) is its clean-up, not a cancel.
        finish(job, job.next >= job.pages.length ? 'Completed' : 'Canceled', 'deleted');
        if (jammedBy === job) jammedBy = null;
        return send(res, 200);
      }
      if (parts.length === 4 && action === 'NextDocument') {
        if (method !== 'GET') return send(res, 405, 'method not allowed', { Allow: 'GET' });
        if (!job) return send(res, 404, 'no such job');
        return nextDocument(job, res);
      }
    }
    if (method === 'POST') req.resume();
    return send(res, 404, 'not found');
  };

  const server = http.createServer({ connectionsCheckingInterval: 1000 }, (req, res) => {
    // Node's own request timeout is checked on an interval and not for every way a body can stall.
    const deadline = setTimeout(() => {
      if (!req.complete) req.socket.destroy();
    }, limits.requestTimeoutMs);
    res.once('close', () => clearTimeout(deadline));
    log?.debug('escl-server.request', { method: req.method, path: req.url });
    handle(req, res).catch((error: unknown) => {
      log?.error('escl-server.failed', { path: req.url, error: error instanceof Error ? error.message : String(error) });
      if (!res.headersSent) send(res, 500, 'internal error');
      else res.destroy();
    });
  });
  server.maxConnections = limits.maxConnections;
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  // Inactivity: with no 'timeout' listener Node destroys the socket.
  server.timeout = limits.idleTimeoutMs;
  // An announced scanner must answer at the addresses mDNS gives out (every interface's), not only on loopback.
  const host = options.host ?? (options.advertise ? '0.0.0.0' : '127.0.0.1');
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await supply.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  listenUrl = `http://${urlHost.includes(':') ? `[${urlHost}]` : urlHost}:${port}/eSCL`;
  let advert: ScannerAdvert | null = null;
  if (options.advertise) advert = advertiseScanner({ name, port, uuid, makeAndModel: referenceMakeAndModel, log });
  log?.info('escl-server.started', { url: listenUrl, pages: supply.count, source: supply.label });
  let closing: Promise<void> | null = null;
  return {
    url: listenUrl,
    pageCount: supply.count,
    jobs: () => jobs.map(publicJob),
    close() {
      closing ??= (async () => {
        for (const job of jobs) if (job.abandon) clearTimeout(job.abandon);
        await advert?.stop();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await supply.close();
      })();
      return closing;
    },
  };
}
