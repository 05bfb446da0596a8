import { promises as dns } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { signTokenRequest } from '../imaging/reference-server.js';
import { validateEndpointSettings, type EndpointSettings } from './endpoint-settings.js';

/** Preflight steps, in the order they run. */
export const preflightStepIds = ['settings', 'proxy', 'dns', 'tcp', 'tls', 'http', 'auth', 'clock', 'whitelist'] as const;

/** A step id. */
export type PreflightStepId = (typeof preflightStepIds)[number];

/** One finished step; `code` keys `preflight.codes.<code>` (message) and `preflight.fixes.<code>`. */
export interface PreflightStep {
  id: PreflightStepId;
  status: 'pass' | 'warn' | 'fail' | 'skipped';
  ms: number;
  code: string;
  params: Record<string, string | number>;
}

/** What a preflight checks with. */
export interface PreflightInput {
  settings: EndpointSettings;
  /** The client secret from the secret store; without it the auth step is skipped. */
  clientSecret?: string;
  /** PEM of a custom CA for private deployments with their own certificates. */
  caPem?: string;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  /** Per-step limits; a dead host costs at most dns + tcp. */
  timeouts?: { dnsMs?: number; tcpMs?: number; tlsMs?: number; httpMs?: number };
  /** Hosts a private server in match mode must reach (defaults: the invoice cloud, production or demo). */
  whitelistTargets?: Array<{ host: string; port: number }>;
}

/** The whole preflight: ok when no step failed. */
export interface PreflightReport {
  ok: boolean;
  steps: PreflightStep[];
}

type Outcome = Omit<PreflightStep, 'id' | 'ms'>;

const errorCode = (error: unknown) => (error && typeof error === 'object' && 'code' in error ? String((error as { code: unknown }).code) : '');

function withTimeout<T>(work: Promise<T>, ms: number, code: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(code), { code })), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** The proxy that applies to `url` from the settings or HTTPS_PROXY/HTTP_PROXY, honouring NO_PROXY. */
export function effectiveProxy(url: URL, settingsProxy: string | undefined, env: NodeJS.ProcessEnv): string | null {
  const noProxy = (env['NO_PROXY'] ?? env['no_proxy'] ?? '').split(',').map((entry) => entry.trim().toLowerCase()).filter(Boolean);
  const host = url.hostname.toLowerCase();
  if (noProxy.some((entry) => entry === '*' || host === entry.replace(/^\./, '') || host.endsWith(entry.startsWith('.') ? entry : `.${entry}`))) return null;
  if (settingsProxy) return settingsProxy;
  const fromEnv = url.protocol === 'https:' ? (env['HTTPS_PROXY'] ?? env['https_proxy']) : (env['HTTP_PROXY'] ?? env['http_proxy']);
  return fromEnv || null;
}

function tcpConnect(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(Object.assign(new Error('tcp timeout'), { code: 'ETIMEDOUT' }));
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

interface HttpAnswer {
  status: number;
  date: string | undefined;
  body: string;
}

function request(url: URL, options: { method: string; body?: string; ca?: string; timeoutMs: number }): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(url, { method: options.method, ca: options.ca, headers: options.body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(options.body) } : {} }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= 64 * 1024) chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, date: res.headers.date, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(options.timeoutMs, () => req.destroy(Object.assign(new Error('http timeout'), { code: 'ETIMEDOUT' })));
    req.once('error', reject);
    req.end(options.body);
  });
}

const untrustedCodes = new Set(['SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT']);

