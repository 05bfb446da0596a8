import { inputLimits, readBoundedText } from '../../core/fs/read-bounded.js';
import { localizeError } from '../../shared/message-text.js';
import path from 'node:path';
import { validateEndpointSettings, type SettingsProblem } from '../../shared/endpoint/endpoint-settings.js';
import { computeErpPrefix } from '../../shared/endpoint/erp-prefix.js';
import { endpointSettingsFileName, readEndpointSettings } from '../../core/endpoint/settings-file.js';
import type { Core } from '../../core/create-core.js';
import { CoreError } from '../../core/base/errors.js';
import { writeFileAtomic } from '../../core/fs/atomic-write.js';
import type { CliCommand, CommandContext } from '../cli-context.js';
import { exitCodes, reportUsageError, stringOption } from '../cli-context.js';

const actions = ['check', 'show', 'export', 'import', 'set', 'set-secret', 'erp-prefix'] as const;

/** The station's own fields `config set` changes (never exported with the profile), by their CLI names. */
const settableFields = { 'scan-point': 'scanPoint', 'scan-user': 'scanUser' } as const;

/** Problems with their localized message and fix, as `config check --json` prints them. */
function describeProblems(problems: SettingsProblem[], t: CommandContext['t']) {
  return problems.map((problem) => ({
    field: problem.field,
    code: problem.code,
    severity: problem.severity,
    message: t(`endpointProblems.${problem.code}`, problem.params),
    fix: t(`endpointFixes.${problem.code}`, problem.params),
  }));
}

function printProblems(io: CommandContext['io'], t: CommandContext['t'], problems: ReturnType<typeof describeProblems>): void {
  if (problems.length === 0) io.stdout(`${t('cli.config.noProblems')}\n`);
  for (const problem of problems) io.stdout(`${problem.severity === 'error' ? '✘' : '!'} ${problem.field}: ${problem.message}\n    ${t('templateCheck.fix')} ${problem.fix}\n`);
}

/** Runs `work` on an opened core and always closes it (the training server and workers stop). */
async function withCore<T>(openCore: () => Promise<Core>, work: (core: Core) => Promise<T>): Promise<T> {
  const core = await openCore();
  try {
    return await work(core);
  } finally {
    await core.close();
  }
}

/**
 * `scan-station config …`: check, show, export and import the endpoint profile (never with the
 * secret), store the client secret from a file, and the ERP prefix helper.
 */
