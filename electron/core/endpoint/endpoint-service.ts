import { createHash, X509Certificate } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  endpointProfileExportSchema,
  endpointSettingsSchema,
  legacySecretEndpointOf,
  normalizeStationFields,
  secretEndpointOf,
  validateEndpointSettings,
  type EndpointProfileExport,
  type EndpointSettings,
  type SettingsProblem,
} from '../../shared/endpoint/endpoint-settings.js';
import type { ErrorCode } from '../../shared/error-codes.js';
import { CoreError, schemaIssueParams } from '../base/errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { createFolderAdapter } from '../imaging/folder-adapter.js';
import { createHttpAdapter } from '../imaging/http-adapter.js';
import type { ImagingAdapter } from '../imaging/imaging-adapter.js';
import { startReferenceImagingServer, type ReferenceServer } from '../imaging/reference-server.js';
import type { Logger } from '../log/logger.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { runPreflight, type PreflightReport, type PreflightStep } from './preflight.js';
import { endpointSettingsFileName, readEndpointSettings } from './settings-file.js';

/** The training server's credentials: it listens on loopback only and holds practice scans. */
export const trainingClient = { id: 'training', secret: 'training-secret' } as const;

/** The file naming the endpoint the stored secret was entered for (not secret itself). */
export const secretBindingFileName = 'secret-binding.json';


/** The file that remembers the last preflight, so uploads can refuse to run after a failed one. */
export const lastPreflightFileName = 'preflight-last.json';

/** The station's profile as Settings shows it: never the secret itself, only whether one is stored. */
export interface EndpointView {
  settings: EndpointSettings;
  problems: SettingsProblem[];
  /** `forThisAddress`: false when the stored secret was entered for another address (it is then not used). */
  secret: { stored: boolean; protection: SecretStore['kind']; forThisAddress: boolean };
  lastPreflight: { at: string; ok: boolean; stale: boolean; failed: string[] } | null;
  /** Where the built-in training server really listens (a free port), once it has started. */
  trainingAddress: string | null;
}

/** The last preflight, remembered with the profile it checked. */
export interface LastPreflight {
  at: string;
  ok: boolean;
  /** SHA-256 of the profile and the secret's revision it ran with: a later change makes it stale. */
  fingerprint: string;
  failed: string[];
}

const lastPreflightSchema = z.object({ at: z.string(), ok: z.boolean(), fingerprint: z.string(), failed: z.array(z.string()) });

/** The station's endpoint: its profile and secret, import/export, the training server, the preflight and the upload gate. */
export interface EndpointService {
  readSettings(): Promise<EndpointView>;
  /**
   * Saves a profile; `clientSecret`: a string replaces it, null removes it, undefined keeps it.
   * A kept secret stays bound to the address it was entered for unless `keepSecretForNewAddress`.
   * Refuses a profile with errors.
   */
  saveSettings(settings: EndpointSettings, clientSecret?: string | null, options?: { keepSecretForNewAddress?: boolean }): Promise<EndpointView>;
  /** The profile as a file for other stations: no secret, no station id. */
  exportProfile(): Promise<string>;
  /** Reads an exported profile (or a bare one) into this station's profile, keeping its station id; does not save. */
  parseProfile(text: string, name?: string): Promise<{ settings: EndpointSettings; problems: SettingsProblem[] }>;
  preflight(onStep: (step: PreflightStep, index: number) => void): Promise<PreflightReport>;
  lastPreflight(): Promise<(LastPreflight & { stale: boolean }) | null>;
  /** Throws `preflight-missing` / `preflight-failed` / `preflight-stale` unless the last preflight passed for this very profile. */
  assertUploadAllowed(): Promise<void>;
  /** The configured adapter, after the gate; the upload queue sends through it. */
  openAdapter(use?: 'upload' | 'query'): Promise<ImagingAdapter>;
  /**
   * The imaging system refused this station while uploading (authentication, clock, certificate):
   * the last passing check no longer holds, so it is recorded as failed at the step concerned. The
   * gate then reads shut everywhere, consistently, until a check passes again.
   */
  recordUploadRefusal(code: ErrorCode): Promise<void>;
  /** The stored client secret (if any), only for scrubbing it out of anything exported; never shown or logged. */
  secretsToRedact(): Promise<string[]>;
  close(): Promise<void>;
}

