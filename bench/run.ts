// `npm run bench`: performance figures, reported as ratios measured in one run (absolute times
// vary between machines and runs). Each later feature adds its section here.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createCore } from '../electron/core/create-core.js';
import { createMemoryLogger } from '../electron/core/log/logger.js';
import { createDispatcher } from '../electron/ipc/dispatcher.js';
import { createHandlers } from '../electron/ipc/handlers.js';
import { isTrustedHttpSender } from '../electron/ipc/sender-check.js';
import { startBrowserServer } from '../electron/server/browser-server.js';

interface Row {
  name: string;
  perSecond: number;
  note: string;
}

async function timeLoop(count: number, body: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(200, count); i += 1) await body(); // warm-up
  const start = performance.now();
  for (let i = 0; i < count; i += 1) await body();
  return count / ((performance.now() - start) / 1000);
}

async function benchIpc(): Promise<Row[]> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'scan-station-bench-'));
  try {
    const log = createMemoryLogger();
    const core = await createCore({ dataDir, appVersion: 'bench', log });
    const handlers = createHandlers(core, 'browser');
    const dispatcher = createDispatcher({ handlers, isTrustedSender: () => true, log });
    const sink = () => undefined;
    const calls = 5000;
    const raw = await timeLoop(calls, () => handlers['app:info']({}, { emit: () => undefined }));
    const dispatched = await timeLoop(calls, () => dispatcher.dispatch('app:info', {}, { transport: 'in-process' }, sink));
    const server = await startBrowserServer({
      dispatcher: createDispatcher({ handlers, isTrustedSender: isTrustedHttpSender, log }),
      staticDir: dataDir,
      log,
    });
    const http = await timeLoop(2000, async () => {
      const response = await fetch(`${server.origin}/ipc/app:info`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-scan-station-token': server.token },
        body: '{}',
      });
      return response.json();
    });
    await server.close();
    return [
      { name: 'handler called directly', perSecond: raw, note: 'baseline' },
      { name: 'through the dispatcher (zod in + out)', perSecond: dispatched, note: `${(raw / dispatched).toFixed(1)}x the direct cost` },
      { name: 'over the HTTP bridge (browser mode)', perSecond: http, note: `${(raw / http).toFixed(0)}x the direct cost` },
    ];
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

function benchCliStart(): Row[] {
  const runs = 5;
  const time = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const start = performance.now();
    for (let i = 0; i < runs; i += 1) {
      const result = spawnSync(process.execPath, [...args, '--version'], { encoding: 'utf8', env: { ...process.env, ...env } });
      if (result.status !== 0) throw new Error(result.stderr);
    }
    return (performance.now() - start) / runs;
  };
  const source = time(['bin/scan-station.mjs'], { SCAN_STATION_FROM_SOURCE: '1' });
  const rows: Row[] = [{ name: 'bin, TypeScript source (tsx)', perSecond: 1000 / source, note: `${source.toFixed(0)} ms per --version (no build, or the sources changed since)` }];
  if (existsSync('dist/cli/scan-station.cjs')) {
    const bin = time(['bin/scan-station.mjs']);
    rows.push({ name: 'bin, current bundle', perSecond: 1000 / bin, note: `${bin.toFixed(0)} ms per --version (target < 300 ms): ${(source / bin).toFixed(1)}x faster than from source` });
  } else rows.push({ name: 'bin, current bundle', perSecond: 0, note: 'skipped: run npm run build first' });
  return rows;
}

function print(title: string, rows: Row[]): void {
  console.log(`\n${title}`);
  for (const row of rows) console.log(`  ${row.name.padEnd(40)} ${row.perSecond.toFixed(0).padStart(8)} /s   ${row.note}`);
}

// `npm run bench -- scan-desk qr` runs only the named sections (ipc, cli, cover, qr, upload, queue, scan-desk, spool-index, capture, engine).
const only = new Set(process.argv.slice(2));
const wanted = (name: string) => only.size === 0 || only.has(name);
console.log(`Scan Station bench · Node ${process.versions.node} · ${os.cpus().length} cores · ratios are from this one run`);
if (wanted('ipc')) print('IPC: app:info calls', await benchIpc());
if (wanted('cli')) print('CLI cold start (--version)', benchCliStart());
if (wanted('cover')) await (await import('./cover-bench.js')).runCoverBench();
if (wanted('qr')) await (await import('./qr-bench.js')).runQrBench();
if (wanted('upload')) await (await import('./upload-bench.js')).runUploadBench();
if (wanted('queue')) await (await import('./queue-bench.js')).runQueueBench();
if (wanted('scan-desk')) await (await import('./scan-desk-bench.js')).runScanDeskBench();
if (wanted('spool-index')) await (await import('./spool-index-bench.js')).runSpoolIndexBench();
if (wanted('capture')) await (await import('./capture-bench.js')).runCaptureBench();
if (wanted('engine')) await (await import('./engine-bench.js')).runEngineBench();
