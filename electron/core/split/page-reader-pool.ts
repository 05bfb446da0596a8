import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveWorkerScript } from '../cover/inspection-pool.js';
import { CoreError } from '../errors.js';
import type { PageReadRequest, PageReadResponse, JpegPageRead } from './read-stack-pages.js';

/** Reads scanned JPEG pages (band, overview, evidence, thumbnail) on worker threads. */
export interface PageReaderPool {
  readonly size: number;
  read(request: Omit<PageReadRequest, 'id'>): Promise<JpegPageRead>;
  close(): Promise<void>;
}

interface Pending {
  request: PageReadRequest;
  resolve: (read: JpegPageRead) => void;
  reject: (error: CoreError) => void;
  timer?: NodeJS.Timeout;
}

/**
 * Creates `size` page readers (default 2: the stations have 2 cores; the main thread only reads
 * bytes from disk and writes them). A page that takes longer than `timeoutMs` stops its worker,
 * which is replaced; the page fails with `inspection-timeout`.
 */
export function createPageReaderPool({ size = 2, timeoutMs = 120_000 }: { size?: number; timeoutMs?: number } = {}): PageReaderPool {
  const script = resolveWorkerScript('page-reader-worker', path.dirname(fileURLToPath(import.meta.url)));
  const workers: Array<{ worker: Worker; job: Pending | null }> = [];
  const queue: Pending[] = [];
  let nextId = 1;
  let closed = false;

  const settle = (slot: (typeof workers)[number], response: PageReadResponse) => {
    const job = slot.job;
    if (!job) return;
    clearTimeout(job.timer);
    slot.job = null;
    if ('read' in response) job.resolve(response.read);
    else job.reject(new CoreError(response.error.code, response.error.params));
    pump();
  };
  const drop = (slot: (typeof workers)[number], code: 'inspection-crashed' | 'inspection-timeout', reason: string) => {
    workers.splice(workers.indexOf(slot), 1);
    void slot.worker.terminate();
    const job = slot.job;
    slot.job = null;
    if (job) {
      clearTimeout(job.timer);
      job.reject(new CoreError(code, code === 'inspection-timeout' ? { name: job.request.name, seconds: Math.round(timeoutMs / 1000) } : { name: job.request.name, reason }));
    }
    pump();
  };
  const spawn = () => {
    const worker = new Worker(script.script, { eval: script.eval, resourceLimits: { maxOldGenerationSizeMb: 256 } });
    const slot = { worker, job: null as Pending | null };
    worker.on('message', (response: PageReadResponse) => settle(slot, response));
    worker.on('error', (error) => drop(slot, 'inspection-crashed', error.message));
    worker.on('exit', (code) => {
      if (!closed && workers.includes(slot)) drop(slot, 'inspection-crashed', `exit ${code}`);
    });
    // Idle workers must not keep a CLI alive.
    worker.unref();
    workers.push(slot);
    return slot;
  };
  const pump = () => {
    while (!closed && queue.length > 0) {
      const slot = workers.find((candidate) => !candidate.job) ?? (workers.length < size ? spawn() : null);
      if (!slot) return;
      const job = queue.shift() as Pending;
      slot.job = job;
      job.timer = setTimeout(() => drop(slot, 'inspection-timeout', 'timeout'), timeoutMs);
      slot.worker.ref();
      slot.worker.postMessage(job.request);
    }
    for (const slot of workers) if (!slot.job) slot.worker.unref();
  };

  return {
    size,
    read(request) {
      return new Promise((resolve, reject) => {
        if (closed) return reject(new CoreError('inspection-crashed', { name: request.name, reason: 'closed' }));
        queue.push({ request: { ...request, id: nextId++ }, resolve, reject });
        pump();
      });
    },
    async close() {
      closed = true;
      await Promise.all(workers.map((slot) => slot.worker.terminate()));
      workers.length = 0;
    },
  };
}
