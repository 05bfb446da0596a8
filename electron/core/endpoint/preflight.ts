import { promises as dns } from 'node:dns';
import { constants as fsConstants, promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { preflightStepIds, resolveImagingPaths, validateEndpointSettings, type EndpointSettings } from '../../shared/endpoint/endpoint-settings.js';
import { buildEndpointUrl } from '../imaging/endpoint-url.js';
import { ImagingError } from '../imaging/imaging-adapter.js';
import { signTokenRequest } from '../imaging/token-sign.js';
import { sendRequest } from '../net/http-request.js';
import { classifyNetworkError, errorCode } from '../net/network-errors.js';
import { effectiveProxy, openTunnel, ProxyRefusedError } from '../net/proxy.js';


export { preflightStepIds };

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
  /** The client secret from the secret store; without it the auth step fails (nothing can be uploaded). */
  clientSecret?: string;
  /** Why there is no secret to use: none stored, or one stored for another address (see the endpoint service). */
  secretProblem?: 'missing' | 'other-endpoint';
  /** PEM of a custom CA for private deployments; defaults to the profile's own. */
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


function withTimeout<T>(work: Promise<T>, ms: number, code: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(code), { code })), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
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

/**
 * Proves, step by step, that this PC can reach and use the imaging endpoint. Steps after a failed
 * connection step are skipped rather than left to time out: a dead host costs only dns + tcp.
 */
