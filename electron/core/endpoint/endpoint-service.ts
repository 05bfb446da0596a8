import path from 'node:path';
import { startReferenceImagingServer, type ReferenceServer } from '../imaging/reference-server.js';
import type { Logger } from '../log/logger.js';
import { validateEndpointSettings, type EndpointSettings, type SettingsProblem } from './endpoint-settings.js';
import { runPreflight, type PreflightReport, type PreflightStep } from './preflight.js';
import { endpointSettingsFileName, readEndpointSettings } from './settings-file.js';

/** The training server's credentials: it listens on loopback only and holds practice scans. */
export const trainingClient = { id: 'training', secret: 'training-secret' } as const;

/** The station's endpoint: its profile, the built-in training server, and the preflight. */
export interface EndpointService {
  readSettings(): Promise<{ settings: EndpointSettings; problems: SettingsProblem[] }>;
  preflight(onStep: (step: PreflightStep, index: number) => void): Promise<PreflightReport>;
  close(): Promise<void>;
}

/**
 * Creates the service. A fresh install is in "local training" mode: the reference imaging server
 * runs in-process on 127.0.0.1 (started on first use), so the whole flow works with no setup.
 */
export function createEndpointService(options: { dataDir: string; log: Logger }): EndpointService {
  let training: Promise<ReferenceServer> | undefined;
  const startTraining = () =>
    (training ??= startReferenceImagingServer({ dataDir: path.join(options.dataDir, 'training-imaging'), clients: { [trainingClient.id]: trainingClient.secret } }).then((server) => {
      options.log.info('endpoint.training-server', { url: server.url });
      return server;
    }));
  const readSettings = async () => {
    const settings = await readEndpointSettings(path.join(options.dataDir, endpointSettingsFileName), { missingIsDefault: true });
    return { settings, problems: validateEndpointSettings(settings) };
  };
  return {
    readSettings,
    async preflight(onStep) {
      let { settings } = await readSettings();
      let clientSecret: string | undefined;
      if (settings.preset === 'local-training') {
        const server = await startTraining();
        settings = { ...settings, apiAddress: server.url, host: '127.0.0.1', scheme: 'http', port: 80, clientId: trainingClient.id };
        clientSecret = trainingClient.secret;
      }
      let index = 0;
      const report = await runPreflight({ settings, clientSecret }, (step) => onStep(step, index++));
      options.log.info('endpoint.preflight', { ok: report.ok, failed: report.steps.filter((step) => step.status === 'fail').map((step) => step.id) });
      return report;
    },
    async close() {
      if (training) await (await training).close();
      training = undefined;
    },
  };
}
