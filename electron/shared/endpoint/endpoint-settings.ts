import { z } from 'zod';
import { describePayload } from '../display-text.js';
import { maxScanFieldLength } from '../imaging/erp-image-state.js';
import { findScanFieldFault } from '../station/scan-fields.js';

/** Preflight steps, in the order they run. */
export const preflightStepIds = ['settings', 'proxy', 'dns', 'tcp', 'tls', 'http', 'auth', 'clock', 'whitelist', 'folder'] as const;

/** Where the imaging system runs (NOTES.md, 影像系统配置). */
export const environmentPresets = ['public-demo', 'public-production', 'private', 'local-training'] as const;

/** How the tenant uses imaging; a scan station is not used in sync-to-submitter mode. */
export const imagingModes = ['basic', 'match', 'sync-to-submitter'] as const;

/** Hosts the public invoice-cloud presets accept. */
export const publicHosts = { 'public-demo': ['api-dev.piaozone.com', 'kdimage-demo.piaozone.com'], 'public-production': ['api.piaozone.com'] } as const;

/** Where uploads go: the imaging protocol over HTTP, or a shared folder another system imports from. */
export const uploadAdapters = ['http', 'folder'] as const;

/** The imaging protocol's paths (docs/imaging-protocol.md), relative to the API address. */
export const defaultImagingPaths = {
  token: '/base/oauth/token',
  upload: '/imaging/v1/bills/{imageCode}/pages',
  close: '/imaging/v1/bills/{imageCode}/close',
  query: '/imaging/v1/bills/{imageCode}',
  rounds: '/imaging/v1/bills/{imageCode}/rounds',
  return: '/imaging/v1/bills/{imageCode}/return',
  void: '/imaging/v1/bills/{imageCode}/void',
  imageScan: '/imaging/v1/bills/{imageCode}/image-scan',
  rescanReasons: '/imaging/v1/rescan-reasons',
} as const;

/** The protocol paths that name no bill (no `{imageCode}` in them). */
export const pathsWithoutImageCode: ReadonlyArray<keyof typeof defaultImagingPaths> = ['token', 'rescanReasons'];

const imagingPathSchema = z.string().max(300);

/** One endpoint profile as stored and exported: never any secret (the client secret lives in the secret store). */
export const endpointSettingsSchema = z.object({
  version: z.literal(1),
  profileName: z.string().max(80),
  preset: z.enum(environmentPresets),
  code: z.string().max(20),
  host: z.string().max(253),
  port: z.number().int().min(1).max(65535),
  scheme: z.enum(['http', 'https']),
  apiAddress: z.string().max(500),
  mode: z.enum(imagingModes),
  clientId: z.string().max(200),
  taxNumber: z.string().max(40),
  stationId: z.string().max(80),
  /** The station's scan point (扫描点), a name or number from the ERP's list; per station: not exported. */
  scanPoint: z.string().max(500).optional(),
  /** The station's scan user id (影像扫描用户) for when no clerk is signed in at the desk; per station: not exported. */
  scanUser: z.string().max(500).optional(),
  scanDpi: z.number().int(),
  /** PEM of the private deployment's own CA (public data, so it travels with exported profiles). */
  caCertificatePem: z.string().max(64_000).optional(),
  proxy: z.string().max(500).optional(),
  adapter: z.enum(uploadAdapters).default('http'),
  /** Target of the folder adapter (a local or UNC path). */
  folderPath: z.string().max(1000).optional(),
  /** Paths a deployment maps the imaging protocol to; missing ones use the defaults. */
  httpPaths: z
    .object({
      token: imagingPathSchema,
      upload: imagingPathSchema,
      close: imagingPathSchema,
      query: imagingPathSchema,
      rounds: imagingPathSchema,
      return: imagingPathSchema,
      void: imagingPathSchema,
      imageScan: imagingPathSchema,
      rescanReasons: imagingPathSchema,
    })
    .partial()
    .optional(),
});

