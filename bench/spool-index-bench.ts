// What the UI costs with a big spool (issue 21 item 5): a spool of 100 and of 2,000 bills (10 pages
// each) written in the spool's own format, a core started over it (upload queue running, as in the app
// and browser mode), then the calls the Scan desk tab makes: the status-bar counts, the queue card and
// the desk list, cold (first after start) and warm; then the polls of one open Scan desk tab (queue card
// and watch panel every 1.5 s, status bar every 3 s, the desk list again whenever the revision changes)
// for a while, with the process's CPU time scaled to a minute and its RSS. Each size runs in its own
// process, so one's heap does not weigh on the other's figures.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCore } from '../electron/core/create-core.js';
import { createMemoryLogger } from '../electron/core/log/logger.js';
import { createHandlers } from '../electron/ipc/handlers.js';
import { writeLargeSpool } from '../tests/fixtures/large-spool.js';

/** What one size's child process reports. */
interface SpoolFigures {
  bills: number;
  startMs: number;
  coldCountsMs: number;
  coldQueueMs: number;
  coldDeskMs: number;
  warmCountsMs: number;
  warmQueueMs: number;
  warmDeskMs: number;
  idleSeconds: number;
  cpuSecondsPerMinute: number;
  deskRefreshes: number;
  rssMb: number;
  peakRssMb: number;
}

const ctx = { emit: () => undefined };

/** Milliseconds one call takes. */
async function timed(body: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await body();
  return performance.now() - started;
}

/** The median of a few warm calls. */
async function warm(body: () => Promise<unknown>, times = 5): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < times; i += 1) runs.push(await timed(body));
  return runs.sort((a, b) => a - b)[Math.floor(times / 2)] as number;
}

/** Runs in the child: starts a core over `dataDir` and plays one Scan desk tab for `seconds`. */
async function measure(dataDir: string, bills: number, seconds: number): Promise<SpoolFigures> {
  const started = performance.now();
  const core = await createCore({ dataDir, appVersion: 'bench', log: createMemoryLogger(), startUploadQueue: true });
  const handlers = createHandlers(core, 'browser');
  const startMs = performance.now() - started;
  const counts = () => handlers['scanDesk:watchStatus']({}, ctx);
  const queue = () => handlers['upload:status']({}, ctx);
  const desk = () => handlers['scanDesk:overview']({}, ctx);
  const coldCountsMs = await timed(counts);
  const coldQueueMs = await timed(queue);
  const coldDeskMs = await timed(desk);
  const warmCountsMs = await warm(counts);
  const warmQueueMs = await warm(queue);
  const warmDeskMs = await warm(desk);

  let peak = process.memoryUsage().rss;
  let revision = (await counts()).revision;
  let deskRefreshes = 0;
  const cpuBefore = process.cpuUsage();
  const idleStarted = performance.now();
  // The tab's timers: the queue card and the watch panel every 1.5 s, the status bar every 3 s.
  for (let tick = 0; performance.now() - idleStarted < seconds * 1000; tick += 1) {
    const look = await Promise.all([queue(), counts(), ...(tick % 2 === 0 ? [queue(), counts()] : [])]);
    const seen = (look[1] as Awaited<ReturnType<typeof counts>>).revision;
    if (seen !== revision) {
      revision = seen;
      deskRefreshes += 1;
      await desk();
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    await new Promise((resolve) => setTimeout(resolve, 1500));
  }
  const idleSeconds = (performance.now() - idleStarted) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const rss = process.memoryUsage().rss;
  await core.close();
  return {
    bills,
    startMs,
    coldCountsMs,
    coldQueueMs,
    coldDeskMs,
    warmCountsMs,
    warmQueueMs,
    warmDeskMs,
    idleSeconds,
    cpuSecondsPerMinute: ((cpu.user + cpu.system) / 1e6 / idleSeconds) * 60,
    deskRefreshes,
    rssMb: rss / 1024 / 1024,
    peakRssMb: Math.max(peak, rss) / 1024 / 1024,
  };
}

/** Prints the spool index section of `npm run bench` (`npm run bench -- spool-index`). */
export async function runSpoolIndexBench(): Promise<void> {
  const seconds = Number(process.env['SPOOL_BENCH_SECONDS'] ?? 24);
  console.log(`\nThe UI over a big spool (10-page bills, core with the upload queue running; one Scan desk tab's polls for ${seconds} s, CPU scaled to a minute)`);
  for (const bills of [100, 2000]) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'scan-station-spool-bench-'));
    try {
      const madeStarted = performance.now();
      const spool = await writeLargeSpool(dir, bills);
      const madeSeconds = (performance.now() - madeStarted) / 1000;
      const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', dir, String(bills), String(seconds)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      if (child.status !== 0) throw new Error(`the measuring process failed (${child.status}): ${child.stderr.slice(0, 2000)}`);
      const figures = JSON.parse(child.stdout.trim().split('\n').at(-1) as string) as SpoolFigures;
      console.log(`  ${bills.toLocaleString('en')} bills, ${spool.pages.toLocaleString('en')} pages in ${spool.stacks} stacks (${spool.done} uploaded, ${spool.held} held, ${spool.ready} ready; written in ${madeSeconds.toFixed(1)} s); core start ${figures.startMs.toFixed(0)} ms`);
      console.log(`    status-bar counts: cold ${figures.coldCountsMs.toFixed(0)} ms, warm ${figures.warmCountsMs.toFixed(1)} ms · queue card: cold ${figures.coldQueueMs.toFixed(0)} ms, warm ${figures.warmQueueMs.toFixed(1)} ms · desk list: cold ${figures.coldDeskMs.toFixed(0)} ms, warm ${figures.warmDeskMs.toFixed(1)} ms`);
      console.log(`    idle tab: ${figures.cpuSecondsPerMinute.toFixed(2)} CPU s per minute, desk list reloaded ${figures.deskRefreshes} times in ${figures.idleSeconds.toFixed(0)} s; RSS ${figures.rssMb.toFixed(0)} MB (peak ${figures.peakRssMb.toFixed(0)} MB)`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

if (process.argv[2] === '--child') {
  const [dir, bills, seconds] = process.argv.slice(3);
  const figures = await measure(dir as string, Number(bills), Number(seconds));
  process.stdout.write(`${JSON.stringify(figures)}\n`);
  process.exit(0);
}
