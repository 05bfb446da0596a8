import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { formatErrorEnglish } from '../base/errors.js';
import { resolveWorkerScript } from '../base/worker-script.js';
import type { Logger } from '../log/logger.js';
import type { DocumentReport } from './inspect-document.js';
import type { PageReport } from './inspect-page.js';
import type { InspectionMessage, InspectionRequest, InspectionSettings } from './inspection-task.js';

/** Progress of one file. */
export type PageListener = (page: { report: PageReport; annotation?: Uint8Array; pageCount: number }) => void;

/** Runs file inspections on worker threads, off the main (IPC) thread. */
export interface InspectionPool {
  /**
   * Inspects one file; an abort drops it from the queue, or stops its worker (replaced) mid-file.
   * `owner` names the job the file belongs to: while other jobs wait, one job gets one worker.
   */
  inspect(source: InspectionRequest['source'], settings: InspectionSettings, onPage?: PageListener, signal?: AbortSignal, owner?: string): Promise<DocumentReport>;
  close(): Promise<void>;
  readonly size: number;
}

/** Pool options. */
export interface InspectionPoolOptions {
  size?: number;
  /**
   * A file that makes no progress (no page finished) for this long is stopped, its worker replaced,
   * and reported as `inspection-timeout`: long files are fine, stuck ones are not.
   */
  timeoutMs?: number;
  log?: Logger;
}

interface Slot {
  worker: Worker;
  busy: boolean;
}

interface Job {
  request: InspectionRequest;
  onPage: PageListener;
  resolve: (report: DocumentReport) => void;
  timer?: NodeJS.Timeout;
  pages: PageReport[];
  slot?: Slot;
  owner: string;
}

/** Creates a pool of `size` workers (default 2: the stations have 2 cores). */
export function createInspectionPool({ size = 2, timeoutMs = 60_000, log }: InspectionPoolOptions = {}): InspectionPool {
  const script = resolveWorkerScript('inspection-worker', path.dirname(fileURLToPath(import.meta.url)));
  const slots: Slot[] = [];
  const queue: Job[] = [];
  const running = new Map<number, Job>();
  let nextId = 1;
  let closed = false;

  const nameOf = (job: Job) => path.basename(typeof job.request.source === 'string' ? job.request.source : job.request.source.name);

  const finish = (job: Job, report: DocumentReport) => {
    clearTimeout(job.timer);
    running.delete(job.request.id);
    if (job.slot) job.slot.busy = false;
    job.resolve(report);
    pump();
  };

  const failed = (job: Job, code: 'inspection-timeout' | 'inspection-crashed' | 'inspection-cancelled', params: Record<string, string | number>): DocumentReport => ({
    name: typeof job.request.source === 'string' ? job.request.source : job.request.source.name,
    pageCount: 0,
    error: { code, message: formatErrorEnglish(code, params), params },
    pages: job.pages,
  });

  const spawn = (): Slot => {
    // WebAssembly memory lives outside the V8 heap; a modest heap limit makes V8 collect page-sized
    // garbage early instead of letting RSS swell, and bounds the JS side of a malformed file.
    const worker = new Worker(script.script, { eval: script.eval, resourceLimits: { maxOldGenerationSizeMb: 256 } });
    const slot: Slot = { worker, busy: false };
    worker.on('message', (message: InspectionMessage) => {
      const job = running.get(message.id);
      if (!job) return;
      if (message.type === 'page') {
        job.timer?.refresh();
        job.pages.push(message.report);
        job.onPage({ report: message.report, annotation: message.annotation, pageCount: message.pageCount });
      } else finish(job, message.report);
    });
    const replace = (reason: string) => {
      const index = slots.indexOf(slot);
      if (index >= 0) slots.splice(index, 1);
      const job = [...running.values()].find((candidate) => candidate.slot === slot);
      if (job) {
        log?.error('inspection.worker-died', { file: nameOf(job), reason });
        finish(job, failed(job, 'inspection-crashed', { name: nameOf(job), reason }));
      } else pump();
    };
    worker.on('error', (error) => replace(error.message));
    worker.on('exit', (code) => {
      if (!closed && slots.includes(slot)) replace(`exit ${code}`);
    });
    slots.push(slot);
    return slot;
  };

  const pump = () => {
    if (closed) return;
    while (queue.length > 0) {
      let slot = slots.find((candidate) => !candidate.busy);
      if (!slot && slots.length < size) slot = spawn();
      if (!slot) return;
      // Fairness: the first waiting job of an owner with nothing running goes first, so one caller's
      // slow (or hostile) files cannot take every worker while someone else waits.
      const busyOwners = new Set([...running.values()].map((candidate) => candidate.owner));
      const next = Math.max(0, queue.findIndex((candidate) => !busyOwners.has(candidate.owner)));
      const job = queue.splice(next, 1)[0] as Job;
      slot.busy = true;
      job.slot = slot;
      running.set(job.request.id, job);
      job.timer = setTimeout(() => {
        const stuck = job.slot;
        if (stuck) {
          slots.splice(slots.indexOf(stuck), 1);
          void stuck.worker.terminate();
        }
        log?.warn('inspection.timeout', { file: nameOf(job), ms: timeoutMs });
        finish(job, failed(job, 'inspection-timeout', { name: nameOf(job), seconds: Math.round(timeoutMs / 1000) }));
      }, timeoutMs);
      slot.worker.postMessage(job.request);
    }
  };

  return {
    size,
    inspect(source, settings, onPage = () => undefined, signal, owner) {
      return new Promise<DocumentReport>((resolve) => {
        const id = nextId++;
        const job: Job = { request: { id, source, settings }, onPage, resolve, pages: [], owner: owner ?? `job-${id}` };
        const cancelled = () => failed(job, 'inspection-cancelled', { name: nameOf(job) });
        if (signal?.aborted) return resolve(cancelled());
        signal?.addEventListener(
          'abort',
          () => {
            const waiting = queue.indexOf(job);
            if (waiting >= 0) {
              queue.splice(waiting, 1);
              return resolve(cancelled());
            }
            if (!running.has(job.request.id)) return;
            // The worker may be deep inside one page: stop it and start a fresh one for the next job.
            const slot = job.slot;
            if (slot) {
              slots.splice(slots.indexOf(slot), 1);
              void slot.worker.terminate();
            }
            log?.info('inspection.cancelled', { file: nameOf(job), pages: job.pages.length });
            finish(job, cancelled());
          },
          { once: true },
        );
        queue.push(job);
        pump();
      });
    },
    async close() {
      closed = true;
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
      slots.length = 0;
    },
  };
}

/**
 * Inspects one multi-page file on `parts` workers at once: each takes every `parts`-th page (no page
 * count needed up front), and the reports are merged in page order (the first error, if any, stands).
 * One part is a plain `inspect`.
 */
export async function inspectInParts(pool: InspectionPool, source: InspectionRequest['source'], settings: InspectionSettings, parts: number, onPage?: PageListener, signal?: AbortSignal): Promise<DocumentReport> {
  if (parts <= 1) return pool.inspect(source, settings, onPage, signal);
  const reports = await Promise.all(Array.from({ length: parts }, (_, part) => pool.inspect(source, { ...settings, pages: { ...settings.pages, first: (settings.pages?.first ?? 1) + part, step: parts } }, onPage, signal)));
  const first = reports[0] as DocumentReport;
  return {
    name: first.name,
    pageCount: Math.max(...reports.map((report) => report.pageCount)),
    error: reports.find((report) => report.error)?.error ?? null,
    pages: reports.flatMap((report) => report.pages).sort((a, b) => a.page - b.page),
  };
}
