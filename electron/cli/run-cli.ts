import os from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import packageJson from '../../package.json' with { type: 'json' };
import { createFileLogger } from '../core/log/logger.js';
import { defaultDataDir, resolveCorePaths } from '../core/app/paths.js';
import { createTranslator } from '../shared/i18n/catalog.js';
import { languages, pickLanguage, type Language } from '../shared/i18n/languages.js';
import type { CliCommand, CliIo, CommandOption } from './cli-context.js';
import { exitCodes, reportUsageError, stringOption } from './cli-context.js';
import { cliCommands } from './commands/index.js';

const globalOptions: CommandOption[] = [
  { name: 'help', type: 'boolean', short: 'h', helpKey: 'cli.helpOption' },
  { name: 'version', type: 'boolean', short: 'V', helpKey: 'cli.versionOption' },
  { name: 'json', type: 'boolean', helpKey: 'cli.jsonOption' },
  { name: 'lang', type: 'string', valueName: 'zh-CN|en', helpKey: 'cli.langOption' },
  { name: 'data-dir', type: 'string', valueName: 'DIR', helpKey: 'cli.dataDirOption' },
];

/** The CLI's language: `--lang`, else the POSIX locale variables, else the OS (Intl) locale. */
export function detectLanguage(flag: string | undefined, env: NodeJS.ProcessEnv): Language {
  if (flag && (languages as readonly string[]).includes(flag)) return flag as Language;
  if (flag) return pickLanguage(flag);
  const posix = env['LC_ALL'] || env['LC_MESSAGES'] || env['LANG'];
  if (posix && posix !== 'C' && posix !== 'POSIX' && !posix.startsWith('C.')) return pickLanguage(posix);
  return pickLanguage(Intl.DateTimeFormat().resolvedOptions().locale);
}

function toParseOptions(options: CommandOption[]): NonNullable<ParseArgsConfig['options']> {
  return Object.fromEntries(
    options.map((option) => [option.name, option.short ? { type: option.type, short: option.short } : { type: option.type }]),
  );
}

function formatOptions(options: CommandOption[], t: (key: string, params?: Record<string, string>) => string, dataDir: string): string {
  const rows = options.map((option) => {
    const flag = `${option.short ? `-${option.short}, ` : '    '}--${option.name}${option.valueName ? ` ${option.valueName}` : ''}`;
    return [flag, t(option.helpKey, { path: dataDir })] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return rows.map(([flag, help]) => `  ${flag.padEnd(width)}  ${help}`).join('\n');
}

/**
 * Escapes control characters (other than line breaks and tabs) in everything the CLI prints: file
 * names, QR payloads and error details are untrusted text and must not drive the terminal. JSON
 * output is unchanged by this (JSON.stringify already escapes them).
 */
export function escapeForTerminal(text: string): string {
  // eslint-disable-next-line no-control-regex -- escaping control characters is the point
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, (char) => `\\u{${char.codePointAt(0)?.toString(16)}}`);
}

/** Runs the CLI with the given arguments and returns the exit code (0 ok, 1 findings, 2 usage). */
export async function runCli(argv: string[], rawIo: CliIo): Promise<number> {
  const io: CliIo = { ...rawIo, stdout: (text) => rawIo.stdout(escapeForTerminal(text)), stderr: (text) => rawIo.stderr(escapeForTerminal(text)) };
  // The language must be known before parsing so that even usage errors speak the user's language.
  const langIndex = argv.findIndex((arg) => arg === '--lang' || arg.startsWith('--lang='));
  const langFlag = langIndex < 0 ? undefined : argv[langIndex]?.includes('=') ? argv[langIndex]?.split('=')[1] : argv[langIndex + 1];
  const language = detectLanguage(langFlag, io.env);
  const { t } = createTranslator(language);
  const wantsJson = argv.includes('--json');
  const usageError = (message: string): number => reportUsageError(io, wantsJson, message);

  const commandName = argv.find((arg) => !arg.startsWith('-') && arg !== langFlag && !isOptionValue(argv, arg));
  const entry = cliCommands.find((candidate) => candidate.name === commandName);
  if (commandName !== undefined && !entry) return usageError(t('cli.unknownCommand', { name: commandName }));
  const command: CliCommand | undefined = await entry?.load();

  const options = [...globalOptions, ...(command?.options ?? [])];
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options: toParseOptions(options), allowPositionals: true, strict: true });
  } catch (error) {
    return usageError(describeParseError(error, t, command?.name ?? ''));
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const positionals = parsed.positionals.slice(command ? 1 : 0);
  const dataDir = stringOption(values, 'data-dir') ?? defaultDataDir(io.env, process.platform, os.homedir());

  if (values['version']) {
    io.stdout(wantsJson ? `${JSON.stringify({ version: packageJson.version })}\n` : `${packageJson.version}\n`);
    return exitCodes.ok;
  }
  if (values['help'] || !command) {
    io.stdout(`${formatHelp(command, t, dataDir)}\n`);
    return command || values['help'] ? exitCodes.ok : exitCodes.usage;
  }
  return command.run({
    values,
    positionals,
    json: Boolean(values['json']),
    language,
    t,
    io,
    dataDir,
    // Core (with the cover PDF writer and its fonts) loads only for the commands that open it.
    openCore: async () =>
      (await import('../core/create-core.js')).createCore({
        dataDir,
        appVersion: packageJson.version,
        log: createFileLogger({ file: resolveCorePaths(dataDir).logFile }),
        defaultLanguage: language,
        env: io.env,
      }),
  });
}

/** Turns node:util parseArgs errors (English only) into localized usage messages. */
function describeParseError(error: unknown, t: (key: string, params?: Record<string, string>) => string, command: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const option = /'([^']+)'/.exec(message)?.[1] ?? message;
  switch ((error as { code?: string }).code) {
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return t('cli.missingValue', { option: option.split(' ')[0] ?? option });
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return t('cli.unexpectedArgument', { option });
    default:
      return t('cli.unknownOption', { option, command });
  }
}

function isOptionValue(argv: string[], arg: string): boolean {
  const index = argv.indexOf(arg);
  const previous = index > 0 ? argv[index - 1] : undefined;
  return previous === '--data-dir' || previous === '--lang';
}

function formatHelp(command: CliCommand | undefined, t: (key: string, params?: Record<string, string>) => string, dataDir: string): string {
  if (command) {
    const lines = [
      `${t('cli.usage')}: scan-station ${command.name}${command.usage ? ` ${command.usage}` : ''} ${t('cli.optionsPlaceholder')}`,
      '',
      t(command.summaryKey),
    ];
    if (command.options.length) lines.push('', `${t('cli.options')}:`, formatOptions(command.options, t, dataDir));
    lines.push('', `${t('cli.globalOptions')}:`, formatOptions(globalOptions, t, dataDir), '', t('cli.exitCodes'));
    return lines.join('\n');
  }
  const width = Math.max(...cliCommands.map((candidate) => candidate.name.length));
  return [
    `${t('app.name')} ${packageJson.version} · ${t('app.tagline')}`,
    '',
    `${t('cli.usage')}: scan-station <command> ${t('cli.optionsPlaceholder')}`,
    '',
    `${t('cli.commands')}:`,
    ...cliCommands.map((candidate) => `  ${candidate.name.padEnd(width)}  ${t(candidate.summaryKey)}`),
    '',
    `${t('cli.globalOptions')}:`,
    formatOptions(globalOptions, t, dataDir),
    '',
    t('cli.moreHelp'),
    t('cli.exitCodes'),
  ].join('\n');
}