export async function runPreflight(input: PreflightInput, onStep: (step: PreflightStep) => void = () => undefined): Promise<PreflightReport> {
  const now = input.now ?? (() => new Date());
  const env = input.env ?? process.env;
  const limits = { dnsMs: 3000, tcpMs: 3000, tlsMs: 4000, httpMs: 5000, ...input.timeouts };
  const caPem = input.caPem ?? input.settings.caCertificatePem;
  const folderMode = input.settings.adapter === 'folder';
  const steps: PreflightStep[] = [];
  let url: URL | null = null;
  let proxy: URL | null = null;
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
        outcome = { status: 'fail', code: classifyNetworkError(error), params: { reason: error instanceof ProxyRefusedError ? error.status : errorCode(error) || (error instanceof Error ? error.message : String(error)) } };
      }
    }
    if (outcome.status === 'fail' && ['settings', 'proxy', 'dns', 'tcp', 'tls', 'http'].includes(id)) blocked ??= id;
    const step: PreflightStep = { id, ms: Math.round(performance.now() - started), ...outcome };
    steps.push(step);
    onStep(step);
  };
  /** Network steps of the http adapter; the folder adapter writes to a path instead. */
  const network = (id: PreflightStepId, work: () => Promise<Outcome>) => run(id, folderMode ? async () => ({ status: 'skipped', code: 'network-not-used', params: {} }) : work);

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
  const host = () => target().hostname.replace(/^\[|\]$/g, '');
  const port = () => Number(target().port || (target().protocol === 'https:' ? 443 : 80));
  const proxied = () => proxy !== null;

  await network('proxy', async (): Promise<Outcome> => {
    const chosen = effectiveProxy(target(), input.settings.proxy, env);
    if (!chosen) return { status: 'pass', code: 'proxy-none', params: {} };
    proxy = new URL(chosen);
    await tcpConnect(proxy.hostname.replace(/^\[|\]$/g, ''), Number(proxy.port || 80), limits.tcpMs);
    return { status: 'pass', code: 'proxy-in-use', params: { proxy: `${proxy.protocol}//${proxy.host}` } };
  });

  await network('dns', async (): Promise<Outcome> => {
    if (net.isIP(host())) return { status: 'pass', code: 'dns-ip-literal', params: { host: host() } };
    // Behind a proxy the proxy resolves names; stations there often have no outside DNS at all.
    if (proxied()) return { status: 'skipped', code: 'dns-by-proxy', params: { host: host() } };
    const addresses = await withTimeout(dns.lookup(host(), { all: true }), limits.dnsMs, 'dns-timeout');
    return { status: 'pass', code: 'dns-ok', params: { host: host(), addresses: addresses.map((entry) => entry.address).join(', ') } };
  });

  await network('tcp', async (): Promise<Outcome> => {
    if (proxy && target().protocol === 'http:') return { status: 'skipped', code: 'tcp-by-proxy', params: { host: target().host } };
    if (proxy) {
      (await openTunnel(proxy, host(), port(), limits.tcpMs)).destroy();
      return { status: 'pass', code: 'tcp-ok-proxy', params: { host: host(), port: port() } };
    }
    await tcpConnect(host(), port(), limits.tcpMs);
    return { status: 'pass', code: 'tcp-ok', params: { host: host(), port: port() } };
  });

  await network('tls', async (): Promise<Outcome> => {
    if (target().protocol !== 'https:') return { status: 'skipped', code: 'tls-not-used', params: {} };
    const socket = proxy ? await openTunnel(proxy, host(), port(), limits.tcpMs) : undefined;
    const certificate = await withTimeout(
      new Promise<tls.PeerCertificate>((resolve, reject) => {
        const options: tls.ConnectionOptions = { host: host(), port: port(), servername: net.isIP(host()) ? undefined : host(), ca: caPem ? [...tls.rootCertificates, caPem] : undefined, socket };
        const secure = tls.connect(options, () => {
          const peer = secure.getPeerCertificate();
          secure.destroy();
          resolve(peer);
        });
        secure.on('error', reject);
      }),
      limits.tlsMs,
      'ETIMEDOUT',
    ).finally(() => socket?.destroy());
    const daysLeft = Math.floor((new Date(certificate.valid_to).getTime() - now().getTime()) / 86_400_000);
    if (daysLeft < 14) return { status: 'warn', code: 'certificate-expires-soon', params: { days: daysLeft } };
    return { status: 'pass', code: 'tls-ok', params: { days: daysLeft } };
  });

  await network('http', async (): Promise<Outcome> => {
    const answer = await sendRequest(target(), { method: 'GET', ca: caPem, proxy: proxy?.href ?? null, timeoutMs: limits.httpMs, maxBodyBytes: 64 * 1024 });
    serverDate = headerText(answer.headers.date);
    if (proxy && (answer.status === 502 || answer.status === 504)) return { status: 'fail', code: 'proxy-upstream', params: { status: answer.status } };
    return answer.status >= 500 ? { status: 'warn', code: 'http-server-error', params: { status: answer.status } } : { status: 'pass', code: 'http-ok', params: { status: answer.status } };
  });

  await network('auth', async (): Promise<Outcome> => {
    // No secret means no upload: a failed step with its fix, never a pass that the gate would trust.
    if (!input.clientSecret) return { status: 'fail', code: input.secretProblem === 'other-endpoint' ? 'auth-secret-other-endpoint' : 'auth-no-secret', params: {} };
    const timestamp = String(now().getTime());
    let tokenUrl: URL;
    try {
      tokenUrl = buildEndpointUrl(target(), 'token', resolveImagingPaths(input.settings).token);
    } catch (error) {
      // Only reached if validation was bypassed: the signature goes nowhere but the API address's host.
      if (error instanceof ImagingError) return { status: 'fail', code: 'auth-path-refused', params: error.params };
      throw error;
    }
    const answer = await sendRequest(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      ca: caPem,
      proxy: proxy?.href ?? null,
      timeoutMs: limits.httpMs,
      maxBodyBytes: 64 * 1024,
      body: JSON.stringify({ client_id: input.settings.clientId, timestamp, sign: signTokenRequest(input.settings.clientId, input.clientSecret, timestamp) }),
    });
    serverDate = headerText(answer.headers.date) ?? serverDate;
    let envelope: { errcode?: unknown; description?: unknown; access_token?: unknown };
    try {
      envelope = JSON.parse(answer.body.toString('utf8')) as typeof envelope;
    } catch {
      return { status: 'fail', code: 'auth-not-json', params: { status: answer.status } };
    }
    // errcode is a string; anything but "0000" is a failure even with HTTP 200.
    if (envelope.errcode !== '0000' || typeof envelope.access_token !== 'string') {
      return { status: 'fail', code: 'auth-refused', params: { errcode: String(envelope.errcode ?? ''), description: String(envelope.description ?? '').slice(0, 200) } };
    }
    return { status: 'pass', code: 'auth-ok', params: {} };
  });

  await network('clock', async (): Promise<Outcome> => {
    if (!serverDate) return { status: 'skipped', code: 'clock-no-date', params: {} };
    const skew = Math.round((now().getTime() - new Date(serverDate).getTime()) / 1000);
    if (Math.abs(skew) > 300) return { status: 'fail', code: 'clock-skew', params: { seconds: skew } };
    if (Math.abs(skew) > 60) return { status: 'warn', code: 'clock-skew', params: { seconds: skew } };
    return { status: 'pass', code: 'clock-ok', params: { seconds: skew } };
  });

  await network('whitelist', async (): Promise<Outcome> => {
    if (input.settings.mode !== 'match' || input.settings.preset !== 'private') return { status: 'skipped', code: 'whitelist-not-needed', params: {} };
    const targets = input.whitelistTargets ?? [{ host: 'api.piaozone.com', port: 443 }, { host: 'api-dev.piaozone.com', port: 443 }];
    const unreachable: string[] = [];
    for (const entry of targets) {
      const through = effectiveProxy(new URL(`https://${entry.host}:${entry.port}`), input.settings.proxy, env);
      const attempt = through ? openTunnel(new URL(through), entry.host, entry.port, limits.tcpMs).then((socket) => socket.destroy()) : tcpConnect(entry.host, entry.port, limits.tcpMs);
      await attempt.catch(() => unreachable.push(`${entry.host}:${entry.port}`));
    }
    return unreachable.length === targets.length
      ? { status: 'fail', code: 'whitelist-unreachable', params: { hosts: unreachable.join(', ') } }
      : unreachable.length
        ? { status: 'warn', code: 'whitelist-partial', params: { hosts: unreachable.join(', ') } }
        : { status: 'pass', code: 'whitelist-ok', params: {} };
  });

  await run('folder', async (): Promise<Outcome> => {
    if (!folderMode) return { status: 'skipped', code: 'folder-not-used', params: {} };
    return checkUploadFolder(input.settings.folderPath ?? '');
  });

  return { ok: !steps.some((step) => step.status === 'fail'), steps };
}

