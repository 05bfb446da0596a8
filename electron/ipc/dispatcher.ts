import { type z } from 'zod';
import { CoreError, formatErrorEnglish } from '../core/base/errors.js';
import type { Logger } from '../core/log/logger.js';
import type { AppErrorInfo, ErrorCode, MessageParams, Result } from '../shared/error-codes.js';
import { ipcContract, ipcEvents, isChannel, type Channel, type EventName, type EventPayload } from '../shared/ipc-contract.js';
import type { HandlerContext, HandlerTable } from './handlers.js';

/** Who sent a call, as its transport saw it. */
export type SenderInfo =
  | { transport: 'electron'; url: string; isMainFrame: boolean; webContentsId: number }
  | { transport: 'http'; tokenValid: boolean; hostValid: boolean; originValid: boolean }
  | { transport: 'in-process' };

/** Delivers a validated event to the caller's side of the transport. */
export type EventSink = (event: EventName, payload: unknown) => void;

/** The single wrapper every transport calls: sender check, argument validation, result envelope. */
export interface Dispatcher {
  dispatch(channel: string, rawArgs: unknown, sender: SenderInfo, sink: EventSink): Promise<Result<unknown>>;
}

/** Options of the dispatcher. */
export interface DispatcherOptions {
  handlers: HandlerTable;
  /** Decides whether a sender may call at all; each transport supplies its rule. */
  isTrustedSender: (sender: SenderInfo) => boolean;
  log: Logger;
}

/** Builds an `AppErrorInfo` with its English message. */
export function toErrorInfo(code: ErrorCode, params: MessageParams = {}): AppErrorInfo {
  return { code, message: formatErrorEnglish(code, params), params };
}

/** Summarises zod issues in one line: `path: message; …` (values are never echoed back). */
export function summarizeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.map(String).join('.') : '(args)'}: ${issue.message}`)
    .join('; ');
}

/** Creates the dispatcher over a handler table. */
export function createDispatcher({ handlers, isTrustedSender, log }: DispatcherOptions): Dispatcher {
  return {
    async dispatch(channel, rawArgs, sender, sink) {
      if (!isTrustedSender(sender)) {
        log.warn('ipc.untrusted-sender', { channel: String(channel).slice(0, 64), sender });
        return { ok: false, error: toErrorInfo('untrusted-sender') };
      }
      if (!isChannel(channel)) {
        return { ok: false, error: toErrorInfo('unknown-channel', { channel: String(channel).slice(0, 64) }) };
      }
      const parsed = ipcContract[channel].args.safeParse(rawArgs ?? {});
      if (!parsed.success) {
        // Which fields (translated by the UI) for people; zod's own words only for the log.
        const fields = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0] ?? '')).filter(Boolean))].slice(0, 6).join(',');
        return { ok: false, error: toErrorInfo('invalid-arguments', { channel, fields, detail: summarizeIssues(parsed.error) }) };
      }
      const ctx: HandlerContext = {
        emit<E extends EventName>(event: E, payload: EventPayload<E>) {
          // Validated on the way out too: a malformed event is a bug here, not the renderer's problem.
          sink(event, ipcEvents[event].parse(payload));
        },
      };
      try {
        const value = await invokeHandler(handlers, channel, parsed.data, ctx);
        const checked = ipcContract[channel].result.safeParse(value);
        if (!checked.success) {
          log.error('ipc.invalid-result', { channel, issues: summarizeIssues(checked.error) });
          return { ok: false, error: toErrorInfo('invalid-result', { channel }) };
        }
        return { ok: true, value: checked.data };
      } catch (error) {
        if (error instanceof CoreError) {
          log.warn('ipc.failed', { channel, code: error.code });
          return { ok: false, error: { code: error.code, message: error.message, params: error.params } };
        }
        log.error('ipc.internal-error', { channel, error });
        return { ok: false, error: toErrorInfo('internal-error', { channel }) };
      }
    },
  };
}

function invokeHandler<C extends Channel>(handlers: HandlerTable, channel: C, args: unknown, ctx: HandlerContext): Promise<unknown> {
  // The args were parsed by this channel's own schema just above.
  const handler = handlers[channel] as (args: unknown, ctx: HandlerContext) => Promise<unknown>;
  return handler(args, ctx);
}
