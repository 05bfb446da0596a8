import type { i18n } from 'i18next';
import type { Core } from '../core/create-core.js';
import type { Language } from '../shared/i18n/languages.js';

/** Where the CLI reads and writes; injected so tests capture output. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /**
   * Resolves when the process is asked to stop (Ctrl+C), with the signal where there is one;
   * long-running commands await it. Calling it means the command finishes its own stop.
   */
  waitForStop: () => Promise<StopSignal | undefined>;
}

/** A signal that asks the CLI to stop. */
export type StopSignal = 'SIGINT' | 'SIGTERM';

/** Exit codes shared by every command. */
export const exitCodes = { ok: 0, findings: 1, usage: 2 } as const;

/** A parsed option value. */
export type OptionValue = string | boolean | undefined;

/** Everything a command's `run` receives. */
export interface CommandContext {
  values: Record<string, OptionValue>;
  positionals: string[];
  json: boolean;
  language: Language;
  t: i18n['t'];
  io: CliIo;
  dataDir: string;
  /** Opens core on the data folder (logging to its log file). */
  openCore: () => Promise<Core>;
}

/** Reports a usage error (exit 2): one JSON document with --json, else a line on stderr. */
export function reportUsageError(io: CliIo, json: boolean, message: string): number {
  if (json) io.stdout(`${JSON.stringify({ error: { code: 'usage', message } })}\n`);
  else io.stderr(`${message}\n`);
  return exitCodes.usage;
}

/** Reports a refusal from core (a CoreError's code and its localised message) on stdout as JSON or on stderr; the exit code says "findings". */
export function reportCoreRefusal(io: CliIo, json: boolean, refusal: { code: string; message: string }): number {
  if (json) io.stdout(`${JSON.stringify({ error: refusal })}\n`);
  else io.stderr(`${refusal.message}\n`);
  return exitCodes.findings;
}

/** A string option's value, or undefined when it was not given. */
export function stringOption(values: Record<string, OptionValue>, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** A port from `--port` (0 = any free port), or null when it is not a number from 0 to 65535. */
export function parsePort(text: string | undefined): number | null {
  const value = text ?? '0';
  return /^\d{1,5}$/.test(value) && Number(value) <= 65535 ? Number(value) : null;
}

/** One option of a command, for parsing and for `--help`. */
export interface CommandOption {
  name: string;
  type: 'string' | 'boolean';
  short?: string;
  /** Shown in help after the flag, e.g. `N` or `DIR`. */
  valueName?: string;
  /** i18n key of the option's help line. */
  helpKey: string;
}

/** A CLI subcommand; later issues add theirs to the registry in commands/index.ts. */
export interface CliCommand {
  name: string;
  /** i18n key of the one-line summary. */
  summaryKey: string;
  /** Usage line after `scan-station <name>`. */
  usage?: string;
  options: CommandOption[];
  run(ctx: CommandContext): Promise<number>;
}
