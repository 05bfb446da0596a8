import { promises as fs } from 'node:fs';
import { z } from 'zod';
import { prefsSchema } from '../../shared/ipc-contract.js';
import type { Language } from '../../shared/i18n/languages.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { describeCause } from '../base/errors.js';
import type { Logger } from '../log/logger.js';

/** Station UI preferences. */
export type Prefs = z.output<typeof prefsSchema>;

const prefsFileSchema = z.object({ version: z.literal(1), prefs: prefsSchema });

/** How the preferences file was found when last read. */
export type PrefsFileState =
  | { state: 'ok' }
  | { state: 'missing' }
  | { state: 'recovered'; backup: string; reason: string };

/** Reads and writes the preferences file; a damaged file is set aside, never silently lost. */
export interface PrefsStore {
  /** Current preferences (defaults when the file is missing or damaged). */
  readPrefs(): Promise<Prefs>;
  /** Merges a patch, writes it atomically and returns the result. */
  updatePrefs(patch: Partial<Omit<Prefs, 'languageChosen'>>): Promise<Prefs>;
  /** What the last read found, for the self-check. */
  inspectPrefsFile(): Promise<PrefsFileState>;
}

/** Options of the preferences store. */
export interface PrefsStoreOptions {
  file: string;
  defaultLanguage: Language;
  now: () => Date;
  log: Logger;
}

/** Creates the preferences store over one JSON file. */
export function createPrefsStore({ file, defaultLanguage, now, log }: PrefsStoreOptions): PrefsStore {
  const defaults: Prefs = { language: defaultLanguage, languageChosen: false, startAtLogin: false };
  let lastState: PrefsFileState | undefined;
  // Writes are chained so two quick updates cannot interleave their read-merge-write.
  let queue: Promise<unknown> = Promise.resolve();

  async function load(): Promise<Prefs> {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        lastState = { state: 'missing' };
        return { ...defaults };
      }
      throw error;
    }
    try {
      const raw = JSON.parse(text) as { prefs?: { languageChosen?: unknown } };
      const parsed = prefsFileSchema.parse(raw);
      lastState = { state: 'ok' };
      // Files from before `languageChosen` existed were only ever written by a language choice.
      return raw.prefs?.languageChosen === undefined ? { ...parsed.prefs, languageChosen: true } : parsed.prefs;
    } catch (error) {
      const backup = `${file}.corrupt-${now().toISOString().replace(/[:.]/g, '-')}`;
      const reason = error instanceof z.ZodError ? 'schema-mismatch' : describeCause(error);
      await fs.rename(file, backup);
      log.warn('prefs.corrupt', { file, backup, reason });
      lastState = { state: 'recovered', backup, reason };
      return { ...defaults };
    }
  }

  return {
    readPrefs: () => load(),
    updatePrefs(patch) {
      const next = queue.then(async () => {
        const merged = prefsSchema.parse({ ...(await load()), ...patch, ...(patch.language ? { languageChosen: true } : {}) });
        await writeFileAtomic(file, `${JSON.stringify({ version: 1, prefs: merged }, null, 2)}\n`);
        log.info('prefs.updated', { keys: Object.keys(patch) });
        return merged;
      });
      queue = next.catch(() => undefined);
      return next;
    },
    async inspectPrefsFile() {
      if (!lastState) await load();
      return lastState ?? { state: 'missing' };
    },
  };
}
