// Upload queue (issue 12): a spool of bills with 200 KB pages sent to the reference server on
// loopback by the queue, next to the adapter alone (the same pages, the same two in flight, no
// manifests) and to curl uploading the same pages in one process with keep-alive; then the memory
// of `scan-station upload --once` with 100 and with 10,000 pages (flat, not growing per page).
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultCodeRules } from '../electron/core/codes/image-code-rules.js';
import { createHttpAdapter } from '../electron/core/imaging/http-adapter.js';
import { createMemoryLogger } from '../electron/core/log/logger.js';
import { createSpool } from '../electron/core/spool/spool.js';
import type { StackRecord } from '../electron/core/spool/stack-record.js';
import { derivePageKey } from '../electron/core/spool/upload-manifest.js';
import { createUploadQueue } from '../electron/core/upload/upload-queue.js';

const pageBytes = 200 * 1024;
const pagesPerBill = 10;
const billsPerStack = 10;
const cli = 'dist/cli/scan-station.cjs';

/**
 * Writes a spool as intake leaves it (stack.json and page files), for `pages` pages: 10-page bills,
 * 10 bills a stack. Built directly, not by intake: 10,000 scanned pages would take minutes to make.
 */
async function writeSpool(dir: string, pages: number, tag: string): Promise<Array<{ code: string; files: string[]; sha256: string[] }>> {
  const stacksDir = path.join(dir, 'spool', 'stacks');
  const bills: Array<{ code: string; files: string[]; sha256: string[] }> = [];
  const stacks = Math.ceil(pages / pagesPerBill / billsPerStack);
  for (let s = 0; s < stacks; s += 1) {
    const id = `20261127T000000-${tag}${String(s).padStart(5, '0')}`;
    await mkdir(path.join(stacksDir, id, 'pages'), { recursive: true });
    const record: StackRecord = { version: 1, id, importedAt: new Date(Date.UTC(2026, 10, 27, 0, 0, s)).toISOString(), source: { name: `${id}.pdf`, path: '', sha256: id, size: 0 }, pages: [], bills: [], orphans: [], blank: [] };
    for (let b = 0; b < billsPerStack && bills.length * pagesPerBill < pages; b += 1) {
      const code = `FY-Q${tag}-${String(s * billsPerStack + b).padStart(6, '0')}`;
      const bill = { code, files: [] as string[], sha256: [] as string[] };
      const numbers: number[] = [];
      for (let p = 0; p < pagesPerBill; p += 1) {
        const number = record.pages.length + 1;
        const bytes = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(pageBytes - 4)]);
        const file = `pages/${number}.jpg`;
        await writeFile(path.join(stacksDir, id, file), bytes);
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        record.pages.push({ page: number, file, format: 'jpeg', sha256, kind: p === 0 ? 'cover' : 'content' });
        numbers.push(number);
        bill.files.push(path.join(stacksDir, id, file));
        bill.sha256.push(sha256);
      }
      record.bills.push({ id: `${id}-${b + 1}`, stackId: id, code, cover: numbers[0] ?? null, pages: numbers, held: null, turned: false, state: 'ready' });
      bills.push(bill);
    }
    await writeFile(path.join(stacksDir, id, 'stack.json'), JSON.stringify(record));
  }
  return bills;
}