const headerText = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** The folder adapter's target must exist, be a folder, and take a file (written, read back, removed). */
async function checkUploadFolder(folder: string): Promise<Outcome> {
  const stat = await fs.stat(folder).catch(() => null);
  if (!stat) return { status: 'fail', code: 'folder-missing', params: { folder } };
  if (!stat.isDirectory()) return { status: 'fail', code: 'folder-not-directory', params: { folder } };
  const probe = path.join(folder, `.scan-station-probe-${process.pid}-${Date.now()}`);
  try {
    await fs.access(folder, fsConstants.W_OK);
    await fs.writeFile(probe, 'probe');
    if ((await fs.readFile(probe, 'utf8')) !== 'probe') throw new Error('read back differs');
  } catch (error) {
    return { status: 'fail', code: 'folder-not-writable', params: { folder, reason: errorCode(error) || String(error) } };
  } finally {
    await fs.rm(probe, { force: true });
  }
  const space = await fs.statfs(folder).catch(() => null);
  const freeMb = space ? Math.floor((space.bavail * space.bsize) / 1024 / 1024) : -1;
  if (freeMb >= 0 && freeMb < 1024) return { status: 'warn', code: 'folder-low-space', params: { folder, mb: freeMb } };
  return { status: 'pass', code: 'folder-ok', params: { folder } };
}
