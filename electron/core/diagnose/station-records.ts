import { createReadStream, promises as fs } from 'node:fs';
import { createInterface } from 'node:readline';
import type { AuditEvent, AuditRecord } from '../log/audit-log.js';

/** One audit line as read back: the record and its time. */
export type AuditLine = AuditRecord & { time: string };

/** The audit log and its rotated files, oldest first (`audit.log.10` … `audit.log.1`, `audit.log`). */
export async function listAuditFiles(file: string): Promise<string[]> {
  const found: string[] = [];
  for (let index = 20; index >= 1; index -= 1) {
    const stat = await fs.lstat(`${file}.${index}`).catch(() => null);
    if (stat?.isFile()) found.push(`${file}.${index}`);
  }
  if ((await fs.lstat(file).catch(() => null))?.isFile()) found.push(file);
  return found;
}

/** A line longer than this is not one of ours (the log writes short lines): skipped unread. */
const maxLineChars = 64 * 1024;

/**
 * Streams every audit line (oldest first) through `keep`, which sees the raw line first so most lines
 * are skipped without parsing. Bounded: lines past 64 KB are skipped, and the files are the log's
 * own rotation (at most 11 × 10 MB). Stops early when `signal` aborts.
 */
export async function scanAuditLines(file: string, keep: (raw: string) => boolean, visit: (line: AuditLine) => void, signal?: AbortSignal): Promise<void> {
  for (const name of await listAuditFiles(file)) {
    const lines = createInterface({ input: createReadStream(name, { encoding: 'utf8' }), crlfDelay: Infinity });
    for await (const raw of lines) {
      if (signal?.aborted) {
        lines.close();
        return;
      }
      if (raw.length > maxLineChars || !keep(raw)) continue;
      try {
        const line = JSON.parse(raw) as AuditLine;
        if (typeof line.time === 'string' && typeof line.event === 'string') visit(line);
      } catch {
        // A torn last line (a power cut mid-append): nothing to show.
      }
    }
  }
}

/** Reads `"code":"…"` from a raw audit line without parsing it (codes never need JSON escapes). */
export function rawCodeOf(raw: string): string | null {
  const match = /"code":"([^"\\]{1,200})"/.exec(raw);
  return match ? (match[1] as string) : null;
}

/** Everything the audit log knows of some codes: their lines, and the import lines of their stacks. */
export async function readCodeHistory(file: string, codes: ReadonlySet<string>, signal?: AbortSignal): Promise<Map<string, AuditLine[]>> {
  const byCode = new Map<string, AuditLine[]>([...codes].map((code) => [code, []]));
  const imports = new Map<string, AuditLine>();
  await scanAuditLines(
    file,
    (raw) => raw.includes('"event":"imported"') || codes.has(rawCodeOf(raw) ?? ''),
    (line) => {
      if (line.event === 'imported' && line.stack) imports.set(line.stack, line);
      else if (line.code && byCode.has(line.code)) byCode.get(line.code)?.push(line);
    },
    signal,
  );
  // The stack a bill came from was imported before it was split: its import line opens the story.
  for (const [code, lines] of byCode) {
    const stacks = new Set(lines.map((line) => line.stack).filter((stack): stack is string => Boolean(stack)));
    // Import lines first: the split is written in the same millisecond, and the sort keeps ties in order.
    const story = [...[...stacks].flatMap((stack) => imports.get(stack) ?? []), ...lines].sort((a, b) => a.time.localeCompare(b.time));
    byCode.set(code, story);
  }
  return byCode;
}

/** Codes whose covers were made here with this bill number (from the batches the station wrote). */
export async function findCodesByBillNumber(file: string, billNumbers: ReadonlySet<string>, signal?: AbortSignal): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  await scanAuditLines(
    file,
    (raw) => raw.includes('"event":"cover-made"') && raw.includes('"billNo"'),
    (line) => {
      if (line.event !== 'cover-made' || !line.billNo || !line.code || !billNumbers.has(line.billNo)) return;
      const codes = found.get(line.billNo) ?? [];
      if (!codes.includes(line.code)) codes.push(line.code);
      found.set(line.billNo, codes);
    },
    signal,
  );
  return found;
}

/** Events that put a code on a day's list: made, checked, scanned, or sent that day. */
const dayEvents: ReadonlySet<AuditEvent> = new Set(['cover-made', 'template-checked', 'split', 'held', 'upload-started', 'uploaded', 'upload-held', 'upload-failed']);

/**
 * Codes with something recorded on a local calendar day (`YYYY-MM-DD`), at most `limit`, first seen
 * first (a stable order: the log only grows at its end). Lines of other UTC days are skipped unparsed.
 */
export async function findCodesByDay(file: string, day: string, offsetMinutes: number, limit: number, signal?: AbortSignal): Promise<string[]> {
  const found = new Set<string>();
  // A local day spans at most its UTC date and the one either side (offsets are under a day).
  const noon = Date.parse(`${day}T12:00:00Z`);
  const utcDays = Number.isNaN(noon) ? [] : [-1, 0, 1].map((shift) => `"time":"${new Date(noon + shift * 86_400_000).toISOString().slice(0, 10)}`);
  await scanAuditLines(
    file,
    (raw) => found.size < limit && utcDays.some((prefix) => raw.startsWith(prefix, 1)) && rawCodeOf(raw) !== null,
    (line) => {
      if (!line.code || !dayEvents.has(line.event)) return;
      const local = new Date(Date.parse(line.time) - offsetMinutes * 60_000).toISOString().slice(0, 10);
      if (local === day && found.size < limit) found.add(line.code);
    },
    signal,
  );
  return [...found];
}

/** Audit lines from the last `days` days (or of some codes), for a diagnostic bundle; the newest `maxLines`. */
export async function readRecentLines(file: string, options: { since: Date; codes?: ReadonlySet<string>; maxLines: number }): Promise<string[]> {
  const kept: string[] = [];
  const since = options.since.toISOString();
  await scanAuditLines(
    file,
    (raw) => !options.codes || options.codes.has(rawCodeOf(raw) ?? ''),
    (line) => {
      if (line.time < since) return;
      kept.push(JSON.stringify(line));
      if (kept.length > options.maxLines * 2) kept.splice(0, kept.length - options.maxLines);
    },
  );
  return kept.slice(-options.maxLines);
}
