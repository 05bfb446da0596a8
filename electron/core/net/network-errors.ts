import { ProxyRefusedError } from './proxy.js';

/** The `code` of a Node error (ECONNREFUSED, CERT_HAS_EXPIRED…), or ''. */
export function errorCode(error: unknown): string {
  return error && typeof error === 'object' && 'code' in error ? String((error as { code: unknown }).code) : '';
}

const untrustedCodes = new Set(['SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT']);

/** Maps a network error to a stable, documented code. */
export function classifyNetworkError(error: unknown): string {
  const code = errorCode(error);
  if (error instanceof ProxyRefusedError) return error.status === 407 ? 'proxy-auth-required' : 'proxy-refused';
  if (code === 'ECONNREFUSED') return 'connection-refused';
  if (code === 'ETIMEDOUT' || code === 'dns-timeout') return 'timeout';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns-not-found';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'host-unreachable';
  if (code === 'ECONNRESET') return 'connection-reset';
  if (untrustedCodes.has(code)) return 'untrusted-certificate';
  if (code === 'CERT_HAS_EXPIRED') return 'certificate-expired';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'hostname-mismatch';
  return 'network-error';
}

