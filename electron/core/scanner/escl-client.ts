// The eSCL/AirScan driver: capabilities and status read over HTTP, a job posted to ScanJobs and its pages pulled one NextDocument at a time, with the quirks client authors documented for real devices.
import { CoreError } from '../base/errors.js';
import { defaultDocumentLimits } from '../document/document-limits.js';
import type { Logger } from '../log/logger.js';
import { abortReason, deviceErrorCodes, requestDevice, type DeviceAnswer } from './escl-client-http.js';
import { buildEsclScanSettings, describeEsclStatus, maxEsclXmlBytes, parseEsclCapabilities, parseEsclStatus, summarizeEsclCapabilities, toEsclColorMode, type EsclCapabilities } from './escl-xml.js';
import type { ScanJob, ScannedPage, ScannerCapabilities, ScannerDevice, ScannerDriver, ScannerStatus, ScanSettings } from './scanner-driver.js';

/** Options of the eSCL driver; only `device` and `log` are needed, the rest have defaults that suit real devices. */
export interface EsclDriverOptions {
  device: ScannerDevice;
  log: Logger;
  /** Each XML request (capabilities, status, starting and ending a job); default 20 s. */
  timeoutMs?: number;
  /** One NextDocument request, the device scanning the page included; default 3 min. */
  pageTimeoutMs?: number;
  /** The largest page accepted; default the document limits' file size. */
  maxPageBytes?: number;
  /** The longest pause before asking again after `503 Service Unavailable` (the first ones are shorter, see `backOff`); default 1 s. */
  retryPauseMs?: number;
  /** How many 503s in a row a page may take before the job fails; default 30 (sane-airscan's figure). */
  maxRetries?: number;
  /**
   * The pause between two NextDocument calls of a feeder job. `auto` (default): for Brother devices,
   * half the time the previous page took, at most 1 s (some answer 404 — "no more pages" — when asked
   * too soon, and the job would end early); none for others.
   */
  pageGapMs?: number | 'auto';
  /** The most pages one job may bring (a device sending the same page forever); default the document limits' page count. */
  maxPages?: number;
}

/** The A4 page in 1/300 inch (the region every job asks for, clamped to what the input takes). */
const a4Region = { width: 2480, height: 3508 };
/** Attempts of `POST ScanJobs` answered 503 (a device waking up) before it counts as busy. */
const startAttempts = 5;

const errnoLike = /^E[A-Z0-9_]{2,}$/;

/** Whether a thrown value is a cancel (the caller's signal), which passes through unchanged. */
function isAbort(error: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (error instanceof Error && error.name === 'AbortError');
}

/** Waits `ms`, or rejects when the signal fires. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The pause before the n-th retry after a 503: a fifth of the longest pause, doubling up to it
 * (0.2, 0.4, 0.8, 1, 1… s). A device that paces pages with 503s gets asked again soon after the
 * page is ready rather than up to a second later, and thirty retries still wait about as long as
 * sane-airscan's thirty one-second ones.
 */
export function backOff(retry: number, longestMs: number): number {
  return Math.min(longestMs, (longestMs / 5) * 2 ** Math.max(0, retry - 1));
}

/** Bytes devices pad an image with after its end (zeros, 0xFF fill, a line break). */
const isPadding = (byte: number | undefined) => byte === 0x00 || byte === 0xff || byte === 0x0d || byte === 0x0a;

/**
 * Why a page of a known type is not whole, or null: a JPEG ends with its EOI marker (FF D9), a PNG
 * with its IEND chunk, padding after them allowed. A device that says 200 and sends part of a page
 * (or a Content-Length shorter than the page) would otherwise put half a page in the stack. TIFF
 * has no end mark; the document reader checks it when the page is opened.
 */
