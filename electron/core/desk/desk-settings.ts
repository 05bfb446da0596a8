import { promises as fs } from 'node:fs';
import path from 'node:path';
import { compileCodePattern } from '../../shared/code-pattern.js';
import { defaultCodeRules } from '../codes/image-code-rules.js';
import { parseExpectedCodes } from '../codes/expected-codes.js';
import { CoreError } from '../base/errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { inputLimits } from '../fs/read-bounded.js';
import { formatBytes } from '../base/format.js';
import { decodeText } from '../text/decode-text.js';
import { defaultBlankInkShare } from '../split/classify-page.js';
import { defaultSplitOptions } from '../split/split-stack.js';
import { releaseModes, type ReleaseMode } from '../../shared/station/bill-status.js';
import type { SplitSettings } from '../spool/split-settings.js';

/** How this station splits stacks: the Settings page edits it, the app and the CLI both use it. */
export interface DeskSettings {
  /** The image-code rule (a regular expression); null: the built-in rule. */
  pattern: string | null;
  /** A page is a blank back under this share of ink, in percent (0.3 by default). */
  blankInkPercent: number;
  /** Whether the cover itself is uploaded as page 1 of its bill. */
  coverIsPage: boolean;
  /** A stack whose bills were all discarded is kept in the spool's recycle folder this many days. */
  recycleDays: number;
  /** A source file moved to the watch folder's `imported/` is deleted after this many days; 0: kept for ever. */
  importedDays: number;
  /** Page images of a stack whose bills are all uploaded (or discarded) are deleted this many days after the last upload; 0: kept for ever. Receipts stay. */
  doneDays: number;
  /** An open batch of page files (a scanner writing one file per page) closes this many seconds after its last page settled. */
  batchGapSeconds: number;
  /** The expected-codes list from the ERP, when one is set: its file name, size and when. */
  expectedCodes: { name: string; count: number; importedAt: string } | null;
  /** How new bills leave the desk: `auto` (straight to the upload queue) or `review` (each waits for a person's release). */
  release: ReleaseMode;
}

/** Defaults: the built-in rule, 0.3 % ink, the cover uploaded as page 1, no expected list; sources never deleted; uploaded pages kept 30 days. */
export const defaultDeskSettings: DeskSettings = { pattern: null, blankInkPercent: defaultBlankInkShare * 100, coverIsPage: true, recycleDays: 30, importedDays: 0, doneDays: 30, batchGapSeconds: 10, expectedCodes: null, release: 'auto' };

/** The batch gap a station may set, in seconds (a scanner pausing for a jam may need a minute). */
export const batchGapRange = { min: 2, max: 600 } as const;

/** Whether a stored batch gap is whole seconds in range. */
export function isBatchGap(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= batchGapRange.min && value <= batchGapRange.max;
}

/** Whether a stored day count is a whole number in range. */
function isDays(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= 3650;
}