/** An endpoint profile. */
export type EndpointSettings = z.output<typeof endpointSettingsSchema>;

/** The profile as saved: the scan point and scan user trimmed, and left out when empty. */
export function normalizeStationFields(settings: EndpointSettings): EndpointSettings {
  const { scanPoint, scanUser, ...rest } = settings;
  const point = scanPoint?.trim();
  const user = scanUser?.trim();
  return { ...rest, ...(point ? { scanPoint: point } : {}), ...(user ? { scanUser: user } : {}) };
}

/** A fresh station works out of the box against the built-in training server. */
export const defaultEndpointSettings: EndpointSettings = {
  version: 1,
  profileName: '本机练习 Local training',
  preset: 'local-training',
  code: 'FPY',
  host: '127.0.0.1',
  port: 80,
  scheme: 'http',
  apiAddress: 'http://127.0.0.1',
  mode: 'basic',
  clientId: 'training',
  taxNumber: '',
  stationId: 'station-1',
  scanDpi: 200,
  adapter: 'http',
};

/** One finding about a profile; `code` keys `endpointProblems.<code>` (message) and `endpointFixes.<code>`. */
export interface SettingsProblem {
  field: keyof EndpointSettings;
  code: string;
  severity: 'error' | 'warning';
  params: Record<string, string | number>;
}

