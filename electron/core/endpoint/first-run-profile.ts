import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CoreError } from '../base/errors.js';
import { inputLimits, readBoundedText } from '../fs/read-bounded.js';
import type { Logger } from '../log/logger.js';
import type { EndpointService } from './endpoint-service.js';
import { endpointSettingsFileName } from './settings-file.js';

/** The file IT puts beside the installer (copied next to the app) or into the data folder for a silent roll-out. */
export const firstRunProfileName = 'scan-station-profile.json';

/** What the first start made of a roll-out profile. */
export type FirstRunOutcome =
  | { status: 'none' }
  | { status: 'already-configured' }
  | { status: 'imported'; file: string; profileName: string }
  | { status: 'refused'; file: string; problems: string[] };

/**
 * Imports an endpoint profile on a station's first start, exactly as `scan-station config import`
 * does (the station keeps its own id; a profile with errors is refused and named in the log), so IT
 * can install silently and have every station pointed at the right imaging system. Only a station
 * with no saved profile takes one: a station already set up is never overwritten by a file left
 * beside the app. Candidates are tried in order; the first readable one decides.
 */
export async function importFirstRunProfile(options: { dataDir: string; endpoint: EndpointService; candidates: string[]; log: Logger }): Promise<FirstRunOutcome> {
  const saved = await fs.lstat(path.join(options.dataDir, endpointSettingsFileName)).catch(() => null);
  if (saved) return { status: 'already-configured' };
  for (const file of options.candidates) {
    if (!(await fs.lstat(file).catch(() => null))) continue;
    let text: string;
    try {
      text = await readBoundedText(file, inputLimits.profile);
    } catch (error) {
      options.log.warn('first-run-profile.unreadable', { file, code: error instanceof CoreError ? error.code : 'internal-error' });
      return { status: 'refused', file, problems: [error instanceof CoreError ? error.code : 'internal-error'] };
    }
    let parsed: Awaited<ReturnType<EndpointService['parseProfile']>>;
    try {
      parsed = await options.endpoint.parseProfile(text, path.basename(file));
    } catch (error) {
      // Not a profile at all (wrong JSON, values outside the schema): named in the log, the file left for IT.
      if (!(error instanceof CoreError)) throw error;
      options.log.warn('first-run-profile.refused', { file, problems: [error.code] });
      return { status: 'refused', file, problems: [error.code] };
    }
    const { settings, problems } = parsed;
    const errors = problems.filter((problem) => problem.severity === 'error').map((problem) => `${problem.field}:${problem.code}`);
    if (errors.length > 0) {
      options.log.warn('first-run-profile.refused', { file, problems: errors });
      return { status: 'refused', file, problems: errors };
    }
    await options.endpoint.saveSettings(settings);
    options.log.info('first-run-profile.imported', { file, profile: settings.profileName });
    return { status: 'imported', file, profileName: settings.profileName };
  }
  return { status: 'none' };
}