/** The reference server as its own process (as a real server is): its work never shares a core's event loop with the sender. */
async function startServerProcess(dataDir: string): Promise<{ url: string; port: number; close: () => Promise<void> }> {
  await mkdir(dataDir, { recursive: true });
  await writeFile(path.join(dataDir, 'secret.txt'), 'bench-secret');
  const child = spawn(process.execPath, [cli, 'serve-imaging', '--port', '0', '--data', dataDir, '--client-id', 'bench', '--client-secret-file', path.join(dataDir, 'secret.txt'), '--json'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  const { url } = JSON.parse(String(line)) as { url: string };
  return {
    url,
    port: Number(new URL(url).port),
    close: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** Prints the queue section of `npm run bench`. */
export async function runQueueBench(): Promise<void> {
  console.log('\nUpload queue (reference server as its own process on loopback, 200 KB pages, 10-page bills, two pages in flight)');
  if (!existsSync(cli)) {
    console.log('  skipped: run npm run build first');
    return;
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'scan-station-queue-bench-'));
  try {
    const pages = 1000;
    const server = await startServerProcess(path.join(dir, 'server'));
    const adapterOf = () => createHttpAdapter({ settings: { apiAddress: server.url, clientId: 'bench' }, clientSecret: 'bench-secret', env: {} });

    // The adapter alone: the same work without the queue's bookkeeping (manifests, receipts, renames).
    const plain = await writeSpool(path.join(dir, 'plain'), pages, 'A');
    const adapter = adapterOf();
    let started = performance.now();
    for (const bill of plain) {
      let next = 0;
      const lane = async () => {
        while (next < bill.files.length) {
          const index = next++;
          const bytes = await readFile(bill.files[index] as string);
          await adapter.uploadPage({ imageCode: bill.code, page: index + 1, bytes, sha256: bill.sha256[index] as string, idempotencyKey: derivePageKey('bench', bill.code, index + 1, bill.sha256[index] as string) });
        }
      };
      await Promise.all([lane(), lane()]);
      await adapter.closeBill(bill.code, bill.files.length);
    }
    const adapterSeconds = (performance.now() - started) / 1000;

    // The queue over a spool of the same shape.
    const queued = path.join(dir, 'queued');
    await writeSpool(queued, pages, 'B');
    const spool = createSpool({ dir: path.join(queued, 'spool'), log: createMemoryLogger(), now: () => new Date(), rules: defaultCodeRules });
    // One adapter for the whole run, as the station's endpoint service keeps one while its settings hold:
    // a fresh one per bill would fetch a token and open a connection for every bill.
    const queueAdapter = adapterOf();
    const queue = createUploadQueue({
      spool,
      stacksDir: path.join(queued, 'spool', 'stacks'),
      stateFile: path.join(queued, 'spool', 'queue.json'),
      endpoint: { openAdapter: async () => queueAdapter, describe: async () => ({ mode: 'basic', stationId: 'bench' }), recheck: async () => true },
      log: createMemoryLogger(),
      now: () => new Date(),
    });
    started = performance.now();
    const status = await queue.runOnce();
    const queueSeconds = (performance.now() - started) / 1000;
    if (status.counts.done !== pages / pagesPerBill) throw new Error(`queue bench: ${status.counts.done} bills done`);

    // curl: the same pages, one process, one kept-alive connection, one request after another.
    let curlSeconds: number | null = null;
    if (spawnSync('curl', ['--version']).status === 0) {
      const curlBills = await writeSpool(path.join(dir, 'curl'), pages, 'C');
      const answer = (await (await fetch(`${server.url}/base/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(signed()) })).json()) as { access_token: string };
      const lines: string[] = [];
      for (const bill of curlBills) {
        for (const [index, file] of bill.files.entries()) {
          lines.push(`url = "${server.url}/imaging/v1/bills/${bill.code}/pages?access_token=${answer.access_token}"`, `form = "file=@${file}"`, `form = "page=${index + 1}"`, `form = "sha256=${bill.sha256[index]}"`, `form = "idempotencyKey=curl-${bill.code}-${index + 1}"`, 'output = "/dev/null"', 'next');
        }
      }
      // `next` separates requests; one after the last would start an empty one.
      lines.pop();
      await writeFile(path.join(dir, 'curl.cfg'), `${lines.join('\n')}\n`);
      started = performance.now();
      // Asynchronously: the server answering curl runs in this very process.
      const curl = spawn('curl', ['-s', '-f', '-K', path.join(dir, 'curl.cfg')], { stdio: ['ignore', 'ignore', 'pipe'] });
      let curlErrors = '';
      curl.stderr.on('data', (chunk: Buffer) => (curlErrors += chunk.toString()));
      const [code] = (await once(curl, 'exit')) as [number | null];
      curlSeconds = (performance.now() - started) / 1000;
      if (code !== 0) throw new Error(`curl failed: ${code} ${curlErrors.slice(0, 500)}`);
    }
    await server.close();
    const rate = (seconds: number) => `${(pages / seconds).toFixed(0)} pages/s (${((pages * pageBytes) / 1024 / 1024 / seconds).toFixed(1)} MB/s)`;
    console.log(`  adapter alone (same pages, 2 in flight, no manifests)   ${rate(adapterSeconds)}`);
    console.log(`  the queue (receipts flushed per page, state per bill)   ${rate(queueSeconds)}: ${(queueSeconds / adapterSeconds).toFixed(2)}x the adapter's time (target ≤ 1.3x)`);
    if (curlSeconds !== null) console.log(`  curl, one process, keep-alive, one at a time             ${rate(curlSeconds)}: the queue is ${(curlSeconds / queueSeconds).toFixed(2)}x curl's rate (target ≥ 0.77x)`);

    // Memory: the CLI sending 100 pages, then 10,000.
    const peaks: Array<[number, number, number]> = [];
    for (const count of [100, 10_000]) {
      const data = path.join(dir, `cli-${count}`);
      await writeSpool(data, count, count === 100 ? 'S' : 'L');
      const cliServer = await startServerProcess(path.join(data, 'server'));
      await writeFile(path.join(data, 'secret.txt'), 'bench-secret');
      await writeFile(path.join(data, 'profile.json'), JSON.stringify({ version: 1, profileName: 'bench', preset: 'private', code: 'FPY', host: '127.0.0.1', port: cliServer.port, scheme: 'http', apiAddress: `${cliServer.url}/api`, mode: 'basic', clientId: 'bench', taxNumber: '', stationId: 'bench', scanDpi: 200, adapter: 'http' }));
      // Asynchronously: the server the CLI talks to runs in this very process.
      const cliArgs = async (args: string[]) => {
        const child = spawn(process.execPath, ['-r', './bench/print-peak-rss.cjs', cli, ...args, '--data-dir', data], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        const [status] = (await once(child, 'exit')) as [number | null];
        return { status, stderr };
      };
      await cliArgs(['config', 'import', path.join(data, 'profile.json')]);
      await cliArgs(['config', 'set-secret', '--secret-file', path.join(data, 'secret.txt')]);
      await cliArgs(['preflight']);
      const begun = performance.now();
      const run = await cliArgs(['upload', '--once', '--json']);
      const seconds = (performance.now() - begun) / 1000;
      await cliServer.close();
      if (run.status !== 0) throw new Error(`upload --once failed (${run.status}): ${run.stderr.slice(0, 1000)}`);
      peaks.push([count, Number(/peak-rss-mb (\d+)/.exec(run.stderr)?.[1] ?? 0), seconds]);
      await rm(data, { recursive: true, force: true });
    }
    const [small, large] = peaks as [[number, number, number], [number, number, number]];
    console.log(`  scan-station upload --once: ${small[0]} pages peak RSS ${small[1]} MB; ${large[0].toLocaleString('en')} pages peak RSS ${large[1]} MB (${(large[1] / small[1]).toFixed(2)}x), ${(large[0] / large[2]).toFixed(0)} pages/s with process start-up`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  /** A token request's body, signed as the protocol says. */
  function signed() {
    const timestamp = String(Date.now());
    return { client_id: 'bench', timestamp, sign: createHash('md5').update(`bench${'bench-secret'}${timestamp}`).digest('hex') };
  }
}
