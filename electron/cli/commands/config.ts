import path from 'node:path';
import { validateEndpointSettings } from '../../shared/endpoint/endpoint-settings.js';
import { computeErpPrefix } from '../../shared/endpoint/erp-prefix.js';
import { endpointSettingsFileName, readEndpointSettings } from '../../core/endpoint/settings-file.js';
import { CoreError } from '../../core/errors.js';
import type { CliCommand } from '../cli-context.js';
import { exitCodes, reportUsageError, stringOption } from '../cli-context.js';

/** `scan-station config check|erp-prefix`: endpoint settings validation and the ERP prefix helper. */
export const configCommand: CliCommand = {
  name: 'config',
  summaryKey: 'cli.config.summary',
  usage: 'check [--file F] | erp-prefix <URL>',
  options: [{ name: 'file', type: 'string', valueName: 'F', helpKey: 'cli.config.fileOption' }],
  async run({ values, positionals, json, io, t, dataDir }) {
    const [action, argument] = positionals;
    if (action === 'erp-prefix') {
      const prefix = argument ? computeErpPrefix(argument) : null;
      if (!prefix) return reportUsageError(io, json, argument ? t('cli.config.badUrl', { url: argument }) : t('cli.config.usage'));
      if (json) io.stdout(`${JSON.stringify(prefix, null, 2)}\n`);
      else io.stdout(`${t('cli.config.prefix', { prefix: prefix.prefix })}\n${t('cli.config.serviceDomain', { domain: prefix.serviceDomain })}\n${t('erpPrefix.explain')}\n`);
      return exitCodes.ok;
    }
    if (action !== 'check') return reportUsageError(io, json, t('cli.config.usage'));
    const given = stringOption(values, 'file');
    let settings;
    try {
      settings = await readEndpointSettings(given ?? path.join(dataDir, endpointSettingsFileName), { missingIsDefault: given === undefined });
    } catch (error) {
      if (error instanceof CoreError) return reportUsageError(io, json, t(`errors.${error.code}`, error.params));
      throw error;
    }
    const problems = validateEndpointSettings(settings).map((problem) => ({
      field: problem.field,
      code: problem.code,
      severity: problem.severity,
      message: t(`endpointProblems.${problem.code}`, problem.params),
      fix: t(`endpointFixes.${problem.code}`, problem.params),
    }));
    if (json) io.stdout(`${JSON.stringify({ problems }, null, 2)}\n`);
    else if (problems.length === 0) io.stdout(`${t('cli.config.noProblems')}\n`);
    else for (const problem of problems) io.stdout(`${problem.severity === 'error' ? '✘' : '!'} ${problem.field}: ${problem.message}\n    ${t('templateCheck.fix')} ${problem.fix}\n`);
    return problems.some((problem) => problem.severity === 'error') ? exitCodes.findings : exitCodes.ok;
  },
};
