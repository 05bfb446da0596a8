import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { openTunnel } from './proxy.js';

/** One HTTP exchange as the endpoint code needs it. */
export interface RequestOptions {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** PEM of an extra trusted CA (private deployments). */
  ca?: string;
  /** An http:// proxy this request goes through, or null for direct. */
  proxy?: string | null;
  /** Whole-exchange limit: connect, send, and read the answer. */
  timeoutMs: number;
  /** Bodies beyond this are cut (diagnostics never need more); default 1 MB. */
  maxBodyBytes?: number;
  /** A keep-alive agent for direct requests (the upload queue's adapter); without it, one connection per request. */
  agent?: http.Agent;
}

/** An HTTP answer. */
export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** This side's address on the connection the answer came over (for a proxied request: the connection to the proxy). */
  localAddress?: string;
}

const stripBrackets = (host: string) => host.replace(/^\[|\]$/g, '');

/** Connects TLS over an already open socket (a proxy tunnel), checking the chain and the host name. */
export function startTls(socket: net.Socket, host: string, ca: string | undefined): tls.TLSSocket {
  const bare = stripBrackets(host);
  return tls.connect({ socket, host: bare, servername: net.isIP(bare) ? undefined : bare, ca: ca ? [...tls.rootCertificates, ca] : undefined });
}

/**
 * Sends one request, directly or through an HTTP proxy (absolute-form for http, a CONNECT tunnel for
 * https), and reads the answer. A custom CA is added to, not substituted for, the system roots.
 */
export async function sendRequest(url: URL, options: RequestOptions): Promise<HttpAnswer> {
  const deadline = Date.now() + options.timeoutMs;
  const limit = options.maxBodyBytes ?? 1024 * 1024;
  const proxy = options.proxy ? new URL(options.proxy) : null;
  const body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
  const headers: Record<string, string> = { ...options.headers, ...(body ? { 'content-length': String(body.length) } : {}) };
  const ca = options.ca ? [...tls.rootCertificates, options.ca] : undefined;
  let requestOptions: https.RequestOptions;
  let tunnel: tls.TLSSocket | undefined;
  let client: typeof http | typeof https = url.protocol === 'https:' ? https : http;
  if (proxy && url.protocol === 'https:') {
    const port = Number(url.port || 443);
    const socket = await openTunnel(proxy, stripBrackets(url.hostname), port, options.timeoutMs);
    const secure = startTls(socket, url.hostname, options.ca);
    // The request reports errors while it runs; afterwards a reset of the finished tunnel is nobody's concern.
    secure.on('error', () => undefined);
    tunnel = secure;
    // A one-use agent hands the request our TLS-over-tunnel socket (with agent: false Node would dial directly).
    const agent = new https.Agent({ keepAlive: false });
    (agent as unknown as { createConnection: () => net.Socket }).createConnection = () => secure;
    requestOptions = { hostname: url.hostname, port, path: `${url.pathname}${url.search}`, method: options.method, headers, agent };
  } else if (proxy) {
    client = http;
    requestOptions = { hostname: stripBrackets(proxy.hostname), port: Number(proxy.port || 80), path: url.href, method: options.method, headers: { ...headers, host: url.host }, agent: false };
  } else {
    requestOptions = { hostname: stripBrackets(url.hostname), port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)), path: `${url.pathname}${url.search}`, method: options.method, headers, ca, agent: options.agent ?? false };
  }
  return new Promise((resolve, reject) => {
    const req = client.request(requestOptions, (res) => {
      // Read now: a kept-alive socket goes back to its pool, and may be gone, by the answer's end.
      const localAddress = res.socket?.localAddress;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < limit) chunks.push(chunk.subarray(0, limit - size));
        size += chunk.length;
      });
      res.on('end', () => {
        clearTimeout(timer);
        tunnel?.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), localAddress });
      });
      res.on('error', reject);
    });
    const timer = setTimeout(() => req.destroy(Object.assign(new Error('http timeout'), { code: 'ETIMEDOUT' })), Math.max(1, deadline - Date.now()));
    req.once('error', (error) => {
      clearTimeout(timer);
      tunnel?.destroy();
      reject(error);
    });
    req.end(body);
  });
}