export function findIncompletePage(bytes: Uint8Array, mime: ScannedPage['mime']): 'jpeg-no-eoi' | 'png-no-iend' | null {
  let end = bytes.length;
  while (end > 0 && bytes.length - end < 64 * 1024 && isPadding(bytes[end - 1])) end -= 1;
  if (mime === 'image/jpeg') {
    // FF D9 is the end marker and nothing else (in the image data an FF is always followed by 00 or a restart marker);
    // a few bytes of a device's own after it are tolerated.
    for (let at = end - 2; at >= Math.max(0, end - 1024); at -= 1) if (bytes[at] === 0xff && bytes[at + 1] === 0xd9) return null;
    return 'jpeg-no-eoi';
  }
  if (mime === 'image/png') {
    const iend = [0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82];
    // The IEND chunk's CRC ends in 0x82, no padding byte: the end is the real end or padding came after it.
    for (const last of [end, bytes.length]) {
      if (last >= 8 && iend.every((byte, index) => bytes[last - 8 + index] === byte)) return null;
    }
    return 'png-no-iend';
  }
  return null;
}

/** A page's type from its first bytes (what the device says in Content-Type is not always right). */
function sniffPageType(bytes: Uint8Array): ScannedPage['mime'] | null {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'image/png';
  if ((bytes[0] === 0x49 && bytes[1] === 0x49 && bytes[2] === 0x2a && bytes[3] === 0) || (bytes[0] === 0x4d && bytes[1] === 0x4d && bytes[2] === 0 && bytes[3] === 0x2a)) return 'image/tiff';
  return null;
}

/**
 * The path of a job from a `Location` header. Only the path is kept and joined to the host the
 * driver connected to: devices put a host there that the station cannot reach (`localhost`, an
 * internal name, another interface) or cannot even parse (`http://[fe80/eSCL/ScanJobs/1`).
 */
