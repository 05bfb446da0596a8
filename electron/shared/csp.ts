/**
 * The renderer's Content-Security-Policy, one string for every place that serves it: the
 * Electron app:// protocol, the browser-mode server and the built index.html. No inline script,
 * no eval, no remote anything; all data reaches the page through the IPC contract.
 */
export const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** The same policy for a <meta> tag, which browsers ignore `frame-ancestors` in (headers carry it). */
export const contentSecurityPolicyMeta = contentSecurityPolicy
  .split('; ')
  .filter((directive) => !directive.startsWith('frame-ancestors'))
  .join('; ');
