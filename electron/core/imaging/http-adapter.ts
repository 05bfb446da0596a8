import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { pathsWithoutImageCode, resolveImagingPaths, type EndpointSettings } from '../../shared/endpoint/endpoint-settings.js';
import { escapeHiddenCharacters } from '../../shared/display-text.js';
import { checkRescanReasons, describeRescanReasonsFault } from '../../shared/imaging/rescan-reasons.js';
import { sendRequest, type HttpAnswer } from '../net/http-request.js';
import { effectiveProxy } from '../net/proxy.js';
import { classifyNetworkError } from '../net/network-errors.js';
import { voidedBillError } from './bill-store.js';
import { buildEndpointUrl } from './endpoint-url.js';
import { ImagingError, pageExtension, readBillState, unknownBill, type BillState, type ImagingAdapter, type PageReceipt, type ScanDetails } from './imaging-adapter.js';
import { signTokenRequest } from './token-sign.js';

/** What the http adapter needs; the secret comes from the secret store and is never logged. */
export interface HttpAdapterOptions {
  settings: Pick<EndpointSettings, 'apiAddress' | 'clientId' | 'httpPaths' | 'proxy' | 'caCertificatePem'>;
  clientSecret: string;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  /** Per request: connect, send, answer. Pages are up to 50 MB, so uploads get longer. */
  timeouts?: { requestMs?: number; uploadMs?: number };
}

interface Envelope {
  errcode?: unknown;
  description?: unknown;
  data?: unknown;
  access_token?: unknown;
  expires_in?: unknown;
}

const contentTypes: Record<string, string> = { jpg: 'image/jpeg', png: 'image/png', tif: 'image/tiff', pdf: 'application/pdf', bin: 'application/octet-stream' };

// 200 reasons of 50 characters fit many times over; a longer answer is cut, and then unreadable.
const maxRescanReasonsAnswerBytes = 256 * 1024;

