import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveWorkerScript } from '../base/worker-script.js';
import { CoreError } from '../base/errors.js';
import { registerNativeWork } from '../base/native-work.js';
import type { PageReadRequest, PageReadResponse, JpegPageRead } from './read-jpeg-page.js';

/** Reads scanned JPEG pages (band, overview, evidence, thumbnail) on worker threads. */
export interface PageReaderPool {
  readonly size: number;
  /** Pages a reader is given at once. */
  readonly pagesPerReader: number;
  /** Reads a page; its `bytes` are handed over (moved to the reader when they own their buffer): do not use them after. */
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
 * bytes from disk and writes them). Each reader has two pages at a time: libjpeg-turbo decodes one
 * on libuv's threads while the reader searches the other, so no core waits. (Decoding on the
 * reader's own thread measured 3–5 % faster, but a scan cancelled from the Scan desk then lost its
 * result banner: tests/e2e/capture.test.ts.) A page that takes
 * longer than `timeoutMs` stops its worker, which is replaced; its pages fail with
 * `inspection-timeout`. Readers start with their first page, or all at once with `prestart` (a
 * command about to read: they boot on the idle core while the main thread loads and opens the file).
 */
export function createPageReaderPool({ size = 2, timeoutMs = 120_000, prestart = false }: { size?: number; timeoutMs?: number; prestart?: boolean } = {}): PageReaderPool {
  const pagesPerReader = 2;
  const script = resolveWorkerScript('page-reader-worker', path.dirname(fileURLToPath(import.meta.url)));
  const workers: Array<{ worker: Worker; jobs: Map<number, Pending> }> = [];
  const queue: Pending[] = [];
  let nextId = 1;
  let closed = false;

  const settle = (slot: (typeof workers)[number], response: PageReadResponse) => {
    const job = slot.jobs.get(response.id);
    if (!job) return;
    clearTimeout(job.timer);
    slot.jobs.delete(response.id);
    if ('read' in response) job.resolve(response.read);
    else job.reject(new CoreError(response.error.code, response.error.params));
    pump();
  };
  const drop = (slot: (typeof workers)[number], code: 'inspection-crashed' | 'inspection-timeout', reason: string) => {
    workers.splice(workers.indexOf(slot), 1);
    void slot.worker.terminate();
    for (const job of slot.jobs.values()) {
      clearTimeout(job.timer);
      job.reject(new CoreError(code, code === 'inspection-timeout' ? { name: job.request.name, seconds: Math.round(timeoutMs / 1000) } : { name: job.request.name, reason }));
    }
    slot.jobs.clear();
    pump();
  };
  const spawn = () => {
    const worker = new Worker(script.script, { eval: script.eval, resourceLimits: { maxOldGenerationSizeMb: 256 } });
    const slot = { worker, jobs: new Map<number, Pending>() };
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
  /** The least busy reader with room for a page, or a new one while there are fewer than `size`. */
  const freeSlot = () => {
    const idle = workers.find((candidate) => candidate.jobs.size === 0);
    if (idle) return idle;
    if (workers.length < size) return spawn();
    return workers.find((candidate) => candidate.jobs.size < pagesPerReader) ?? null;
  };
  const pump = () => {
    while (!closed && queue.length > 0) {
      const slot = freeSlot();
      if (!slot) return;
      const job = queue.shift() as Pending;
      slot.jobs.set(job.request.id, job);
      job.timer = setTimeout(() => drop(slot, 'inspection-timeout', 'timeout'), timeoutMs);
      slot.worker.ref();
      // A page's bytes that own their buffer move to the reader instead of being copied twice
      // (serialised, then deserialised): the caller hands over a copy it no longer uses.
      const { bytes } = job.request;
      const movable = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && !(bytes.buffer instanceof SharedArrayBuffer);
      slot.worker.postMessage(job.request, movable ? [bytes.buffer as ArrayBuffer] : []);
    }
    for (const slot of workers) if (slot.jobs.size === 0) slot.worker.unref();
  };

  if (prestart) while (workers.length < size) spawn();

  // On a stop, no new page is sent and the pages being decoded finish before the process may exit.
  const unregister = registerNativeWork(async () => {
    queue.length = 0;
    closed = true;
    const running = workers.flatMap((slot) => [...slot.jobs.values()]);
    await Promise.all(running.map((job) => new Promise<void>((resolve) => {
      const { resolve: done, reject: failed } = job;
      job.resolve = (read) => (resolve(), done(read));
      job.reject = (error) => (resolve(), failed(error));
    })));
  });
  return {
    size,
    pagesPerReader,
    read(request) {
      return new Promise((resolve, reject) => {
        if (closed) return reject(new CoreError('inspection-crashed', { name: request.name, reason: 'closed' }));
        queue.push({ request: { ...request, id: nextId++ }, resolve, reject });
        pump();
      });
    },
    async close() {
      closed = true;
      unregister();
      await Promise.all(workers.map((slot) => slot.worker.terminate()));
      workers.length = 0;
    },
  };
}
