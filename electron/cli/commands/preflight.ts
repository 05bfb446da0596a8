import { inputLimits, readBoundedText } from '../../core/fs/read-bounded.js';
import { localizeError, localizeParams } from '../../shared/message-text.js';
import path from 'node:path';
import { isHostOrIp } from '../../shared/endpoint/endpoint-settings.js';
import { runPreflight, type PreflightStep } from '../../core/endpoint/preflight.js';
import { endpointSettingsFileName, readEndpointSettings } from '../../core/endpoint/settings-file.js';
import { CoreError } from '../../core/base/errors.js';
import type { CliCommand } from '../cli-context.js';
import { exitCodes, reportUsageError, stringOption } from '../cli-context.js';

const marks = { pass: '✔', warn: '!', fail: '✘', skipped: '-' } as const;

/** `scan-station preflight`: the ordered connection check, one line per step. */
export const preflightCommand: CliCommand = {
  name: 'preflight',
  summaryKey: 'cli.preflight.summary',
  options: [
    { name: 'api', type: 'string', valueName: 'URL', helpKey: 'cli.preflight.apiOption' },
    { name: 'client-id', type: 'string', valueName: 'ID', helpKey: 'cli.preflight.clientIdOption' },
    { name: 'secret-file', type: 'string', valueName: 'F', helpKey: 'cli.preflight.secretFileOption' },
    { name: 'ca', type: 'string', valueName: 'FILE', helpKey: 'cli.preflight.caOption' },
    { name: 'file', type: 'string', valueName: 'F', helpKey: 'cli.config.fileOption' },
  ],
  async run({ values, json, io, t, dataDir, openCore }) {
    const text = (name: string) => stringOption(values, name);
    const read = async (file: string, limit: number) => (await readBoundedText(file, limit, file)).trim();
    let settings;
    let clientSecret: string | undefined;
    let caPem: string | undefined;
    try {
      settings = await readEndpointSettings(text('file') ?? path.join(dataDir, endpointSettingsFileName), { missingIsDefault: text('file') === undefined });
      if (text('secret-file')) clientSecret = await read(text('secret-file') as string, inputLimits.secret);
      if (text('ca')) caPem = await read(text('ca') as string, inputLimits.certificate);
    } catch (error) {
      if (error instanceof CoreError) return reportUsageError(io, json, localizeError(t, error));
      throw error;
    }
    if (text('api')) {
      let api: URL;
      try {
        api = new URL(text('api') as string);
      } catch {
        return reportUsageError(io, json, t('cli.config.badUrl', { url: text('api') as string }));
      }
      // An address given on the command line brings its own host, scheme and port.
      const scheme = api.protocol === 'https:' ? 'https' : 'http';
      settings = { ...settings, apiAddress: api.href.replace(/\/$/, ''), host: isHostOrIp(api.hostname) ? api.hostname : settings.host, scheme, port: scheme === 'https' ? 443 : 80 } as typeof settings;
    }
    if (text('client-id')) settings = { ...settings, clientId: text('client-id') as string };
    const printStep = (step: PreflightStep) => {
      if (json) return;
      const fixKey = `preflight.fixes.${step.code}`;
      const fix = step.status === 'fail' || step.status === 'warn' ? t(fixKey, { ...step.params, defaultValue: '' }) : '';
      io.stdout(`${marks[step.status]} ${t(`preflight.steps.${step.id}`)} (${step.ms} ms) · ${t(`preflight.codes.${step.code}`, localizeParams(t, step.params))}${fix ? `\n    ${t('templateCheck.fix')} ${fix}` : ''}\n`);
    };
    const overridden = ['api', 'client-id', 'secret-file', 'ca', 'file'].some((name) => text(name) !== undefined);
    // Without overrides this is the station's own check: stored secret, training server, and the result gates uploads.
    const report = overridden
      ? await runPreflight({ settings, clientSecret, caPem, env: io.env }, printStep)
      : await (async () => {
          const core = await openCore();
          try {
            return await core.endpoint.preflight(printStep);
          } finally {
            await core.close();
          }
        })();
    if (json) {
      const steps = report.steps.map((step) => ({
        id: step.id,
        status: step.status,
        ms: step.ms,
        code: step.code,
        message: t(`preflight.codes.${step.code}`, localizeParams(t, step.params)),
        fix: t(`preflight.fixes.${step.code}`, { ...step.params, defaultValue: '' }),
      }));
      io.stdout(`${JSON.stringify({ ok: report.ok, steps }, null, 2)}\n`);
    } else io.stdout(`${t(report.ok ? 'cli.preflight.ok' : 'cli.preflight.failed')}\n`);
    return report.ok ? exitCodes.ok : exitCodes.findings;
  },
};
