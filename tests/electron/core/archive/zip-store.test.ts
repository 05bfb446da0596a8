import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { buildStoredZip, buildZip } from '../../../../electron/core/archive/zip-store.js';
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

test('deflated archives (the diagnostic bundle) shrink text and open in unzip byte for byte', async () => {
  const dir = await makeTempDir();
  const text = new Uint8Array(Buffer.from('{"event":"uploaded","code":"FY-2026-000001"}\n'.repeat(2000)));
  const zip = path.join(dir, 'bundle.zip');
  const bytes = buildZip([{ name: 'audit.jsonl', data: text, modified: new Date(2026, 10, 27, 9, 0, 0) }, { name: '说明.txt', data: new Uint8Array(Buffer.from('诊断包')), modified: new Date(2026, 10, 27) }], { deflate: true });
  assert.ok(bytes.length < text.length / 10, `deflated to ${bytes.length} bytes`);
  await writeFile(zip, bytes);
  assert.match(execFileSync('unzip', ['-t', zip], { encoding: 'utf8' }), /No errors detected/);
  const out = path.join(dir, 'out');
  await mkdir(out);
  execFileSync('unzip', ['-q', zip, '-d', out]);
  assert.deepEqual(new Uint8Array(await readFile(path.join(out, 'audit.jsonl'))), text);
  assert.equal(await readFile(path.join(out, '说明.txt'), 'utf8'), '诊断包');
});
