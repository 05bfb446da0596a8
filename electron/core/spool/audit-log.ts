import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';

/** What happened to a stack or a bill; the "no image" troubleshooter reads these. */
export type AuditEvent = 'imported' | 'already-imported' | 'split' | 'held' | 'edited' | 'released' | 'discarded' | 'recycled' | 'deleted' | 'source-deleted' | 'upload-started' | 'uploaded' | 'upload-held' | 'upload-resent' | 'upload-retry-now' | 'queue-paused' | 'queue-resumed' | 'pages-deleted';

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
}

/**
 * An append-only JSON-lines log, fsync'd after every line (an audit trail that loses its last lines
 * in a power cut is no trail), rotated past `maxBytes` keeping `keep` files. It never holds secrets:
 * only stack and bill ids, image codes, file names and page numbers.
 */
export function createAuditLog(file: string, now: () => Date, options: { maxBytes?: number; keep?: number } = {}) {
  const maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
  const keep = options.keep ?? 10;
  mkdirSync(path.dirname(file), { recursive: true });
  return {
    /** Appends one record and flushes it to disk before returning. */
    write(record: AuditRecord): void {
      const line = `${JSON.stringify({ time: now().toISOString(), ...record })}\n`;
      const size = existsSync(file) ? statSync(file).size : 0;
      if (size > 0 && size + line.length > maxBytes) {
        for (let index = keep - 1; index >= 1; index -= 1) if (existsSync(`${file}.${index}`)) renameSync(`${file}.${index}`, `${file}.${index + 1}`);
        renameSync(file, `${file}.1`);
      }
      appendFileSync(file, line);
      const fd = openSync(file, 'r+');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    },
  };
}
