import path from 'node:path';
import { contentSecurityPolicy } from '../shared/csp.js';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/** Headers every response from the renderer's origin carries. */
export const securityHeaders = {
  'content-security-policy': contentSecurityPolicy,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** The Content-Type for a static file, by extension. */
export function contentTypeFor(file: string): string {
  return contentTypes[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Maps a URL path into the static folder, or null when it would escape it. */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  if (urlPath.includes('\0')) return null;
  const relative = path.normalize(urlPath).replace(/^([/\\])+/, '');
  const target = path.resolve(root, relative === '' ? 'index.html' : relative);
  return target === root || target.startsWith(root + path.sep) ? target : null;
}