const hostName = /^(?=.{1,253}$)(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*$/;
const ipv4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
/** 统一社会信用代码: 18 characters from digits and capitals without I, O, S, V, Z. */
const creditCode = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

const pemCertificate = /^(-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*)+$/;

/** True for a DNS name, an IPv4 address or a bracket-free IPv6 address. */
export function isHostOrIp(host: string): boolean {
  return ipv4.test(host) || hostName.test(host) || (/^[0-9a-f:]+$/i.test(host) && host.includes(':'));
}

/** Why a configured protocol path is refused (see {@link findImagingPathFault}). */
export type ImagingPathFault = 'other-host' | 'not-a-path' | 'dot-segment' | 'encoded' | 'characters' | 'image-code';

// A scheme ("http:", "javascript:"), or a start a URL parser reads as "another host follows": //, /\, \/, \\.
const otherHostStart = /^\s*([A-Za-z][A-Za-z0-9+.-]*:|[\\/][\\/])/;
// One path segment: RFC 3986 unreserved and sub-delims, ':' and '@' ('%' is refused: encoded dots and slashes hide).
const pathSegment = /^([A-Za-z0-9._~!$&'()*+,;=:@-]|\{imageCode\})+$/;

/**
 * Why a protocol path from a profile cannot be used, or null: it must be a plain absolute path on
 * the API address's host (the bill code slotted in at {imageCode} where `needsCode`), because every
 * request to it carries the station's token and pages.
 */
export function findImagingPathFault(value: string, needsCode: boolean): ImagingPathFault | null {
  if (otherHostStart.test(value)) return 'other-host';
  if (!value.startsWith('/')) return 'not-a-path';
  if (value.includes('%')) return 'encoded';
  const segments = value.slice(1).split('/');
  if (segments.some((segment) => segment === '.' || segment === '..')) return 'dot-segment';
  // The last segment may be empty (a trailing slash); an empty one inside would read as "//".
  if (segments.some((segment, index) => !(pathSegment.test(segment) || (segment === '' && index === segments.length - 1 && index > 0)))) return 'characters';
  if (needsCode !== value.includes('{imageCode}')) return 'image-code';
  return null;
}

/**
 * Checks a profile against the rules of NOTES.md and returns every problem, each with the field it
 * concerns; the UI and CLI turn codes into a message and the exact fix.
 */
export function validateEndpointSettings(settings: EndpointSettings): SettingsProblem[] {
  const problems: SettingsProblem[] = [];
  const add = (field: keyof EndpointSettings, code: string, params: Record<string, string | number> = {}, severity: 'error' | 'warning' = 'error') => problems.push({ field, code, severity, params });
  if (settings.profileName.trim() === '') add('profileName', 'profile-name-missing');
  // The station id names this desk in uploads and troubleshooting, and may become part of file names.
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/.test(settings.stationId)) add('stationId', 'station-id-invalid', { value: settings.stationId });
  // Kept by the ERP beside each image code (影像映射维护): short plain text, as the ERP's columns hold it.
  for (const field of ['scanPoint', 'scanUser'] as const) {
    // Blanks around it are not part of it (saving trims them).
    const value = settings[field]?.trim();
    const fault = value ? findScanFieldFault(value) : null;
    if (fault) add(field, `${field === 'scanPoint' ? 'scan-point' : 'scan-user'}-${fault}`, { value: describePayload(value ?? ''), max: maxScanFieldLength, length: [...(value ?? '')].length });
  }
  if (settings.code !== 'FPY') add('code', 'code-not-fpy', { value: settings.code });
  if (settings.mode === 'sync-to-submitter') add('mode', 'mode-sync-to-submitter');
  if (settings.taxNumber !== '' && !creditCode.test(settings.taxNumber)) add('taxNumber', 'tax-number-invalid', { value: settings.taxNumber }, 'warning');
  if (settings.scanDpi < 150 || settings.scanDpi > 600) add('scanDpi', 'scan-dpi-range', { value: settings.scanDpi });
  if (settings.adapter === 'folder') {
    // The network fields do not apply: pages are written to a folder another system imports from.
    if (!settings.folderPath?.trim()) add('folderPath', 'folder-path-missing');
    else if (!/^([A-Za-z]:[\\/]|\\\\[^\\]+\\[^\\]+|\/)/.test(settings.folderPath.trim())) add('folderPath', 'folder-path-relative', { value: settings.folderPath });
    return problems;
  }
  for (const [name, value] of Object.entries(settings.httpPaths ?? {})) {
    const fault = value === undefined ? null : findImagingPathFault(value, !(pathsWithoutImageCode as readonly string[]).includes(name));
    if (fault === null) continue;
    // A path that leaves the host would carry the token and every page elsewhere: named as such, not just "invalid".
    add('httpPaths', fault === 'other-host' ? 'http-path-other-host' : 'http-path-invalid', { name, value: describePayload(value ?? '') });
  }
  if (!isHostOrIp(settings.host)) add('host', 'host-invalid', { value: settings.host });
  if ((settings.scheme === 'http' && settings.port === 443) || (settings.scheme === 'https' && settings.port === 80)) {
    add('port', 'scheme-port-mismatch', { scheme: settings.scheme, port: settings.port, want: settings.scheme === 'http' ? 80 : 443 });
  }
  let api: URL | null = null;
  try {
    const parsed = new URL(settings.apiAddress);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme');
    api = parsed;
  } catch {
    add('apiAddress', 'api-address-invalid', { value: settings.apiAddress });
  }
  if (api) {
    if (api.protocol.slice(0, -1) !== settings.scheme) add('apiAddress', 'api-scheme-mismatch', { value: settings.apiAddress, scheme: settings.scheme }, 'warning');
    if (api.hostname !== settings.host && settings.preset !== 'local-training') add('apiAddress', 'api-host-mismatch', { value: api.hostname, host: settings.host }, 'warning');
    if (settings.preset === 'private' && !/\/api\/?$/.test(api.pathname)) {
      add('apiAddress', 'private-api-suffix', { value: settings.apiAddress, suggestion: `${api.origin}${api.pathname.replace(/\/+$/, '')}/api` });
    }
  }
  if (settings.preset === 'public-demo' || settings.preset === 'public-production') {
    const allowed: readonly string[] = publicHosts[settings.preset];
    if (!allowed.includes(settings.host)) add('host', 'preset-host', { value: settings.host, allowed: allowed.join(' / ') });
  }
  if (settings.preset !== 'local-training' && settings.clientId.trim() === '') add('clientId', 'client-id-missing');
  if (settings.proxy) {
    let proxy: URL | null = null;
    try {
      proxy = new URL(settings.proxy);
      if (proxy.protocol !== 'http:') throw new Error('scheme');
    } catch {
      add('proxy', 'proxy-invalid', { value: settings.proxy });
    }
    // A password in the address would sit in plain text in every exported profile.
    if (proxy && (proxy.username || proxy.password)) add('proxy', 'proxy-credentials', { value: `${proxy.protocol}//${proxy.host}` });
  }
  if (settings.caCertificatePem !== undefined && !pemCertificate.test(settings.caCertificatePem.trim())) add('caCertificatePem', 'ca-not-pem');
  if (settings.caCertificatePem !== undefined && settings.scheme === 'http') add('caCertificatePem', 'ca-unused', {}, 'warning');
  return problems;
}

/** What `exportEndpointProfile` writes: the profile without the station's own fields (id, scan point, scan user) and without secrets. */
export const endpointProfileExportSchema = z.object({
  format: z.literal('scan-station.endpoint-profile'),
  version: z.literal(1),
  exportedAt: z.string().max(40),
  profile: endpointSettingsSchema.omit({ stationId: true, scanPoint: true, scanUser: true }),
});

/** An exported profile file. */
export type EndpointProfileExport = z.output<typeof endpointProfileExportSchema>;

/** Field values each preset sets when chosen in Settings (the user may still edit them). */
export function presetDefaults(preset: EndpointSettings['preset']): Pick<EndpointSettings, 'host' | 'scheme' | 'port' | 'apiAddress'> {
  switch (preset) {
    case 'public-demo':
      // As Kingdee's imaging configuration guide lists them (NOTES.md): http on port 80.
      return { host: 'api-dev.piaozone.com', scheme: 'http', port: 80, apiAddress: 'http://api-dev.piaozone.com' };
    case 'public-production':
      return { host: 'api.piaozone.com', scheme: 'http', port: 80, apiAddress: 'http://api.piaozone.com' };
    case 'private':
      // Left empty on purpose: a made-up address could be saved by mistake; the rules ask for the real one.
      return { host: '', scheme: 'http', port: 80, apiAddress: '' };
    case 'local-training':
      return { host: '127.0.0.1', scheme: 'http', port: 80, apiAddress: 'http://127.0.0.1' };
  }
}

/** The four protocol paths this profile uses, defaults filled in. */
export function resolveImagingPaths(settings: Pick<EndpointSettings, 'httpPaths'>): Record<keyof typeof defaultImagingPaths, string> {
  return { ...defaultImagingPaths, ...Object.fromEntries(Object.entries(settings.httpPaths ?? {}).filter(([, value]) => value)) };
}

/** The first five parts of {@link secretEndpointOf}: what a binding held before the proxy and the CA were part of it. */
export function legacySecretEndpointOf(settings: EndpointSettings): string {
  return JSON.stringify([settings.scheme, settings.host.toLowerCase(), settings.port, settings.apiAddress.replace(/\/+$/, '').toLowerCase(), resolveImagingPaths(settings).token]);
}

/**
 * The address a client secret may be signed for: scheme, host, port, API address, token path, and
 * the proxy and CA the requests go through (a proxy sees every plain-http token and page; a CA
 * decides whose certificate is trusted as the server). A profile differing in any of them (edited,
 * or imported from elsewhere) must not receive signatures made with this station's secret until
 * someone enters or confirms the secret for it.
 */
export function secretEndpointOf(settings: EndpointSettings): string {
  const proxy = settings.proxy?.trim().replace(/\/+$/, '').toLowerCase() || null;
  // Line endings and surrounding blanks are not a different certificate.
  const ca = settings.caCertificatePem?.replace(/\r\n/g, '\n').trim() || null;
  return JSON.stringify([...(JSON.parse(legacySecretEndpointOf(settings)) as unknown[]), proxy, ca]);
}