/** Settings of the scan desk in `<data>/scan-desk.json`, the expected list in `<data>/expected-codes.json`. */
export function createDeskSettingsStore(dataDir: string) {
  const settingsFile = path.join(dataDir, 'scan-desk.json');
  const codesFile = path.join(dataDir, 'expected-codes.json');
  const read = async (): Promise<DeskSettings> => {
    try {
      const stored = JSON.parse(await fs.readFile(settingsFile, 'utf8')) as Partial<DeskSettings>;
      return {
        pattern: typeof stored.pattern === 'string' && stored.pattern.trim() !== '' ? stored.pattern : null,
        blankInkPercent: typeof stored.blankInkPercent === 'number' && stored.blankInkPercent >= 0 && stored.blankInkPercent <= 5 ? stored.blankInkPercent : defaultDeskSettings.blankInkPercent,
        coverIsPage: typeof stored.coverIsPage === 'boolean' ? stored.coverIsPage : true,
        recycleDays: isDays(stored.recycleDays, 1) ? stored.recycleDays : defaultDeskSettings.recycleDays,
        importedDays: isDays(stored.importedDays, 0) ? stored.importedDays : defaultDeskSettings.importedDays,
        doneDays: isDays(stored.doneDays, 0) ? stored.doneDays : defaultDeskSettings.doneDays,
        expectedCodes: stored.expectedCodes && typeof stored.expectedCodes.count === 'number' ? stored.expectedCodes : null,
        release: (releaseModes as readonly unknown[]).includes(stored.release) ? (stored.release as ReleaseMode) : defaultDeskSettings.release,
        batchGapSeconds: isBatchGap(stored.batchGapSeconds) ? stored.batchGapSeconds : defaultDeskSettings.batchGapSeconds,
      };
    } catch {
      // Missing (or damaged: the defaults are the safe choice, and saving rewrites it).
      return { ...defaultDeskSettings };
    }
  };
  const write = (settings: DeskSettings) => writeFileAtomic(settingsFile, `${JSON.stringify(settings, null, 1)}\n`);
  return {
    read,
    /** Saves the rule, blank threshold, cover choice and retention days; a rule that does not compile is refused. */
    async save(change: { pattern: string | null; blankInkPercent: number; coverIsPage: boolean; recycleDays: number; importedDays: number; doneDays?: number; release?: ReleaseMode; batchGapSeconds?: number }): Promise<DeskSettings> {
      const pattern = change.pattern?.trim() || null;
      if (pattern) {
        const compiled = compileCodePattern(pattern);
        if (!(compiled instanceof RegExp)) throw new CoreError('invalid-pattern', { reason: compiled.reason, detail: compiled.detail });
      }
      const next = { ...(await read()), pattern, blankInkPercent: change.blankInkPercent, coverIsPage: change.coverIsPage, recycleDays: change.recycleDays, importedDays: change.importedDays, ...(change.doneDays === undefined ? {} : { doneDays: change.doneDays }), ...(change.release === undefined ? {} : { release: change.release }), ...(change.batchGapSeconds === undefined ? {} : { batchGapSeconds: change.batchGapSeconds }) };
      await write(next);
      return next;
    },
    /** Replaces the expected-codes list with one exported from the ERP (TXT or CSV, UTF-8 or GBK). */
    async importExpected(name: string, bytes: Uint8Array, now: Date): Promise<DeskSettings> {
      if (bytes.length === 0) throw new CoreError('file-empty', { name });
      if (bytes.length > inputLimits.codeList) throw new CoreError('file-too-large', { name, size: formatBytes(bytes.length), limit: formatBytes(inputLimits.codeList) });
      const codes = [...parseExpectedCodes(decodeText(bytes).text)];
      if (codes.length === 0) throw new CoreError('file-empty', { name });
      await writeFileAtomic(codesFile, `${JSON.stringify(codes)}\n`);
      const next = { ...(await read()), expectedCodes: { name, count: codes.length, importedAt: now.toISOString() } };
      await write(next);
      return next;
    },
    /** Forgets the expected-codes list: any code passing the rule is a cover again. */
    async clearExpected(): Promise<DeskSettings> {
      await fs.rm(codesFile, { force: true });
      const next = { ...(await read()), expectedCodes: null };
      await write(next);
      return next;
    },
    /** What the split needs now (read at every intake, so a change applies to the next stack). */
    async resolve(): Promise<SplitSettings> {
      const settings = await read();
      const compiled = settings.pattern ? compileCodePattern(settings.pattern) : null;
      const pattern = compiled instanceof RegExp ? compiled : defaultCodeRules.pattern;
      let expected: Set<string> | null = null;
      if (settings.expectedCodes) {
        const codes = await fs.readFile(codesFile, 'utf8').then((text) => JSON.parse(text) as string[], () => null);
        expected = codes ? new Set(codes) : null;
      }
      return { rules: { ...defaultCodeRules, pattern, expected }, blankInkShare: settings.blankInkPercent / 100, split: { ...defaultSplitOptions, coverIsPage: settings.coverIsPage }, recycleDays: settings.recycleDays, importedDays: settings.importedDays, doneDays: settings.doneDays, release: settings.release };
    },
  };
}

/** The type of the store. */
export type DeskSettingsStore = ReturnType<typeof createDeskSettingsStore>;
