import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What happened to a stack or a bill; the "no image" troubleshooter reads these. */
export type AuditEvent =
  | 'imported'
  | 'continued'
  | 'source-closed'
  | 'already-imported'
  | 'split'
  | 'held'
  | 'edited'
  | 'released'
  | 'merged'
  | 'discarded'
  | 'recycled'
  | 'deleted'
  | 'source-deleted'
  | 'upload-started'
  | 'upload-failed'
  | 'uploaded'
  | 'upload-held'
  | 'upload-resent'
  | 'upload-retry-now'
  | 'queue-paused'
  | 'queue-resumed'
  | 'pages-deleted'
  | 'cover-made'
  | 'template-checked'
  | 'returned-noticed'
  | 'round-opened'
  | 'close-resent';

/** Events a person causes: their lines carry the signed-in user's name (who released, who discarded). */
const personEvents: ReadonlySet<AuditEvent> = new Set(['edited', 'released', 'merged', 'discarded', 'upload-held', 'upload-resent', 'upload-retry-now', 'queue-paused', 'queue-resumed', 'cover-made', 'template-checked', 'close-resent']);

/** The signed-in user's name, or null where the OS cannot say (no passwd entry in a container). */
function signedInUser(): string | null {
  try {
    return os.userInfo().username || null;
  } catch {
    return null;
  }
}

/** One audit line: self-explanatory on its own (which file, which code, which pages, why). */
export interface AuditRecord {
  event: AuditEvent;
  stack?: string;
  bill?: string;
  code?: string | null;
  source?: string;
  pages?: number[];
  reason?: string;
  detail?: string;
  /** The bill number printed on a cover (cover-made lines): support searches by it. */
  billNo?: string;
  /** Who did it (person events; filled in by the log). */
  by?: string;
  /** The parameters of `reason` when it is an error code (so the troubleshooter can say it in words). */
  params?: Record<string, string | number>;
  /** The server's receipt ids (uploaded lines). */
  receipts?: string[];
  /** The round a bill went up as (rescans of returned bills). */
  round?: number;
  /** Who scanned where (imported lines): the ERP scan user id and scan point as they were at intake; `by` stays the OS user. */
  scan?: { user: string | null; point: string | null };
}

/** The station's audit log: what happened to covers, stacks and bills. */
export interface AuditLog {
  write(record: AuditRecord): void;
  writeMany(records: AuditRecord[]): void;
}

/** Where the station's audit log lives below its data folder (the spool's, shared by covers and checks). */
export function auditLogPath(dataDir: string): string {
  return path.join(dataDir, 'spool', 'audit.log');
}

/**
 * An append-only JSON-lines log, fsync'd after every line (an audit trail that loses its last lines
 * in a power cut is no trail), rotated past `maxBytes` keeping `keep` files. It never holds secrets:
 * only stack and bill ids, image codes, file names and page numbers.
 */
export function createAuditLog(file: string, now: () => Date, options: { maxBytes?: number; keep?: number } = {}): AuditLog {
  const maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
  const keep = options.keep ?? 10;
  mkdirSync(path.dirname(file), { recursive: true });
  const user = signedInUser();
  const lineOf = (record: AuditRecord) => `${JSON.stringify({ time: now().toISOString(), ...record, ...(user && personEvents.has(record.event) ? { by: user } : {}) })}\n`;
  const append = (text: string) => {
    const size = existsSync(file) ? statSync(file).size : 0;
    if (size > 0 && size + Buffer.byteLength(text) > maxBytes) {
      for (let index = keep - 1; index >= 1; index -= 1) if (existsSync(`${file}.${index}`)) renameSync(`${file}.${index}`, `${file}.${index + 1}`);
      renameSync(file, `${file}.1`);
    }
    appendFileSync(file, text);
    const fd = openSync(file, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  };
  return {
    /** Appends one record and flushes it to disk before returning. */
    write(record: AuditRecord): void {
      append(lineOf(record));
    },
    /** Appends many records in one write and one flush (a batch of covers is one act). */
    writeMany(records: AuditRecord[]): void {
      if (records.length) append(records.map(lineOf).join(''));
    },
  };
}
