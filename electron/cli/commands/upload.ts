import { localizeParams } from '../../shared/message-text.js';
import { jsonStateOf, statusOfBill } from '../../shared/station/bill-status.js';
import type { QueueStatus } from '../../core/upload/queue-status.js';
import type { CliCommand, CommandContext } from '../cli-context.js';
import { exitCodes } from '../cli-context.js';

/** The queue as `queue --json` and `upload --json` print it. */
function queueJson(status: QueueStatus) {
  return {
    state: status.state,
    reason: status.reason,
    nextAttemptAt: status.nextAttemptAt,
    /** The station's counts from the one status model (the same as the status bar and `bills`). */
    counts: status.station,
    // `state` is the one model's word (a refused bill is held with the server's reason); `upload` the queue's own step.
    bills: status.bills.map((bill) => ({ id: bill.id, code: bill.code, state: jsonStateOf(statusOfBill({ state: 'ready', held: null }, { state: bill.state, held: bill.held }).status), upload: bill.state, pages: bill.pages, sent: bill.sent, attempts: bill.attempts, nextAttemptAt: bill.nextAttemptAt, held: bill.held?.code ?? null })),
  };
}

/** One line per bill and a headline, in the reader's language. */
function printQueue(status: QueueStatus, { io, t }: Pick<CommandContext, 'io' | 't'>): void {
  const reason = status.reason ? ` · ${t(`cli.queue.reasons.${status.reason}`)}` : '';
  const detail = status.detail ? ` (${t(`errors.${status.detail.code}`, localizeParams(t, status.detail.params))})` : '';
  io.stdout(`${t(`cli.queue.states.${status.state}`)}${reason}${detail} · ${t('cli.queue.counts', status.counts)}\n`);
  // The station's counts in the one model's words (as the status bar says them).
  if (status.station) io.stdout(`${(['held', 'review', 'receiving', 'sending', 'ready', 'sentToday'] as const).map((key) => t(`billStatus.counts.${key}`, { count: status.station?.[key] ?? 0 })).join(' · ')}\n`);
  for (const bill of status.bills) {
    const held = bill.held ? ` · ${bill.held.code === 'held-by-person' ? t('cli.queue.heldByPerson') : t(`errors.${bill.held.code}`, localizeParams(t, bill.held.params))}` : '';
    const wait = bill.nextAttemptAt ? ` · ${t('cli.queue.nextAttempt', { at: bill.nextAttemptAt })}` : '';
    io.stdout(`  ${bill.id}  ${bill.code}  ${t(`cli.queue.billStates.${bill.state}`)}  ${bill.sent}/${bill.pages}${wait}${held}\n`);
  }
}

/** Prints the queue: one JSON document with --json, else the headline and a line per bill. */
function report(status: QueueStatus, { io, t, json }: Pick<CommandContext, 'io' | 't' | 'json'>): void {
  if (json) io.stdout(`${JSON.stringify(queueJson(status))}\n`);
  else printQueue(status, { io, t });
}

/** Exit 0 when everything went, 1 when bills are held or the queue cannot send (paused, or waiting for its data folder). */
function exitFor(status: QueueStatus): number {
  return status.counts.held > 0 || status.state === 'paused' || status.reason !== null || status.counts.queued + status.counts.waiting + status.counts.sending > 0 ? exitCodes.findings : exitCodes.ok;
}

/** `scan-station upload`: runs the upload queue (until stopped, or with --once until nothing is left to send). */
export const uploadCommand: CliCommand = {
  name: 'upload',
  summaryKey: 'cli.upload.summary',
  usage: '[--once]',
  options: [{ name: 'once', type: 'boolean', helpKey: 'cli.upload.onceOption' }],
  async run({ values, json, io, t, openCore }) {
    const core = await openCore();
    try {
      if (values['once'] === true) {
        // The first Ctrl+C/SIGTERM finishes the page in flight's bookkeeping and stops.
        void io.waitForStop().then(() => core.upload.stop());
        const status = await core.upload.runOnce();
        report(status, { io, t, json });
        return exitFor(status);
      }
      if (!json) io.stdout(`${t('cli.upload.running')}\n`);
      core.upload.start();
      // A wait of the whole queue (a full disk…) and its end are said as they happen, not only at the stop.
      let said: string | null = null;
      const tell = () => {
        const glance = core.upload.glance();
        const line = glance.reason ? `${t(`cli.queue.states.${glance.state}`)} · ${t(`cli.queue.reasons.${glance.reason}`)}` : null;
        if (line !== said && (line || said)) io.stdout(`${line ?? t(`cli.queue.states.${glance.state}`)}\n`);
        said = line;
      };
      const timer = json ? null : setInterval(tell, 1000);
      const ended = await Promise.race([io.waitForStop().then(() => ({ crashed: false, error: null as unknown })), core.upload.whenEnded().then((error) => ({ crashed: true, error }))]);
      if (timer) clearInterval(timer);
      await core.upload.stop();
      if (ended.crashed) {
        // The loop ended without anyone stopping it: never a quiet exit 0.
        io.stderr(`${t('cli.upload.crashed', { reason: String(ended.error ?? 'ended').slice(0, 300) })}\n`);
        report(await core.upload.status(), { io, t, json });
        return exitCodes.findings;
      }
      report(await core.upload.status(), { io, t, json });
      return exitCodes.ok;
    } finally {
      await core.close();
    }
  },
};

/** `scan-station queue`: where the upload queue stands, bill by bill. */
export const queueCommand: CliCommand = {
  name: 'queue',
  summaryKey: 'cli.queue.summary',
  options: [],
  async run({ json, io, t, openCore }) {
    const core = await openCore();
    try {
      report(await core.upload.status(), { io, t, json });
      return exitCodes.ok;
    } finally {
      await core.close();
    }
  },
};
