import { appendFileSync, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';

/** Severity of a log record. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Structured logger injected into core: an event name plus fields, secrets redacted on write. */
export interface Logger {
  debug(event: string, fields?: Record<string, unknown>): void;
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

/** One log record as written. */
export interface LogRecord {
  time: string;
  level: LogLevel;
  event: string;
  [field: string]: unknown;
}

const secretKey = /secret|token|passw|pwd|sign|authori[sz]ation|cookie|api[-_]?key|encrypt[-_]?key|credential/i;

/** Replaces the values of secret-looking keys (at any depth) with `[redacted]`. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[too deep]';
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1));
  if (value instanceof Error) {
    return { name: value.name, message: value.message, code: (value as { code?: unknown }).code };
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] = secretKey.test(key) ? '[redacted]' : redactSecrets(inner, depth + 1);
    }
    return out;
  }
  return value;
}

function buildLogger(write: (record: LogRecord) => void, now: () => Date): Logger {
  const emit = (level: LogLevel) => (event: string, fields: Record<string, unknown> = {}) => {
    write({ ...(redactSecrets(fields) as Record<string, unknown>), time: now().toISOString(), level, event });
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

/** Options of the file logger. */
export interface FileLoggerOptions {
  file: string;
  now?: () => Date;
  /** Rotate past this size: `<file>` → `<file>.1` → … → `<file>.<keep>`. */
  maxBytes?: number;
  /** How many rotated files to keep (history for the "no image" troubleshooter and support). */
  keep?: number;
}

/**
 * Appends JSON lines synchronously, so the last records before a crash are on disk; rotates once
 * past `maxBytes`. A failing disk never breaks the caller: the record goes to stderr instead.
 */
export function createFileLogger({ file, now = () => new Date(), maxBytes = 5 * 1024 * 1024, keep = 10 }: FileLoggerOptions): Logger {
  mkdirSync(path.dirname(file), { recursive: true });
  let size = safeSize(file);
  return buildLogger((record) => {
    const line = `${JSON.stringify(record)}\n`;
    try {
      if (size + line.length > maxBytes && size > 0) {
        for (let index = keep - 1; index >= 1; index -= 1) {
          if (existsSync(`${file}.${index}`)) renameSync(`${file}.${index}`, `${file}.${index + 1}`);
        }
        renameSync(file, `${file}.1`);
        size = 0;
      }
      appendFileSync(file, line);
      size += Buffer.byteLength(line);
    } catch {
      process.stderr.write(line);
    }
  }, now);
}

function safeSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** A logger that keeps records in memory (tests, and the CLI before the data folder is known). */
export function createMemoryLogger(now: () => Date = () => new Date()): Logger & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  return Object.assign(buildLogger((record) => records.push(record), now), { records });
}
