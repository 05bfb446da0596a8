import { promises as fs } from 'node:fs';
import path from 'node:path';
import { compileCodePattern } from '../../shared/code-pattern.js';
import { localizeError } from '../../shared/message-text.js';
import { releaseModes, type ReleaseMode } from '../../shared/station/bill-status.js';
import { CoreError } from '../../core/base/errors.js';
import { inputLimits } from '../../core/fs/read-bounded.js';
import { createDeskSettingsStore, isBatchGap, type DeskSettings } from '../../core/desk/desk-settings.js';
import type { ScanIdentity, ScanUserView } from '../../core/desk/scan-identity.js';
import type { CliCommand, CommandContext } from '../cli-context.js';
import { exitCodes, reportUsageError } from '../cli-context.js';

/** The keys `desk set` accepts, and what each expects (said back when a value is refused). */
export const deskKeys = ['release', 'batch-gap', 'blank', 'cover-as-page', 'code-rule', 'expected-codes', 'scan-user'] as const;
type DeskKey = (typeof deskKeys)[number];

/** The settings as `desk show --json` prints them (the store's own field names), with who scans where. */
function deskJson(settings: DeskSettings, scanner: ScanUserView) {
  return { release: settings.release, batchGapSeconds: settings.batchGapSeconds, blankInkPercent: settings.blankInkPercent, coverIsPage: settings.coverIsPage, pattern: settings.pattern, expectedCodes: settings.expectedCodes, scanUser: scanner };
}

/** Who a stack taken in now is recorded as scanned by: the signed-in clerk, else the station's scan user. */
function scannedByText(scanner: ScanUserView, t: CommandContext['t']): string {
  if (scanner.signedIn) return t('cli.desk.scanUserSignedIn', { user: scanner.signedIn });
  if (scanner.stationUser) return t('cli.desk.scanUserStation', { user: scanner.stationUser });
  return t('cli.desk.none');
}

/** One line per setting, in the reader's language. */
function printDesk(settings: DeskSettings, scanner: ScanUserView, { io, t }: Pick<CommandContext, 'io' | 't'>): void {
  const lines = [
    t('cli.desk.lines.release', { value: t(`cli.desk.releaseModes.${settings.release}`) }),
    t('cli.desk.lines.batchGap', { value: settings.batchGapSeconds }),
    t('cli.desk.lines.blank', { value: settings.blankInkPercent }),
    t('cli.desk.lines.coverIsPage', { value: t(settings.coverIsPage ? 'cli.desk.yes' : 'cli.desk.no') }),
    t('cli.desk.lines.pattern', { value: settings.pattern ?? t('cli.desk.builtIn') }),
    t('cli.desk.lines.expected', { value: settings.expectedCodes ? `${settings.expectedCodes.name} (${settings.expectedCodes.count})` : t('cli.desk.none') }),
    t('cli.desk.lines.scanUser', { value: scannedByText(scanner, t) }),
    t('cli.desk.lines.scanPoint', { value: scanner.scanPoint ?? t('cli.desk.none') }),
  ];
  io.stdout(`${lines.join('\n')}\n`);
}

/** Parses a yes/no the way a person types it. */
function parseYesNo(value: string): boolean | null {
  const lower = value.trim().toLowerCase();
  if (['yes', 'y', 'true', 'on', '1', '是'].includes(lower)) return true;
  if (['no', 'n', 'false', 'off', '0', '否'].includes(lower)) return false;
  return null;
}

/**
 * `scan-station desk show [--json]`, `scan-station desk set KEY VALUE`: the Scan desk settings, the
 * same store the Settings page edits (each change one atomic rewrite; the next stack uses it).
 */
