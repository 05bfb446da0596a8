import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { createMemoryLogger } from '../../../../electron/core/log/logger.js';
import { createEsclDriver } from '../../../../electron/core/scanner/escl-client.js';
import type { StackRecord } from '../../../../electron/core/spool/stack-record.js';
import { seededRandom } from '../../../fixtures/cover-raster.js';
import { encodeJpeg } from '../../../fixtures/encode.js';
import { renderStackPage, type StackPage } from '../../../fixtures/stacks.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

// Kill -9 mid-scan: the built CLI's `scan` against a `serve-scanner` child, killed by pid at random
// moments after k pages, continued with `scan --into`, until the whole feeder went through. Every page
// the device sent that the spool committed must be in the stack once, in order, byte for byte; none
// twice, none half-written. `SCAN_STATION_SOAK_KILLS` (npm run soak) makes the run long.
const kills = Number(process.env['SCAN_STATION_SOAK_KILLS'] ?? 6);
const cliEntry = path.resolve('dist', 'cli', 'scan-station.cjs');
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Lines a child prints on stdout, as they come. */
function readLines(child: ChildProcess, onLine: (line: string) => void): void {
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', onLine);
}

/** The device's jobs as its ScannerStatus lists them: URI, state, pages sent in full (newest first). */
async function readJobs(url: string): Promise<Array<{ uri: string; state: string; images: number }>> {
  const xml = await (await fetch(`${url}/ScannerStatus`)).text();
  return [...xml.matchAll(/<pwg:JobUri>([^<]+)<\/pwg:JobUri>.*?<pwg:ImagesCompleted>(\d+)<\/pwg:ImagesCompleted><pwg:JobState>(\w+)</g)].map((match) => ({ uri: match[1] as string, images: Number(match[2]), state: match[3] as string }));
}

test(`a scan killed with SIGKILL ${kills} times mid-job and continued each time: every committed page once, in order, byte for byte`, { timeout: Math.max(240_000, kills * 20_000) }, async () => {
  const random = seededRandom(20261225);
  const kinds: StackPage[] = [];
  for (let bill = 0; bill < 3; bill += 1) kinds.push({ kind: 'cover', code: `FY-KILL-${String(bill).padStart(3, '0')}` }, { kind: 'content' }, { kind: 'content' });
  const feeder = path.join(await makeTempDir(), 'feeder');
  await mkdir(feeder);
  await Promise.all(kinds.map(async (kind, index) => writeFile(path.join(feeder, `side-${String(index + 1).padStart(3, '0')}.jpg`), await encodeJpeg(renderStackPage(kind, 100, index + 1), 100))));
  const dataDir = await makeTempDir();
  const server = spawn(process.execPath, [cliEntry, 'serve-scanner', '--pages', feeder, '--port', '0', '--slow-ms', '120', '--json'], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const [first] = (await once(createInterface({ input: server.stdout as NodeJS.ReadableStream }), 'line')) as [string];
    const url = (JSON.parse(first) as { url: string }).url;
    // What the device sends for this feeder, read by a plain client loop (the pages are converted the same way every job).
    const driver = createEsclDriver({ device: { id: url, kind: 'escl', name: 'reference', origin: 'typed' }, log: createMemoryLogger() });
    const signal = new AbortController().signal;
    const probe = await driver.startJob({ source: 'adf', dpi: 200, color: 'gray' }, signal);
    const sent: string[] = [];
    for (let page = await probe.nextPage(signal); page; page = await probe.nextPage(signal)) sent.push(sha(page.bytes));
    await probe.close();
    assert.equal(sent.length, kinds.length);

    let batch: string | null = null;
    const rounds: Array<{ printed: number; sentByDevice: number }> = [];
    let left: string | null = null;
    for (let round = 0; round <= kills; round += 1) {
      const last = round === kills;
      const args = batch ? ['scan', '--into', batch] : ['scan', '--device', url, '--source', 'adf'];
      const child = spawn(process.execPath, [cliEntry, ...args, '--json', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'ignore'] });
      const exited = once(child, 'exit') as Promise<[number | null]>;
      let printed = 0;
      let result: { status: string; stack?: string } | null = null;
      const wanted = 1 + Math.floor(random() * 3);
      const reached = new Promise<void>((resolve) => {
        readLines(child, (line) => {
          const message = JSON.parse(line) as { status: string; batch?: string; stack?: string };
          if (message.status === 'received') {
            printed += 1;
            batch ??= message.batch ?? null;
            if (printed >= wanted) resolve();
          } else result = message;
        });
        void exited.then(() => resolve());
      });
      if (last) {
        const [code] = await exited;
        assert.equal(code, 0, JSON.stringify(result));
      } else {
        await reached;
        // Killed at a random moment after k pages: storing a page, asking the device, or in between.
        await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 200)));
        child.kill('SIGKILL');
        await exited;
      }
      await new Promise((resolve) => setImmediate(resolve));
      const jobs = await readJobs(url);
      const own = jobs[0] as { uri: string; state: string; images: number };
      // The job the killed process before left on the device was ended by the station itself when this round continued the scan (its address is in the batch).
      if (left) assert.notEqual(jobs.find((entry) => entry.uri === left)?.state, 'Processing', `round ${round}: the job ${left} a kill left is still running on the device`);
      left = !last && own.state === 'Processing' ? own.uri : null;
      if (left && batch) assert.equal((JSON.parse(await readFile(path.join(dataDir, 'spool', 'batches', batch, 'batch.json'), 'utf8')) as { capture?: { jobUri?: string } }).capture?.jobUri, new URL(left, url).pathname, `round ${round}: the job's address recorded`);
      rounds.push({ printed, sentByDevice: own.images });
      if (last) assert.equal((result as { status: string } | null)?.status, 'ingested');
    }

    // One stack, made of each round's pages: a prefix of the feeder per job, at least what was said, at most what the device sent.
    const stacks = await readdir(path.join(dataDir, 'spool', 'stacks'));
    assert.equal(stacks.length, 1);
    const stackDir = path.join(dataDir, 'spool', 'stacks', stacks[0] as string);
    const stack = JSON.parse(await readFile(path.join(stackDir, 'stack.json'), 'utf8')) as StackRecord;
    const stored: string[] = [];
    for (const page of stack.pages) {
      const bytes = await readFile(path.join(stackDir, page.file));
      // Never half-written: the file is what its record says, and a page the device sent.
      assert.equal(sha(bytes), page.sha256, page.file);
      stored.push(sha(bytes));
    }
    const segments: string[][] = [];
    for (const digest of stored) {
      if (digest === sent[0]) segments.push([]);
      segments.at(-1)?.push(digest);
    }
    assert.equal(stored[0], sent[0]);
    assert.equal(segments.length, rounds.length, JSON.stringify(rounds));
    for (const [index, segment] of segments.entries()) {
      const round = rounds[index] as { printed: number; sentByDevice: number };
      assert.deepEqual(segment, sent.slice(0, segment.length), `round ${index}: a prefix of the feeder, in order, none twice`);
      assert.ok(segment.length >= round.printed, `round ${index}: every page said as received is there (${segment.length} < ${round.printed})`);
      assert.ok(segment.length <= round.sentByDevice, `round ${index}: nothing the device did not send in full (${segment.length} > ${round.sentByDevice})`);
    }
    assert.equal(segments.at(-1)?.length, kinds.length);
    assert.deepEqual(await readdir(path.join(dataDir, 'spool', 'batches')), []);
    assert.deepEqual(await readdir(path.join(dataDir, 'spool', 'tmp')), []);
  } finally {
    server.kill('SIGTERM');
    await once(server, 'exit');
  }
});
