import http from 'node:http';
import type net from 'node:net';

/** The proxy that applies to `url` from the settings or HTTPS_PROXY/HTTP_PROXY, honouring NO_PROXY. */
export function effectiveProxy(url: URL, settingsProxy: string | undefined, env: NodeJS.ProcessEnv): string | null {
  const noProxy = (env['NO_PROXY'] ?? env['no_proxy'] ?? '').split(',').map((entry) => entry.trim().toLowerCase()).filter(Boolean);
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const exempt = noProxy.some((raw) => {
    if (raw === '*') return true;
    const [name = '', entryPort] = raw.split(/:(?=\d+$)/);
    if (entryPort && entryPort !== port) return false;
    const bare = name.replace(/^\*?\./, '');
    return host === bare || host.endsWith(`.${bare}`);
  });
  if (exempt) return null;
  if (settingsProxy) return settingsProxy;
  const fromEnv = url.protocol === 'https:' ? (env['HTTPS_PROXY'] ?? env['https_proxy']) : (env['HTTP_PROXY'] ?? env['http_proxy']);
  return fromEnv || null;
}

/** A CONNECT the proxy refused; `status` is its HTTP answer (407 = it wants a login, 403 = not allowed). */
export class ProxyRefusedError extends Error {
  /** Stable code for classification. */
  readonly code = 'EPROXYREFUSED';
  /** The proxy's HTTP status. */
  readonly status: number;
  constructor(status: number) {
    super(`proxy answered ${status} to CONNECT`);
    this.status = status;
  }
}

/**
 * Opens a TCP tunnel to `host:port` through an HTTP proxy (CONNECT) and resolves with the raw socket,
 * over which the caller speaks TLS or plain TCP as if connected directly.
 */
export function openTunnel(proxy: URL, host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    const req = http.request({ host: proxy.hostname.replace(/^\[|\]$/g, ''), port: Number(proxy.port || 80), method: 'CONNECT', path: authority, headers: { host: authority }, agent: false });
    const timer = setTimeout(() => req.destroy(Object.assign(new Error('proxy timeout'), { code: 'ETIMEDOUT' })), timeoutMs);
    req.once('connect', (res, socket, head) => {
      clearTimeout(timer);
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(new ProxyRefusedError(res.statusCode ?? 0));
        return;
      }
      if (head.length) socket.unshift(head);
      resolve(socket);
    });
    req.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end();
  });
}