export const deskCommand: CliCommand = {
  name: 'desk',
  summaryKey: 'cli.desk.summary',
  usage: 'show | set release auto|review | set batch-gap SECONDS | set blank PERCENT | set cover-as-page yes|no | set code-rule REGEX|default | set expected-codes FILE|none | set scan-user ID|-',
  options: [],
  async run({ positionals, json, io, t, dataDir, openCore }) {
    const [action, key, value, extra] = positionals;
    const store = createDeskSettingsStore(dataDir);
    // Who scans where lives in the preferences (the signed-in clerk) and the profile (scan point, station user): read through core.
    const withScanner = async <T>(work: (scanner: ScanIdentity) => Promise<T>): Promise<T> => {
      const core = await openCore();
      try {
        return await work(core.scanner);
      } finally {
        await core.close();
      }
    };
    if (action === 'show' && key === undefined) {
      const settings = await store.read();
      const scanner = await withScanner((found) => found.view());
      if (json) io.stdout(`${JSON.stringify(deskJson(settings, scanner), null, 2)}\n`);
      else printDesk(settings, scanner, { io, t });
      return exitCodes.ok;
    }
    if (action !== 'set' || key === undefined || value === undefined || extra !== undefined || !(deskKeys as readonly string[]).includes(key)) return reportUsageError(io, json, t('cli.desk.usage'));
    const bad = (expected: string) => reportUsageError(io, json, t('cli.desk.badValue', { key, value, expected }));
    try {
      const current = await store.read();
      const base = { pattern: current.pattern, blankInkPercent: current.blankInkPercent, coverIsPage: current.coverIsPage, recycleDays: current.recycleDays, importedDays: current.importedDays, doneDays: current.doneDays };
      let next: DeskSettings;
      if (key === 'scan-user') {
        // A clerk signs in (their ERP scan user id) or out (-): bills taken in from now on record it.
        const scanner = await withScanner((found) => found.signIn(value === '-' ? null : value));
        if (json) io.stdout(`${JSON.stringify(deskJson(current, scanner), null, 2)}\n`);
        else {
          io.stdout(`${scanner.signedIn ? t('cli.desk.signedIn', { user: scanner.signedIn }) : t('cli.desk.signedOut', { user: scanner.stationUser ?? t('cli.desk.none') })}\n`);
          printDesk(current, scanner, { io, t });
        }
        return exitCodes.ok;
      }
      switch (key as Exclude<DeskKey, 'scan-user'>) {
        case 'release':
          if (!(releaseModes as readonly string[]).includes(value)) return bad('auto | review');
          next = await store.save({ ...base, release: value as ReleaseMode });
          break;
        case 'batch-gap': {
          const seconds = Number(value);
          if (!isBatchGap(seconds)) return bad('1–600');
          next = await store.save({ ...base, batchGapSeconds: seconds });
          break;
        }
        case 'blank': {
          const percent = Number(value);
          if (value.trim() === '' || !Number.isFinite(percent) || percent < 0 || percent > 5) return bad('0–5');
          next = await store.save({ ...base, blankInkPercent: percent });
          break;
        }
        case 'cover-as-page': {
          const yes = parseYesNo(value);
          if (yes === null) return bad('yes | no');
          next = await store.save({ ...base, coverIsPage: yes });
          break;
        }
        case 'code-rule': {
          const pattern = value.trim() === '' || value === 'default' ? null : value;
          if (pattern && !(compileCodePattern(pattern) instanceof RegExp)) return bad('a regular expression');
          next = await store.save({ ...base, pattern });
          break;
        }
        case 'expected-codes': {
          if (value === 'none') {
            next = await store.clearExpected();
            break;
          }
          const file = path.resolve(value);
          const stat = await fs.stat(file).catch(() => null);
          if (!stat?.isFile()) throw new CoreError('file-unreadable', { name: value, reason: 'not-regular-file' });
          if (stat.size > inputLimits.codeList) throw new CoreError('file-too-large', { name: path.basename(file), size: String(stat.size), limit: String(inputLimits.codeList) });
          next = await store.importExpected(path.basename(file), new Uint8Array(await fs.readFile(file)), new Date());
          break;
        }
      }
      const scanner = await withScanner((found) => found.view());
      if (json) io.stdout(`${JSON.stringify(deskJson(next, scanner), null, 2)}\n`);
      else {
        io.stdout(`${t('cli.desk.saved', { key, value: key === 'release' ? t(`cli.desk.releaseModes.${next.release}`) : value })}\n`);
        printDesk(next, scanner, { io, t });
      }
      return exitCodes.ok;
    } catch (error) {
      if (error instanceof CoreError) return reportUsageError(io, json, localizeError(t, error));
      throw error;
    }
  },
};
