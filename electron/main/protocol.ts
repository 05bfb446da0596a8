import type { Protocol } from 'electron';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { appHost, appScheme } from '../ipc/sender-check.js';
import { contentTypeFor, resolveStaticPath, securityHeaders } from '../server/static-files.js';

/** Must run before `app.whenReady()`: makes app:// a standard, secure origin. */
export function registerAppScheme(protocol: Protocol): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** Serves the bundled renderer on app://scan-station/ with the app's CSP; nothing outside it. */
export function serveRenderer(protocol: Protocol, rendererDir: string): void {
  const root = path.resolve(rendererDir);
  protocol.handle(appScheme, async (request) => {
    let target: string | null = null;
    try {
      const url = new URL(request.url);
      target = url.host === appHost ? resolveStaticPath(root, decodeURIComponent(url.pathname)) : null;
    } catch {
      // A malformed URL or a bad % escape: not ours to serve.
      return new Response('bad request', { status: 400 });
    }
    // Source maps are not shipped to the window.
    if (!target || target.endsWith('.map')) return new Response('not found', { status: 404 });
    // Client-side routes (no extension) fall back to the app shell.
    const file = path.extname(target) === '' ? path.join(root, 'index.html') : target;
    try {
      const body = await fs.readFile(file);
      return new Response(new Uint8Array(body), { headers: { ...securityHeaders, 'content-type': contentTypeFor(file) } });
    } catch {
      return new Response('not found', { status: 404 });
    }
  });
}