/** Maps a network error to a stable, documented code. */
export function classifyNetworkError(error: unknown): string {
  const code = errorCode(error);
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

/**
 * Proves, step by step, that this PC can reach and use the imaging endpoint. Steps after a failed
 * connection step are skipped rather than left to time out: a dead host costs only dns + tcp.
 */
export async function runPreflight(input: PreflightInput, onStep: (step: PreflightStep) => void = () => undefined): Promise<PreflightReport> {
  const now = input.now ?? (() => new Date());
  const env = input.env ?? process.env;
  const limits = { dnsMs: 3000, tcpMs: 3000, tlsMs: 4000, httpMs: 5000, ...input.timeouts };
  const steps: PreflightStep[] = [];
  let url: URL | null = null;
  let blocked: string | null = null;
  let serverDate: string | undefined;
  const run = async (id: PreflightStepId, work: () => Promise<Outcome>) => {
    const started = performance.now();
    let outcome: Outcome;
    if (blocked && id !== 'whitelist') outcome = { status: 'skipped', code: 'skipped-after-failure', params: { step: blocked } };
    else {
      try {
        outcome = await work();
      } catch (error) {
        outcome = { status: 'fail', code: classifyNetworkError(error), params: { reason: errorCode(error) || (error instanceof Error ? error.message : String(error)) } };
      }
    }
    if (outcome.status === 'fail' && ['settings', 'dns', 'tcp', 'tls', 'http'].includes(id)) blocked ??= id;
    const step: PreflightStep = { id, ms: Math.round(performance.now() - started), ...outcome };
    steps.push(step);
    onStep(step);
  };

  await run('settings', async (): Promise<Outcome> => {
    const problems = validateEndpointSettings(input.settings);
    const errors = problems.filter((problem) => problem.severity === 'error');
    try {
      url = new URL(input.settings.apiAddress);
    } catch {
      url = null;
    }
    if (errors.length) return { status: 'fail', code: 'settings-invalid', params: { count: errors.length, first: errors[0]?.code ?? '' } };
    return problems.length ? { status: 'warn', code: 'settings-warnings', params: { count: problems.length } } : { status: 'pass', code: 'settings-ok', params: {} };
  });
  const target = () => url as unknown as URL;
  const port = () => Number(target().port || (target().protocol === 'https:' ? 443 : 80));

  await run('proxy', async (): Promise<Outcome> => {
    const proxy = effectiveProxy(target(), input.settings.proxy, env);
    if (!proxy) return { status: 'pass', code: 'proxy-none', params: {} };
    const proxyUrl = new URL(proxy);
    await tcpConnect(proxyUrl.hostname, Number(proxyUrl.port || 80), limits.tcpMs);
    // The checks below still go direct; tunnelling them through the proxy is not implemented yet.
    return { status: 'warn', code: 'proxy-in-use', params: { proxy: `${proxyUrl.protocol}//${proxyUrl.host}` } };
  });

  await run('dns', async (): Promise<Outcome> => {
    const host = target().hostname.replace(/^\[|\]$/g, '');
    if (net.isIP(host)) return { status: 'pass', code: 'dns-ip-literal', params: { host } };
    const addresses = await withTimeout(dns.lookup(host, { all: true }), limits.dnsMs, 'dns-timeout');
    return { status: 'pass', code: 'dns-ok', params: { host, addresses: addresses.map((entry) => entry.address).join(', ') } };
  });

  await run('tcp', async (): Promise<Outcome> => {
    await tcpConnect(target().hostname.replace(/^\[|\]$/g, ''), port(), limits.tcpMs);
    return { status: 'pass', code: 'tcp-ok', params: { host: target().hostname, port: port() } };
  });

  await run('tls', async (): Promise<Outcome> => {
    if (target().protocol !== 'https:') return { status: 'skipped', code: 'tls-not-used', params: {} };
    const certificate = await withTimeout(
      new Promise<tls.PeerCertificate>((resolve, reject) => {
        const socket = tls.connect({ host: target().hostname, port: port(), servername: net.isIP(target().hostname) ? undefined : target().hostname, ca: input.caPem }, () => {
          const peer = socket.getPeerCertificate();
          socket.destroy();
          resolve(peer);
        });
        socket.once('error', reject);
      }),
      limits.tlsMs,
      'ETIMEDOUT',
    );
    const daysLeft = Math.floor((new Date(certificate.valid_to).getTime() - now().getTime()) / 86_400_000);
    if (daysLeft < 14) return { status: 'warn', code: 'certificate-expires-soon', params: { days: daysLeft } };
    return { status: 'pass', code: 'tls-ok', params: { days: daysLeft } };
  });

  await run('http', async (): Promise<Outcome> => {
    const answer = await request(target(), { method: 'GET', ca: input.caPem, timeoutMs: limits.httpMs });
    serverDate = answer.date;
    return answer.status >= 500 ? { status: 'warn', code: 'http-server-error', params: { status: answer.status } } : { status: 'pass', code: 'http-ok', params: { status: answer.status } };
  });

  await run('auth', async (): Promise<Outcome> => {
    if (!input.clientSecret) return { status: 'skipped', code: 'auth-no-secret', params: {} };
    const timestamp = String(now().getTime());
    const tokenUrl = new URL(`${target().pathname.replace(/\/+$/, '')}/base/oauth/token`, target());
    const answer = await request(tokenUrl, {
      method: 'POST',
      ca: input.caPem,
      timeoutMs: limits.httpMs,
      body: JSON.stringify({ client_id: input.settings.clientId, timestamp, sign: signTokenRequest(input.settings.clientId, input.clientSecret, timestamp) }),
    });
    serverDate = answer.date ?? serverDate;
    let envelope: { errcode?: unknown; description?: unknown; access_token?: unknown };
    try {
      envelope = JSON.parse(answer.body) as typeof envelope;
    } catch {
      return { status: 'fail', code: 'auth-not-json', params: { status: answer.status } };
    }
    // errcode is a string; anything but "0000" is a failure even with HTTP 200.
    if (envelope.errcode !== '0000' || typeof envelope.access_token !== 'string') {
      return { status: 'fail', code: 'auth-refused', params: { errcode: String(envelope.errcode ?? ''), description: String(envelope.description ?? '').slice(0, 200) } };
    }
    return { status: 'pass', code: 'auth-ok', params: {} };
  });

  await run('clock', async (): Promise<Outcome> => {
    if (!serverDate) return { status: 'skipped', code: 'clock-no-date', params: {} };
    const skew = Math.round((now().getTime() - new Date(serverDate).getTime()) / 1000);
    if (Math.abs(skew) > 300) return { status: 'fail', code: 'clock-skew', params: { seconds: skew } };
    if (Math.abs(skew) > 60) return { status: 'warn', code: 'clock-skew', params: { seconds: skew } };
    return { status: 'pass', code: 'clock-ok', params: { seconds: skew } };
  });

  await run('whitelist', async (): Promise<Outcome> => {
    if (input.settings.mode !== 'match' || input.settings.preset !== 'private') return { status: 'skipped', code: 'whitelist-not-needed', params: {} };
    const targets = input.whitelistTargets ?? [{ host: 'api.piaozone.com', port: 443 }, { host: 'api-dev.piaozone.com', port: 443 }];
    const unreachable: string[] = [];
    for (const entry of targets) {
      await tcpConnect(entry.host, entry.port, limits.tcpMs).catch(() => unreachable.push(`${entry.host}:${entry.port}`));
    }
    return unreachable.length === targets.length
      ? { status: 'fail', code: 'whitelist-unreachable', params: { hosts: unreachable.join(', ') } }
      : unreachable.length
        ? { status: 'warn', code: 'whitelist-partial', params: { hosts: unreachable.join(', ') } }
        : { status: 'pass', code: 'whitelist-ok', params: {} };
  });

  return { ok: !steps.some((step) => step.status === 'fail'), steps };
}
