import type { CliCommand } from '../cli-context.js';
import { exitCodes } from '../cli-context.js';

/** `scan-station info`: version, data folder, runtime, which areas ship. */
export const infoCommand: CliCommand = {
  name: 'info',
  summaryKey: 'cli.info.summary',
  options: [],
  async run({ openCore, json, io, t }) {
    const core = await openCore();
    // Which CLI is this: the esbuild bundle, or the TypeScript source through tsx (bin/scan-station.mjs says).
    const runsFrom = process.env['SCAN_STATION_RUNS'] === 'source' || (!process.env['SCAN_STATION_RUNS'] && !/\.[cm]js$/.test(import.meta.url)) ? 'source' : 'bundle';
    const info = { ...core.app.describeStation(), runtime: 'cli' as const, runsFrom };
    if (json) {
      io.stdout(`${JSON.stringify(info, null, 2)}\n`);
      return exitCodes.ok;
    }
    const rows: Array<[string, string]> = [
      [t('settings.version'), info.version],
      [t('settings.dataDir'), info.dataDir],
      [t('settings.logFile'), info.logFile],
      [t('settings.node'), info.node],
      [t('settings.platform'), `${info.platform}/${info.arch}`],
      [t('cli.info.runsFrom'), t(`cli.info.runs.${runsFrom}`)],
    ];
    io.stdout(`${t('app.name')} · ${t('app.tagline')}\n`);
    for (const [label, value] of rows) io.stdout(`  ${label}: ${value}\n`);
    return exitCodes.ok;
  },
};
