// One HTTP exchange with an eSCL device: bounded in time and bytes, stopped by a signal, and tolerant of devices that drop the connection right after a complete answer.
import http from 'node:http';
import https from 'node:https';

/** One request to a device. */
export interface DeviceRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** An XML body (sent as `text/xml`). */
  body?: string;
  /** The whole exchange: connect, send, read the answer. */
  timeoutMs: number;
  /** Answers beyond this are refused (error code `EANSWERTOOBIG`). */
  maxBytes: number;
  signal: AbortSignal;
}

/** A device's answer. */
export interface DeviceAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** Error codes this module gives its own errors besides Node's (ECONNREFUSED, ETIMEDOUT…). */
export const deviceErrorCodes = { tooBig: 'EANSWERTOOBIG', cutOff: 'EANSWERCUTOFF' } as const;

const stripBrackets = (host: string) => host.replace(/^\[|\]$/g, '');

/** The error a cancelled request rejects with: the signal's reason, or an AbortError. */
export function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('The operation was aborted', 'AbortError');
}

/**
 * Sends one request and reads the whole answer. `https` devices are reached with their own
 * (mostly self-signed) certificate accepted: a scanner on the office network has no certificate a
 * public CA signed, the address was picked or typed by the clerk, and the station sends it nothing
 * secret — it only receives pages. The `Host` header is the host and port connected to (some
 * devices build links from it); an answer whose body arrived in full per `Content-Length` counts
 * even when the connection breaks afterwards (devices that drop TLS right after sending).
 */
export function requestDevice(url: URL, request: DeviceRequest): Promise<DeviceAnswer> {
  const { signal } = request;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  const secure = url.protocol === 'https:';
  const body = request.body === undefined ? undefined : Buffer.from(request.body, 'utf8');
  const headers: Record<string, string> = { host: url.host, accept: '*/*', connection: 'close' };
  if (body) Object.assign(headers, { 'content-type': 'text/xml; charset=utf-8', 'content-length': String(body.length) });
  const options: https.RequestOptions = {
    hostname: stripBrackets(url.hostname),
    port: Number(url.port || (secure ? 443 : 80)),
    path: `${url.pathname}${url.search}`,
    method: request.method,
    headers,
    agent: false,
    ...(secure ? { rejectUnauthorized: false } : {}),
  };
  return new Promise<DeviceAnswer>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | null, answer?: DeviceAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (error) {
        req.destroy();
        reject(error);
      } else {
        resolve(answer as DeviceAnswer);
      }
    };
    const onAbort = () => {
      finish(abortReason(signal));
    };
    let settleBroken: (() => void) | null = null;
    const req = (secure ? https : http).request(options, (res) => {
      const declared = res.headers['content-length'] === undefined ? null : Number(res.headers['content-length']);
      if (declared !== null && declared > request.maxBytes) {
        finish(Object.assign(new Error(`answer of ${declared} bytes over ${request.maxBytes}`), { code: deviceErrorCodes.tooBig }));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      const answer = () => ({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks, size) });
      // Whether what came is the whole answer although the connection broke: only a declared length can say.
      settleBroken = () => {
        if (declared !== null && size === declared) finish(null, answer());
        else finish(Object.assign(new Error(`answer cut off after ${size} bytes${declared === null ? '' : ` of ${declared}`}`), { code: deviceErrorCodes.cutOff }));
      };
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > request.maxBytes) finish(Object.assign(new Error(`answer over ${request.maxBytes} bytes`), { code: deviceErrorCodes.tooBig }));
        else chunks.push(chunk);
      });
      res.on('end', () => finish(null, answer()));
      res.on('error', () => settleBroken?.());
      res.on('close', () => {
        if (res.complete) finish(null, answer());
        else settleBroken?.();
      });
    });
    const timer = setTimeout(() => finish(Object.assign(new Error(`no full answer within ${request.timeoutMs} ms`), { code: 'ETIMEDOUT' })), request.timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    // After the answer began, the response's own events decide (see settleBroken).
    req.on('error', (error) => (settleBroken ? settleBroken() : finish(error)));
    req.end(body);
  });
}
