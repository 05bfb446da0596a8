import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { encodeVectorPdf } from '../../../fixtures/encode.js';
import { flateBombPdf } from '../../../fixtures/hostile.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

/** The peak resident memory a flate bomb may cost a `split`: PDFium's heap floor (512 MiB) plus Node, libvips and the QR reader. */
const peakRssBoundMb = 1024;

test('a flate bomb (2 MB inflating to 2 GiB) is refused as pdf-memory under 1 GB peak RSS, and the next vector PDF still renders', async () => {
  const dir = await makeTempDir();
  const bomb = path.join(dir, 'bomb.pdf');
  const vector = path.join(dir, 'cover.pdf');
  await writeFile(bomb, flateBombPdf());
  await writeFile(vector, await encodeVectorPdf({ dpi: 200, qrs: [{ text: 'FY-2026-000701', placement: 'top-right', sizeMm: 22 }] }));
  // A child of its own, so its peak resident memory is the split's alone.
  const child = spawn(process.execPath, ['-r', path.resolve('bench/print-peak-rss.cjs'), path.resolve('bin/scan-station.mjs'), 'split', bomb, vector, '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LANG: 'en_US.UTF-8', SCAN_STATION_FROM_SOURCE: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await once(child, 'exit');
  const peak = Number(/peak-rss-mb (\d+)/.exec(stderr)?.[1]);
  assert.ok(peak > 0 && peak < peakRssBoundMb, `peak RSS ${peak} MB\n${stderr.slice(-2000)}`);
  const { stacks } = JSON.parse(stdout) as { stacks: Array<{ error: { code: string; message: string } | null; bills: Array<{ code: string | null; held: string | null }> }> };
  assert.equal(stacks[0]?.error?.code, 'corrupt-pdf', stdout);
  assert.match(stacks[0]?.error?.message ?? '', /reading it needs more than 536\.9 MB of memory/, stdout);
  assert.equal(stacks[1]?.error, null, stdout);
  assert.deepEqual(stacks[1]?.bills.map((bill) => bill.code), ['FY-2026-000701']);
});
