import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';

/** A running test proxy and what went through it. */
export interface TestProxy {
  url: string;
  /** `CONNECT host:port` and `GET http://…` lines, in order. */
  seen: string[];
  close(): Promise<void>;
}

/**
 * A real forward proxy on loopback, as a corporate proxy behaves: CONNECT tunnels for https,
 * absolute-form requests for http. `refuse` answers every request with that status instead.
 */
export async function startTestProxy(options: { refuse?: number } = {}): Promise<TestProxy> {
  const seen: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (options.refuse) {
      res.writeHead(options.refuse).end();
      return;
    }
    const target = new URL(req.url ?? '');
    const upstream = http.request({ hostname: target.hostname, port: target.port || 80, path: `${target.pathname}${target.search}`, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.once('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    sockets.add(client);
    if (options.refuse) {
      client.end(`HTTP/1.1 ${options.refuse} Refused\r\n\r\n`);
      return;
    }
    const [host = '', port = '443'] = (req.url ?? '').split(/:(?=\d+$)/);
    const upstream = net.connect(Number(port), host.replace(/^\[|\]$/g, ''), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.once('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'));
    client.once('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