export const configCommand: CliCommand = {
  name: 'config',
  summaryKey: 'cli.config.summary',
  usage: 'check [--file F] | show | export [--out F] | import <F> | set scan-point|scan-user <VALUE|-> | set-secret (--secret-file F | --clear) | erp-prefix <URL>',
  options: [
    { name: 'file', type: 'string', valueName: 'F', helpKey: 'cli.config.fileOption' },
    { name: 'out', type: 'string', valueName: 'F', helpKey: 'cli.config.outOption' },
    { name: 'secret-file', type: 'string', valueName: 'F', helpKey: 'cli.config.secretFileOption' },
    { name: 'clear', type: 'boolean', helpKey: 'cli.config.clearOption' },
  ],
  async run(context) {
    const { values, positionals, json, io, t, dataDir, openCore } = context;
    const [action, argument] = positionals;
    if (!action || !(actions as readonly string[]).includes(action)) return reportUsageError(io, json, t('cli.config.usage'));
    const out = (value: unknown, text: string) => io.stdout(json ? `${JSON.stringify(value, null, 2)}\n` : text);
    try {
      switch (action as (typeof actions)[number]) {
        case 'erp-prefix': {
          const prefix = argument ? computeErpPrefix(argument) : null;
          if (!prefix) return reportUsageError(io, json, argument ? t('cli.config.badUrl', { url: argument }) : t('cli.config.usage'));
          out(prefix, `${t('cli.config.prefix', { prefix: prefix.prefix })}\n${t('cli.config.serviceDomain', { domain: prefix.serviceDomain })}\n${t('erpPrefix.explain')}\n`);
          return exitCodes.ok;
        }
        case 'check': {
          const given = stringOption(values, 'file');
          const settings = await readEndpointSettings(given ?? path.join(dataDir, endpointSettingsFileName), { missingIsDefault: given === undefined });
          const problems = describeProblems(validateEndpointSettings(settings), t);
          if (json) out({ problems }, '');
          else printProblems(io, t, problems);
          return problems.some((problem) => problem.severity === 'error') ? exitCodes.findings : exitCodes.ok;
        }
        case 'show':
          return await withCore(openCore, async (core) => {
            const view = await core.endpoint.readSettings();
            const last = await core.endpoint.lastPreflight();
            const lastText = last ? t(last.stale ? 'cli.config.lastStale' : last.ok ? 'cli.config.lastOk' : 'cli.config.lastFailed', { at: last.at, steps: last.failed.join(', ') }) : t('cli.config.lastNone');
            out(
              { settings: view.settings, secret: view.secret, lastPreflight: last, problems: describeProblems(view.problems, t) },
              `${JSON.stringify(view.settings, null, 2)}\n${t(view.secret.stored ? 'cli.config.secretStored' : 'cli.config.secretMissing', { protection: view.secret.protection })}\n${lastText}\n`,
            );
            return exitCodes.ok;
          });
        case 'export':
          return await withCore(openCore, async (core) => {
            const text = await core.endpoint.exportProfile();
            const target = stringOption(values, 'out');
            if (!target) {
              io.stdout(text);
              return exitCodes.ok;
            }
            await writeFileAtomic(path.resolve(target), text);
            out({ written: path.resolve(target) }, `${t('cli.config.exported', { file: path.resolve(target) })}\n`);
            return exitCodes.ok;
          });
        case 'import': {
          if (!argument) return reportUsageError(io, json, t('cli.config.usage'));
          const text = await readBoundedText(argument, inputLimits.profile, argument);
          return await withCore(openCore, async (core) => {
            const { settings, problems } = await core.endpoint.parseProfile(text, path.basename(argument));
            const described = describeProblems(problems, t);
            if (problems.some((problem) => problem.severity === 'error')) {
              if (json) out({ imported: false, problems: described }, '');
              else {
                printProblems(io, t, described);
                io.stdout(`${t('cli.config.notImported')}\n`);
              }
              return exitCodes.findings;
            }
            await core.endpoint.saveSettings(settings);
            if (json) out({ imported: true, problems: described }, '');
            else {
              if (described.length) printProblems(io, t, described);
              io.stdout(`${t('cli.config.imported', { name: settings.profileName, station: settings.stationId })}\n`);
            }
            return exitCodes.ok;
          });
        }
        case 'set': {
          // `config set scan-point 3F-东区`, `config set scan-user - ` (clears it): the station's own fields.
          const value = positionals[2];
          if (!argument || !(argument in settableFields) || value === undefined || positionals.length > 3) return reportUsageError(io, json, `${t('cli.config.usage')}\n${t('cli.config.setKeys')}`);
          const field = settableFields[argument as keyof typeof settableFields];
          return await withCore(openCore, async (core) => {
            const { settings } = await core.endpoint.readSettings();
            const candidate = { ...settings, [field]: value === '-' ? undefined : value };
            const problems = describeProblems(validateEndpointSettings(candidate).filter((problem) => problem.field === field), t);
            if (problems.length) {
              if (json) out({ saved: false, problems }, '');
              else {
                printProblems(io, t, problems);
                io.stdout(`${t('cli.config.setInvalid')}\n`);
              }
              return exitCodes.usage;
            }
            const saved = (await core.endpoint.saveSettings(candidate)).settings[field];
            const label = t(`endpointSettings.fields.${field}`);
            out({ saved: true, field, value: saved ?? null }, `${saved === undefined ? t('cli.config.cleared', { field: label }) : t('cli.config.set', { field: label, value: saved })}\n`);
            return exitCodes.ok;
          });
        }
        case 'set-secret': {
          const file = stringOption(values, 'secret-file');
          const clear = values['clear'] === true;
          if (clear === (file !== undefined)) return reportUsageError(io, json, t('cli.config.usage'));
          // From a file only: a secret on the command line would show in the process list and shell history.
          const secret = file === undefined ? null : (await readBoundedText(file, inputLimits.secret, file)).trim();
          return await withCore(openCore, async (core) => {
            const { settings } = await core.endpoint.readSettings();
            const view = await core.endpoint.saveSettings(settings, secret);
            out({ stored: view.secret.stored, protection: view.secret.protection }, `${t(view.secret.stored ? 'cli.config.secretStored' : 'cli.config.secretMissing', { protection: view.secret.protection })}\n`);
            return exitCodes.ok;
          });
        }
      }
    } catch (error) {
      if (error instanceof CoreError) return reportUsageError(io, json, localizeError(t, error));
      throw error;
    }
  },
};