/** Builds a multipart/form-data body by hand: the page bytes are copied once, never re-encoded. */
export function buildMultipart(fields: Record<string, string>, file: { field: string; name: string; type: string; bytes: Uint8Array }): { body: Buffer; contentType: string } {
  const boundary = `----scan-station-${randomBytes(12).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${file.field}"; filename="${file.name}"\r\ncontent-type: ${file.type}\r\n\r\n`));
  parts.push(Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength));
  parts.push(Buffer.from(`\r\n--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Seconds or an HTTP date → milliseconds from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now: Date): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim()) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/**
 * The imaging protocol over HTTP(S): token per `md5(client_id + secret + timestamp)`, cached until a
 * minute before it expires and renewed once when the server says it is no longer valid.
 */
export function createHttpAdapter(options: HttpAdapterOptions): ImagingAdapter {
  const now = options.now ?? (() => new Date());
  const env = options.env ?? process.env;
  const paths = resolveImagingPaths(options.settings);
  const base = new URL(options.settings.apiAddress);
  const requestMs = options.timeouts?.requestMs ?? 15_000;
  const uploadMs = options.timeouts?.uploadMs ?? 120_000;
  let token: { value: string; expires: number } | null = null;
  // This station's address as the server sees the connection: a close carries it when the caller gave none.
  let lastLocalAddress: string | null = null;
  // One kept-alive connection pool per adapter (direct connections only; proxied ones are one-use):
  // a new TCP (and TLS) connection per page cost a quarter of the upload rate. Idle sockets are
  // dropped after 4 s, before a server's usual 5 s keep-alive timeout closes them under us.
  const agent = base.protocol === 'https:' ? new https.Agent({ keepAlive: true, maxSockets: 4, timeout: 4000 }) : new http.Agent({ keepAlive: true, maxSockets: 4, timeout: 4000 });

  const urlFor = (name: keyof typeof paths, imageCode?: string) => buildEndpointUrl(base, name, paths[name], imageCode);
  // Every path is checked once here, so a hostile profile fails before the first request (even the token's).
  for (const name of Object.keys(paths) as Array<keyof typeof paths>) urlFor(name, pathsWithoutImageCode.includes(name) ? undefined : 'FPY-CHECK');
  const exchange = async (url: URL, request: { method: 'GET' | 'POST'; body?: Buffer | string; contentType?: string; timeoutMs: number; maxBodyBytes?: number }): Promise<HttpAnswer> => {
    const send = () =>
      sendRequest(url, {
        method: request.method,
        body: request.body,
        headers: request.contentType ? { 'content-type': request.contentType, accept: 'application/json' } : { accept: 'application/json' },
        ca: options.settings.caCertificatePem,
        proxy: effectiveProxy(url, options.settings.proxy, env),
        timeoutMs: request.timeoutMs,
        maxBodyBytes: request.maxBodyBytes,
        agent,
      });
    const remember = (answer: HttpAnswer) => {
      if (answer.localAddress) lastLocalAddress = answer.localAddress.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
      return answer;
    };
    try {
      try {
        return remember(await send());
      } catch (error) {
        // A kept-alive connection the server closed as we reused it: once more on a fresh one (every
        // call here is idempotent: page uploads carry their key).
        if ((error as { code?: unknown }).code !== 'ECONNRESET') throw error;
        return remember(await send());
      }
    } catch (error) {
      const kind = classifyNetworkError(error);
      if (kind === 'timeout') throw new ImagingError('imaging-timeout', {}, 'retry', { cause: error });
      const reason = kind === 'network-error' ? String((error as { code?: unknown }).code ?? 'network') : kind;
      // A certificate problem will not fix itself by retrying.
      const advice = ['untrusted-certificate', 'certificate-expired', 'hostname-mismatch'].includes(kind) ? 'fix-settings' : 'retry';
      throw new ImagingError('imaging-unreachable', { reason }, advice, { cause: error });
    }
  };
  /** Reads the envelope, turning transport-level trouble into typed errors. */
  const envelopeOf = (answer: HttpAnswer): Envelope => {
    if (answer.status === 429 || answer.status >= 500) {
      const retryAfterMs = parseRetryAfter(answer.headers['retry-after'], now());
      throw new ImagingError('imaging-server-busy', { status: answer.status, seconds: Math.ceil((retryAfterMs ?? 30_000) / 1000) }, 'retry', { retryAfterMs });
    }
    try {
      const parsed = JSON.parse(answer.body.toString('utf8')) as unknown;
      if (parsed && typeof parsed === 'object' && typeof (parsed as Envelope).errcode === 'string') return parsed as Envelope;
    } catch {
      // Falls through: an HTML error page or a wrong path.
    }
    throw new ImagingError('imaging-bad-answer', { status: answer.status }, answer.status === 404 ? 'fix-settings' : 'retry');
  };
  // A server's words reach a clerk's screen, the CLI's terminal and the log: bounded, hidden characters escaped.
  const describe = (envelope: Envelope) => ({ errcode: escapeHiddenCharacters(String(envelope.errcode).slice(0, 20)), description: escapeHiddenCharacters(String(envelope.description ?? '').slice(0, 200)) });

  const fetchToken = async (): Promise<string> => {
    if (token && token.expires > now().getTime()) return token.value;
    const timestamp = String(now().getTime());
    const body = JSON.stringify({ client_id: options.settings.clientId, timestamp, sign: signTokenRequest(options.settings.clientId, options.clientSecret, timestamp) });
    const envelope = envelopeOf(await exchange(urlFor('token'), { method: 'POST', body, contentType: 'application/json', timeoutMs: requestMs }));
    if (envelope.errcode === '1301') throw new ImagingError('imaging-clock-skew', {}, 'fix-settings');
    if (envelope.errcode !== '0000' || typeof envelope.access_token !== 'string') throw new ImagingError('imaging-auth-failed', { errcode: describe(envelope).errcode }, 'fix-settings');
    const ttl = typeof envelope.expires_in === 'number' ? envelope.expires_in : 7200;
    token = { value: envelope.access_token, expires: now().getTime() + Math.max(0, ttl - 60) * 1000 };
    return token.value;
  };
  /** One business call with the token; a token the server no longer knows is renewed once. */
  const call = async (build: (accessToken: string) => Promise<HttpAnswer>): Promise<Envelope> => {
    for (let attempt = 0; ; attempt += 1) {
      const answer = await build(await fetchToken());
      if (answer.status === 401 && attempt === 0) {
        token = null;
        continue;
      }
      const envelope = envelopeOf(answer);
      if (envelope.errcode === '1401' && attempt === 0) {
        token = null;
        continue;
      }
      return envelope;
    }
  };
  const withToken = (url: URL, accessToken: string) => {
    url.searchParams.set('access_token', accessToken);
    return url;
  };
  const failure = (envelope: Envelope, status: 'conflict' | 'rejected', imageCode?: string) => {
    if (envelope.errcode === '1401' || envelope.errcode === '1300') return new ImagingError('imaging-auth-failed', { errcode: envelope.errcode }, 'fix-settings');
    // The ERP voided the bill (废弃): nothing more goes up; a person checks with the bill's owner.
    if (envelope.errcode === '2011' && imageCode !== undefined) return voidedBillError(imageCode);
    const data = (envelope.data && typeof envelope.data === 'object' ? envelope.data : {}) as { missing?: unknown; beyond?: unknown };
    // Page numbers only, and a few of them: a server's list of a million becomes "1,2,…,20 …".
    const pagesOf = (list: unknown) => {
      const pages = Array.isArray(list) ? list.filter((page): page is number => Number.isInteger(page)) : [];
      return pages.length ? `${pages.slice(0, 20).join(',')}${pages.length > 20 ? ` … (${pages.length})` : ''}` : null;
    };
    const missing = pagesOf(data.missing);
    const beyond = pagesOf(data.beyond);
    const detail = missing ? ` missing ${missing}` : beyond ? ` beyond ${beyond}` : '';
    const params = describe(envelope);
    return new ImagingError(status === 'conflict' ? 'imaging-conflict' : 'imaging-rejected', { ...params, description: `${params.description}${detail}` }, 'needs-person');
  };

  const queryBill = async (imageCode: string): Promise<BillState> => {
    const envelope = await call((accessToken) => exchange(withToken(urlFor('query', imageCode), accessToken), { method: 'GET', timeoutMs: requestMs }));
    // An older server answers 2404 for a code it never saw; a newer one answers 0000 with 无影像.
    if (envelope.errcode === '2404') return unknownBill(imageCode);
    if (envelope.errcode !== '0000') throw failure(envelope, 'rejected', imageCode);
    return readBillState(imageCode, envelope.data);
  };
  const postJson = async (name: 'rounds' | 'return' | 'void' | 'imageScan', imageCode: string, body: unknown): Promise<BillState> => {
    const envelope = await call((accessToken) => exchange(withToken(urlFor(name, imageCode), accessToken), { method: 'POST', body: JSON.stringify(body), contentType: 'application/json', timeoutMs: requestMs }));
    if (envelope.errcode !== '0000') throw failure(envelope, ['2008', '2009'].includes(String(envelope.errcode)) ? 'conflict' : 'rejected', imageCode);
    return readBillState(imageCode, envelope.data);
  };
  /** The close body: the page count and the who-scanned-where fields given (nulls left out), the station's address filled in. */
  const closeBody = (pageCount: number, scan: ScanDetails | undefined) => {
    const fields: Record<string, unknown> = { pageCount };
    for (const [name, value] of Object.entries(scan ?? {})) if (value !== null && value !== undefined) fields[name] = value;
    if (fields.stationIp === undefined && lastLocalAddress !== null) fields.stationIp = lastLocalAddress;
    return JSON.stringify(fields);
  };

  return {
    kind: 'http',
    async uploadPage(upload) {
      const extension = pageExtension(upload.bytes);
      const name = `${String(upload.page).padStart(4, '0')}.${extension}`;
      const { body, contentType } = buildMultipart(
        { page: String(upload.page), sha256: upload.sha256, idempotencyKey: upload.idempotencyKey, originalFilename: name },
        { field: 'file', name, type: contentTypes[extension] ?? 'application/octet-stream', bytes: upload.bytes },
      );
      const envelope = await call((accessToken) => exchange(withToken(urlFor('upload', upload.imageCode), accessToken), { method: 'POST', body, contentType, timeoutMs: uploadMs }));
      if (envelope.errcode !== '0000') throw failure(envelope, ['2003', '2004', '2005', '2008'].includes(String(envelope.errcode)) ? 'conflict' : 'rejected', upload.imageCode);
      const receipt = envelope.data as PageReceipt | undefined;
      // The server's receipt must be for these bytes: anything else is not proof of delivery.
      if (!receipt || receipt.sha256 !== upload.sha256 || receipt.page !== upload.page) throw new ImagingError('imaging-bad-answer', { status: 200 }, 'retry');
      return receipt;
    },
    async closeBill(imageCode, pageCount, scan) {
      // The token call runs first, so the station's address is known before the close body is built.
      const envelope = await call((accessToken) =>
        exchange(withToken(urlFor('close', imageCode), accessToken), { method: 'POST', body: closeBody(pageCount, scan), contentType: 'application/json', timeoutMs: requestMs }),
      );
      if (envelope.errcode !== '0000') throw failure(envelope, ['2006', '2007', '2005', '2008'].includes(String(envelope.errcode)) ? 'conflict' : 'rejected', imageCode);
      return queryBill(imageCode);
    },
    queryBill,
    openRound: (imageCode, round) => postJson('rounds', imageCode, { round }),
    returnBill: (imageCode, reason) => postJson('return', imageCode, { ...(reason.text ? { reason: reason.text } : {}), ...(reason.code ? { reasonCode: reason.code } : {}) }),
    voidBill: (imageCode, reason) => postJson('void', imageCode, { reason }),
    setNeedImageScan: (imageCode, needImageScan) => postJson('imageScan', imageCode, { needImageScan }),
    async listRescanReasons() {
      const envelope = await call((accessToken) => exchange(withToken(urlFor('rescanReasons'), accessToken), { method: 'GET', timeoutMs: requestMs, maxBodyBytes: maxRescanReasonsAnswerBytes }));
      if (envelope.errcode !== '0000') throw failure(envelope, 'rejected');
      // The list names returns on the Scan desk: an answer that is not a sane list is refused whole.
      const checked = checkRescanReasons(envelope.data);
      if (!checked.ok) throw new ImagingError('imaging-rejected', { errcode: '0000', description: `rescan reasons: ${describeRescanReasonsFault(checked.fault)}` }, 'needs-person');
      return checked.reasons;
    },
  };
}