/** Options of the endpoint service. */
export interface EndpointServiceOptions {
  dataDir: string;
  log: Logger;
  secrets: SecretStore;
  now: () => Date;
  env?: NodeJS.ProcessEnv;
}

/** Refuses a CA text that is not a parseable certificate (the shape check runs in validation). */
function checkCaCertificate(pem: string | undefined): void {
  if (pem === undefined) return;
  try {
    new X509Certificate(pem);
  } catch (error) {
    throw new CoreError('ca-certificate-invalid', { reason: 'unrecognised', detail: error instanceof Error ? error.message.slice(0, 120) : 'parse' }, { cause: error });
  }
}

/**
 * Creates the service. A fresh install is in "local training" mode: the reference imaging server
 * runs in-process on 127.0.0.1 (started on first use), so the whole flow works with no setup.
 */
export function createEndpointService(options: EndpointServiceOptions): EndpointService {
  const settingsFile = path.join(options.dataDir, endpointSettingsFileName);
  const lastFile = path.join(options.dataDir, lastPreflightFileName);
  const revisionFile = path.join(options.dataDir, 'secret-revision');
  const bindingFile = path.join(options.dataDir, secretBindingFileName);
  const writeBinding = (settings: EndpointSettings) => writeFileAtomic(bindingFile, `${JSON.stringify({ endpoint: secretEndpointOf(settings) })}\n`);
  /** Where the stored secret may go; a secret from before bindings existed belongs to the profile saved then. */
  const readBinding = async (): Promise<string | null> => {
    try {
      const parsed = z.object({ endpoint: z.string() }).safeParse(JSON.parse(await fs.readFile(bindingFile, 'utf8')));
      if (parsed.success) {
        // A binding from before the proxy and CA were part of it holds for the profile it matches,
        // with that profile's proxy and CA: an update must not leave every station without its secret.
        const current = parsed.data.endpoint.startsWith('[') && (JSON.parse(parsed.data.endpoint) as unknown[]).length === 5 ? await readProfile() : null;
        if (current && legacySecretEndpointOf(current) === parsed.data.endpoint) {
          await writeBinding(current);
          return secretEndpointOf(current);
        }
        return parsed.data.endpoint;
      }
    } catch {
      // Missing or damaged: handled below.
    }
    if (!(await options.secrets.has('endpoint.clientSecret'))) return null;
    const current = await readProfile();
    await writeBinding(current);
    return secretEndpointOf(current);
  };
  const secretIsFor = async (settings: EndpointSettings) => (await readBinding()) === secretEndpointOf(settings);
  let training: Promise<ReferenceServer> | undefined;
  let openedAdapter: { key: string; adapter: ImagingAdapter } | null = null;
  let trainingAddress: string | null = null;
  const startTraining = () =>
    (training ??= startReferenceImagingServer({ dataDir: path.join(options.dataDir, 'training-imaging'), clients: { [trainingClient.id]: trainingClient.secret }, now: options.now }).then((server) => {
      options.log.info('endpoint.training-server', { url: server.url });
      trainingAddress = server.url;
      return server;
    }));
  const readProfile = () => readEndpointSettings(settingsFile, { missingIsDefault: true });
  const view = async (settings: EndpointSettings): Promise<EndpointView> => {
    const last = await lastPreflightFor(settings);
    return {
      settings,
      problems: validateEndpointSettings(settings),
      secret: { stored: await options.secrets.has('endpoint.clientSecret'), protection: options.secrets.kind, forThisAddress: await secretIsFor(settings) },
      lastPreflight: last && { at: last.at, ok: last.ok, stale: last.stale, failed: last.failed },
      trainingAddress: settings.preset === 'local-training' ? trainingAddress : null,
    };
  };
  /** The secret's revision changes on every save, so a new secret also invalidates the last preflight without hashing the secret. */
  const secretRevision = async () => (await fs.readFile(revisionFile, 'utf8').catch(() => '0')).trim();
  const fingerprintOf = async (settings: EndpointSettings) => {
    // Who scans where changes no connection: setting the scan point or scan user keeps the last check.
    const { scanPoint: _point, scanUser: _user, ...connection } = settings;
    return createHash('sha256').update(JSON.stringify(connection)).update(`\0${await secretRevision()}`).digest('hex');
  };
  /** What the checks and the adapter run against: the training server stands in for a local-training profile. */
  const resolveTarget = async (settings: EndpointSettings): Promise<{ settings: EndpointSettings; clientSecret: string | undefined; secretProblem?: 'missing' | 'other-endpoint' }> => {
    if (settings.preset === 'local-training' && settings.adapter === 'http') {
      const server = await startTraining();
      return { settings: { ...settings, apiAddress: server.url, host: '127.0.0.1', scheme: 'http', port: 80, clientId: trainingClient.id, proxy: undefined }, clientSecret: trainingClient.secret };
    }
    if (!(await options.secrets.has('endpoint.clientSecret'))) return { settings, clientSecret: undefined, secretProblem: 'missing' };
    // The secret only ever signs for the address it was entered for.
    if (!(await secretIsFor(settings))) return { settings, clientSecret: undefined, secretProblem: 'other-endpoint' };
    return { settings, clientSecret: await options.secrets.get('endpoint.clientSecret') };
  };
  const readLast = async (): Promise<LastPreflight | null> => {
    try {
      const parsed = lastPreflightSchema.safeParse(JSON.parse(await fs.readFile(lastFile, 'utf8')));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  };
  /** The last preflight, stale unless it ran with exactly these settings and the current secret. */
  async function lastPreflightFor(settings: EndpointSettings) {
    const last = await readLast();
    if (!last) return null;
    return { ...last, stale: last.fingerprint !== (await fingerprintOf(settings)) };
  }
  const lastPreflight = async () => lastPreflightFor(await readProfile());
  const assertUploadAllowed = async () => {
    const last = await lastPreflight();
    if (!last) throw new CoreError('preflight-missing');
    if (last.stale) throw new CoreError('preflight-stale', { at: last.at });
    if (!last.ok) throw new CoreError('preflight-failed', { steps: last.failed.join(', '), at: last.at });
  };

  return {
    readSettings: async () => view(await readProfile()),
    async saveSettings(candidate, clientSecret, saveOptions = {}) {
      const settings = normalizeStationFields(endpointSettingsSchema.parse(candidate));
      const errors = validateEndpointSettings(settings).filter((problem) => problem.severity === 'error');
      if (errors.length) throw new CoreError('settings-invalid', { count: errors.length, first: errors[0]?.code ?? '' });
      checkCaCertificate(settings.caCertificatePem);
      // Bind an existing secret to the profile it was used with before this save changes the address.
      await readBinding();
      await writeFileAtomic(settingsFile, `${JSON.stringify(settings, null, 2)}\n`);
      if (clientSecret !== undefined) {
        if (clientSecret === null || clientSecret === '') {
          await options.secrets.delete('endpoint.clientSecret');
          await fs.rm(bindingFile, { force: true });
        } else {
          await options.secrets.set('endpoint.clientSecret', clientSecret);
          await writeBinding(settings);
        }
        await writeFileAtomic(revisionFile, String(Number(await secretRevision()) + 1));
      } else if (saveOptions.keepSecretForNewAddress && (await options.secrets.has('endpoint.clientSecret')) && !(await secretIsFor(settings))) {
        await writeBinding(settings);
        await writeFileAtomic(revisionFile, String(Number(await secretRevision()) + 1));
        options.log.info('endpoint.secret-rebound', { preset: settings.preset });
      }
      // Field names only: values such as hosts are fine in the log, the secret never reaches it.
      options.log.info('endpoint.settings-saved', { preset: settings.preset, adapter: settings.adapter, secretChanged: clientSecret !== undefined });
      return view(settings);
    },
    async exportProfile() {
      // The station's own fields stay here: twenty stations share one profile, each its own id, scan point and scan user.
      const { stationId: _station, scanPoint: _point, scanUser: _user, ...profile } = await readProfile();
      const file: EndpointProfileExport = { format: 'scan-station.endpoint-profile', version: 1, exportedAt: options.now().toISOString(), profile };
      return `${JSON.stringify(file, null, 2)}\n`;
    },
    async parseProfile(text, name = 'profile') {
      let json: unknown;
      try {
        json = JSON.parse(text.replace(/^\ufeff/, ''));
      } catch (error) {
        throw new CoreError('settings-file-invalid', { name, reason: 'not-json' }, { cause: error });
      }
      const current = await readProfile();
      const exported = endpointProfileExportSchema.safeParse(json);
      const bare = exported.success ? null : endpointSettingsSchema.safeParse(json);
      if (!exported.success && !bare?.success) {
        const issues = (bare?.error ?? exported.error).issues;
        throw new CoreError('settings-file-invalid', { name, ...schemaIssueParams(issues) });
      }
      // Each station keeps its own id, scan point and scan user: twenty stations importing one profile must stay twenty stations.
      const own = { stationId: current.stationId, scanPoint: current.scanPoint, scanUser: current.scanUser };
      const settings: EndpointSettings = normalizeStationFields(exported.success ? { ...exported.data.profile, ...own } : { ...(bare?.data as EndpointSettings), ...own });
      return { settings, problems: validateEndpointSettings(settings) };
    },
    async preflight(onStep) {
      const profile = await readProfile();
      const fingerprint = await fingerprintOf(profile);
      let target: { settings: EndpointSettings; clientSecret: string | undefined; secretProblem?: 'missing' | 'other-endpoint' };
      try {
        target = await resolveTarget(profile);
      } catch (error) {
        // An unreadable secret is reported by the auth step, not as a crash of the whole check.
        if (!(error instanceof CoreError)) throw error;
        target = { settings: profile, clientSecret: undefined };
      }
      let index = 0;
      const report = await runPreflight({ settings: target.settings, clientSecret: target.clientSecret, secretProblem: target.secretProblem, env: options.env, now: options.now }, (step) => onStep(step, index++));
      const failed = report.steps.filter((step) => step.status === 'fail').map((step) => step.id);
      const last: LastPreflight = { at: options.now().toISOString(), ok: report.ok, fingerprint, failed };
      await writeFileAtomic(lastFile, `${JSON.stringify(last, null, 1)}\n`);
      options.log.info('endpoint.preflight', { ok: report.ok, failed });
      return report;
    },
    lastPreflight,
    assertUploadAllowed,
    async openAdapter(use = 'upload') {
      // Queries change nothing on the server: the troubleshooter may ask even while the gate is shut.
      if (use === 'upload') await assertUploadAllowed();
      const target = await resolveTarget(await readProfile());
      // The same settings and secret give the same adapter: its token (and connections) are reused
      // from bill to bill instead of asking for a new token for every bill.
      const key = createHash('sha256').update(JSON.stringify([target.settings, target.clientSecret ?? null])).digest('hex');
      if (openedAdapter?.key === key) return openedAdapter.adapter;
      let adapter: ImagingAdapter;
      switch (target.settings.adapter) {
        case 'folder':
          adapter = createFolderAdapter({ folder: target.settings.folderPath ?? '', now: options.now });
          break;
        case 'http':
          if (!target.clientSecret) throw new CoreError('secret-unreadable', { reason: target.secretProblem === 'other-endpoint' ? 'other-endpoint' : 'no-secret' });
          adapter = createHttpAdapter({ settings: target.settings, clientSecret: target.clientSecret, env: options.env, now: options.now });
          break;
      }
      openedAdapter = { key, adapter };
      return adapter;
    },
    async recordUploadRefusal(code) {
      const last = await readLast();
      if (!last?.ok) return;
      const step = code === 'imaging-auth-failed' ? 'auth' : code === 'imaging-clock-skew' ? 'clock' : code === 'imaging-bad-answer' ? 'http' : 'tls';
      await writeFileAtomic(lastFile, `${JSON.stringify({ ...last, at: options.now().toISOString(), ok: false, failed: [step] }, null, 1)}\n`);
      options.log.warn('endpoint.upload-refused', { code, step });
    },
    async secretsToRedact() {
      const stored = (await options.secrets.has('endpoint.clientSecret')) ? await options.secrets.get('endpoint.clientSecret').catch(() => null) : null;
      return stored ? [stored] : [];
    },
    async close() {
      if (training) await (await training).close();
      training = undefined;
    },
  };
}