export function readJobPath(location: string, basePath: string): string | null {
  // A path with anything a URL parser would resolve (`..`, `%2e%2e`, backslashes read as slashes) or that is no plain text is no job's path.
  if (location.length > 1024 || /[\\\s\p{Cc}]/u.test(location)) return null;
  // `scheme://host/path` and `//host/path` (a network-path reference) alike: the host is dropped.
  const absolute = /^(?:[A-Za-z][A-Za-z0-9+.-]*:)?\/\/[^/?#]*(\/[^?#]*)?/.exec(location);
  let path: string;
  if (absolute) path = absolute[1] ?? '';
  else if (location.startsWith('/')) path = location.replace(/[?#].*$/, '');
  else path = `${basePath}/${location.replace(/[?#].*$/, '')}`;
  path = path.replace(/\/+$/, '');
  const dotSegment = path.split('/').some((segment) => /^(?:\.|%2e){1,2}$/i.test(segment));
  return path === '' || dotSegment || path.includes('..') ? null : path;
}

/** The eSCL driver for one device (its id the base URL, `http://host:port/eSCL`). */
export function createEsclDriver(options: EsclDriverOptions): ScannerDriver {
  const { device, log } = options;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const pageTimeoutMs = options.pageTimeoutMs ?? 180_000;
  const maxPageBytes = options.maxPageBytes ?? defaultDocumentLimits.maxBytes;
  const retryPauseMs = options.retryPauseMs ?? 1000;
  const maxRetries = options.maxRetries ?? 30;
  const maxPages = options.maxPages ?? defaultDocumentLimits.maxPages;
  const deviceName = device.name || device.id;
  let capabilities: EsclCapabilities | null = null;

  const baseUrl = (): URL => {
    try {
      const url = new URL(device.id);
      if (url.protocol === 'http:' || url.protocol === 'https:') return url;
    } catch {
      // Falls through to the same error as a wrong scheme.
    }
    throw new CoreError('scanner-not-found', { device: deviceName });
  };
  /** A URL on the device: the host and port connected to, and a path. */
  const urlFor = (path: string): URL => {
    const base = baseUrl();
    return new URL(`${base.protocol}//${base.host}${path}`);
  };
  const basePath = () => baseUrl().pathname.replace(/\/+$/, '');

  const badAnswer = (reason: string, detail: string) => new CoreError('scanner-bad-answer', { device: deviceName, reason, detail: detail.slice(0, 300) });

  /** One request; network failures as scanner errors; an answer cut off is asked for once more. */
  async function call(path: string, method: 'GET' | 'POST' | 'DELETE', signal: AbortSignal, extra: { body?: string; timeoutMs?: number; maxBytes?: number; headersSuffice?: boolean } = {}): Promise<DeviceAnswer> {
    const url = urlFor(path);
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await requestDevice(url, { method, body: extra.body, timeoutMs: extra.timeoutMs ?? timeoutMs, maxBytes: extra.maxBytes ?? maxEsclXmlBytes, signal, headersSuffice: extra.headersSuffice });
      } catch (error) {
        if (isAbort(error, signal)) throw abortReason(signal);
        const code = error && typeof error === 'object' && 'code' in error ? String(error.code) : '';
        const detail = `${method} ${url.pathname}: ${error instanceof Error ? error.message : String(error)}`;
        if (code === deviceErrorCodes.cutOff && attempt === 1) {
          log.warn('escl.answer-cut-off', { device: device.id, path, detail });
          continue;
        }
        // An answer too big for its kind (an XML over 1 MB, a page over the document limits) is no answer the station can use.
        if (code === deviceErrorCodes.tooBig) throw badAnswer('unrecognised', detail);
        // Node's HTTP parser refused the answer (headers over its limit, no HTTP at all): the device answered, but not in HTTP the station reads.
        if (code.startsWith('HPE_')) throw badAnswer('unrecognised', detail);
        // EAI_AGAIN (no DNS server answered) reads to a clerk like a name not found, which is what it means for them.
        const reason = code === deviceErrorCodes.cutOff ? 'ECONNRESET' : code === 'EAI_AGAIN' ? 'ENOTFOUND' : errnoLike.test(code) ? code : 'unrecognised';
        throw new CoreError('scanner-unreachable', { device: deviceName, reason, detail }, { cause: error });
      }
    }
  }

  async function readXml<T>(name: string, parse: (xml: string) => T, signal: AbortSignal): Promise<T> {
    const answer = await call(`${basePath()}/${name}`, 'GET', signal);
    if (answer.status !== 200) throw badAnswer(String(answer.status), `GET ${name}: HTTP ${answer.status}`);
    try {
      return parse(answer.body.toString('utf8'));
    } catch (error) {
      throw badAnswer('unrecognised', `${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async function loadCapabilities(signal: AbortSignal): Promise<EsclCapabilities> {
    capabilities = await readXml('ScannerCapabilities', parseEsclCapabilities, signal);
    return capabilities;
  }

  async function readStatus(signal: AbortSignal, ownJobRunning = false): Promise<ScannerStatus> {
    return describeEsclStatus(await readXml('ScannerStatus', parseEsclStatus, signal), { ownJobRunning });
  }

  /** The error for a device state that stops a job, or null when it does not. */
  function statusError(status: ScannerStatus, feeder: boolean): CoreError | null {
    const params = { device: deviceName, detail: status.detail ?? '' };
    if (status.condition === 'jammed') return new CoreError('scanner-jammed', params);
    if (status.condition === 'door-open') return new CoreError('scanner-door-open', params);
    if (status.condition === 'busy') return new CoreError('scanner-busy', params);
    if (status.condition === 'feeder-empty' && feeder) return new CoreError('scanner-feeder-empty', params);
    return null;
  }

  async function startJob(settings: ScanSettings, signal: AbortSignal): Promise<ScanJob> {
    const feeder = settings.source !== 'flatbed';
    const status = await readStatus(signal);
    const refusal = statusError(status, feeder);
    if (refusal) throw refusal;
    // Stopped or Down devices sometimes scan anyway; the job's own answer tells.
    if (status.condition === 'error' || status.condition === 'offline') log.warn('escl.status-not-ready', { device: device.id, detail: status.detail });

    const caps = capabilities ?? (await loadCapabilities(signal));
    const input = caps.inputs[settings.source];
    const unsupported = (setting: string, value: string | number) => new CoreError('scanner-setting-unsupported', { device: deviceName, setting, value: String(value) });
    if (!input) throw unsupported('source', settings.source);
    if (input.resolutions.length > 0 && !input.resolutions.includes(settings.dpi)) throw unsupported('dpi', settings.dpi);
    if (input.colorModes.length > 0 && !input.colorModes.includes(toEsclColorMode(settings.color))) throw unsupported('color', settings.color);
    const format = input.formats.length === 0 ? 'image/jpeg' : ['image/jpeg', 'image/png', 'image/tiff'].find((candidate) => input.formats.includes(candidate));
    if (!format) throw unsupported('format', 'image/jpeg');
    const clamp = (value: number, min: number | null, max: number | null) => Math.max(min ?? 1, Math.min(max ?? value, value));
    const body = buildEsclScanSettings({ ...settings, format, width: clamp(a4Region.width, input.minWidth, input.maxWidth), height: clamp(a4Region.height, input.minHeight, input.maxHeight) });

    let answer: DeviceAnswer | null = null;
    for (let attempt = 1; attempt <= startAttempts; attempt += 1) {
      // Its status and Location are the answer: a body cut off after them must not post (and start) the job twice.
      answer = await call(`${basePath()}/ScanJobs`, 'POST', signal, { body, headersSuffice: true });
      if (answer.status !== 503) break;
      if (attempt < startAttempts) await pause(backOff(attempt, retryPauseMs), signal);
    }
    if (!answer) throw badAnswer('unrecognised', 'no answer');
    if (answer.status === 503) throw new CoreError('scanner-busy', { device: deviceName, detail: 'POST ScanJobs: HTTP 503' });
    if (answer.status === 409) {
      // A conflict is the device's state (a jam or an empty feeder since the first look, another job) or a setting it refused: its status tells which.
      const now = await readStatus(signal);
      throw statusError(now, feeder) ?? badAnswer('409', `POST ScanJobs: HTTP 409 ${answer.body.toString('utf8').slice(0, 200)}; status ${now.detail ?? 'unknown'}`);
    }
    if (answer.status !== 201 && answer.status !== 200) throw badAnswer(String(answer.status), `POST ScanJobs: HTTP ${answer.status} ${answer.body.toString('utf8').slice(0, 200)}`);
    const location = answer.headers.location;
    const jobPath = typeof location === 'string' ? readJobPath(location, basePath()) : null;
    if (!jobPath) throw badAnswer('unrecognised', `POST ScanJobs: HTTP ${answer.status} without a usable Location (${String(location)})`);
    log.info('escl.job-started', { device: device.id, job: jobPath, location, source: settings.source, dpi: settings.dpi, color: settings.color, format });
    const gapOption = options.pageGapMs ?? 'auto';
    const brother = /^brother\b/i.test(caps.makeAndModel ?? '');
    return openJob({ jobPath, feeder, gap: (lastLoadMs) => (!feeder ? 0 : gapOption === 'auto' ? (brother ? Math.min(1000, lastLoadMs / 2) : 0) : gapOption) });
  }

  function openJob(job: { jobPath: string; feeder: boolean; gap: (lastLoadMs: number) => number }): ScanJob {
    let pages = 0;
    let lastLoadMs = 0;
    let finished = false;
    let closing: Promise<void> | null = null;

    /** The error a failed page request means, read from the device's status. */
    async function failureFromStatus(httpStatus: number, signal: AbortSignal): Promise<CoreError> {
      let status: ScannerStatus | null = null;
      try {
        status = await readStatus(signal, true);
      } catch (error) {
        if (isAbort(error, signal)) throw error;
      }
      const known = status ? statusError(status, job.feeder) : null;
      return known ?? new CoreError('scanner-failed', { device: deviceName, reason: String(httpStatus), detail: `NextDocument: HTTP ${httpStatus}; status ${status?.detail ?? 'unknown'}` });
    }

    async function nextPage(signal: AbortSignal): Promise<ScannedPage | null> {
      if (finished || closing) return null;
      const gap = pages > 0 ? job.gap(lastLoadMs) : 0;
      if (gap > 0) await pause(gap, signal);
      let cutOffs = 0;
      // The page as a whole, however the device spreads it over slow answers and 503s: one request's time plus every retry's longest pause.
      const deadline = Date.now() + pageTimeoutMs + maxRetries * retryPauseMs;
      const outOfTime = (detail: string) => new CoreError('scanner-failed', { device: deviceName, reason: 'ETIMEDOUT', detail: `NextDocument: ${detail}` });
      for (let unavailable = 0; ; ) {
        const started = Date.now();
        const left = deadline - started;
        if (left <= 0) throw outOfTime(`no page within ${pageTimeoutMs + maxRetries * retryPauseMs} ms`);
        let answer: DeviceAnswer;
        try {
          answer = await call(`${job.jobPath}/NextDocument`, 'GET', signal, { timeoutMs: Math.min(pageTimeoutMs, left), maxBytes: maxPageBytes });
        } catch (error) {
          if (error instanceof CoreError && error.params['reason'] === 'ETIMEDOUT' && Date.now() >= deadline) throw outOfTime(`no page within ${pageTimeoutMs + maxRetries * retryPauseMs} ms`);
          throw error;
        }
        if (answer.status === 200) {
          const mime = sniffPageType(answer.body);
          if (answer.body.length === 0 && cutOffs === 0) {
            // An empty 200 is a connection that broke before the body (NAPS2 sees this too): ask once more.
            cutOffs += 1;
            continue;
          }
          if (!mime) throw badAnswer('unsupported-image', `NextDocument: ${answer.body.length} bytes of ${String(answer.headers['content-type'])}`);
          const incomplete = findIncompletePage(answer.body, mime);
          if (incomplete) throw badAnswer(incomplete, `NextDocument: ${answer.body.length} bytes of ${mime} without its end`);
          if (pages >= maxPages) {
            // A device sending the same page forever (or a stack beyond what one intake takes): the job stops here.
            finished = true;
            throw new CoreError('scanner-failed', { device: deviceName, reason: 'too-many-pages', limit: maxPages, detail: `NextDocument: a page past ${maxPages}` });
          }
          pages += 1;
          // The glass holds one sheet: a device that keeps answering 200 for a platen job is not asked again.
          if (!job.feeder) finished = true;
          lastLoadMs = Date.now() - started;
          log.debug('escl.page', { device: device.id, job: job.jobPath, page: pages, bytes: answer.body.length, ms: lastLoadMs });
          // A small answer may sit in Node's shared buffer pool: hand out bytes of their own then.
          const own = answer.body.byteOffset === 0 && answer.body.buffer.byteLength === answer.body.length;
          return { bytes: own ? new Uint8Array(answer.body.buffer) : new Uint8Array(answer.body), mime };
        }
        if (answer.status === 503) {
          unavailable += 1;
          if (unavailable > maxRetries) throw new CoreError('scanner-failed', { device: deviceName, reason: 'ETIMEDOUT', detail: `NextDocument: HTTP 503 ${unavailable} times` });
          log.debug('escl.page-not-ready', { device: device.id, job: job.jobPath, attempt: unavailable });
          await pause(backOff(unavailable, retryPauseMs), signal);
          continue;
        }
        if (answer.status === 404) {
          finished = true;
          if (pages === 0 && job.feeder) {
            // No first page from the feeder: an empty feeder says so in its status (some devices accept the job anyway).
            const error = statusError(await readStatus(signal, true), true);
            if (error) throw error;
          }
          log.info('escl.job-done', { device: device.id, job: job.jobPath, pages });
          return null;
        }
        if (answer.status === 410) {
          // Gone: cancelled on the device (its Stop key) or dropped. The stack is not complete, so it is an error, not the end.
          finished = true;
          throw new CoreError('scanner-failed', { device: deviceName, reason: 'cancelled', detail: `NextDocument: HTTP 410 after ${pages} pages` });
        }
        if (answer.status === 409 || answer.status >= 500) {
          finished = true;
          throw await failureFromStatus(answer.status, signal);
        }
        throw badAnswer(String(answer.status), `NextDocument: HTTP ${answer.status}`);
      }
    }

    function close(): Promise<void> {
      closing ??= (async () => {
        // Its own bound: close runs after a cancel, when the caller's signal has already fired.
        const signal = AbortSignal.timeout(timeoutMs);
        try {
          const answer = await call(job.jobPath, 'DELETE', signal);
          if (answer.status >= 300 && answer.status !== 404 && answer.status !== 410) log.warn('escl.job-delete-refused', { device: device.id, job: job.jobPath, status: answer.status });
        } catch (error) {
          // The job ends on the device by itself; a failed clean-up must not hide the error that led here.
          log.warn('escl.job-delete-failed', { device: device.id, job: job.jobPath, error });
        }
        finished = true;
      })();
      return closing;
    }

    return { nextPage, close, uri: job.jobPath };
  }

  return {
    device,
    async readCapabilities(signal: AbortSignal): Promise<ScannerCapabilities> {
      return summarizeEsclCapabilities(await loadCapabilities(signal));
    },
    readStatus: (signal: AbortSignal) => readStatus(signal),
    startJob,
  };
}
