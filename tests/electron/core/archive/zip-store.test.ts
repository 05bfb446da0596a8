import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { buildStoredZip } from '../../../../electron/core/archive/zip-store.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

test('the archive opens in Info-ZIP unzip with every name (Chinese too) and byte kept', async () => {
  const dir = await makeTempDir();
  const entries = [
    { name: 'FY-2026-0001.pdf', data: new Uint8Array(Buffer.from('%PDF-1.7 first')), modified: new Date(2026, 10, 27, 9, 30, 12) },
    { name: '封面-二.pdf', data: new Uint8Array(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256)), modified: new Date(2026, 10, 27, 9, 30, 14) },
    { name: 'empty.txt', data: new Uint8Array(0), modified: new Date(2026, 10, 27) },
  ];
  const zip = path.join(dir, 'covers.zip');
  await writeFile(zip, buildStoredZip(entries));
  // `unzip -t` checks every CRC; a wrong header, size or checksum fails here.
  assert.match(execFileSync('unzip', ['-t', zip], { encoding: 'utf8' }), /No errors detected/);
  const out = path.join(dir, 'out');
  await mkdir(out);
  execFileSync('unzip', ['-q', zip, '-d', out]);
  for (const entry of entries) assert.deepEqual(new Uint8Array(await readFile(path.join(out, entry.name))), entry.data, entry.name);
  assert.match(execFileSync('zipinfo', [zip], { encoding: 'utf8' }), /26-Nov-27 09:30 FY-2026-0001.pdf/);
});
