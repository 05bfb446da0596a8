import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { createFileLogger, createMemoryLogger, redactSecrets } from '../../../../electron/core/log/logger.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

test('secret-looking keys are redacted at any depth, other values kept', () => {
  const out = redactSecrets({
    clientSecret: 's3cr3t',
    access_token: 'tok',
    nested: { password: 'pw', sign: 'abc', host: 'api.piaozone.com' },
    list: [{ Authorization: 'Bearer x' }],
  });
  assert.deepEqual(out, {
    clientSecret: '[redacted]',
    access_token: '[redacted]',
    nested: { password: '[redacted]', sign: '[redacted]', host: 'api.piaozone.com' },
    list: [{ Authorization: '[redacted]' }],
  });
});

test('the file logger writes JSON lines without secrets and rotates past its size', async () => {
  const dir = await makeTempDir();
  const file = path.join(dir, 'logs', 'app.log');
  const log = createFileLogger({ file, maxBytes: 400, now: () => new Date('2026-01-02T03:04:05Z') });
  log.info('endpoint.saved', { host: 'api.piaozone.com', clientSecret: 'never-on-disk' });
  const first = JSON.parse((await readFile(file, 'utf8')).trim()) as Record<string, unknown>;
  assert.equal(first['event'], 'endpoint.saved');
  assert.equal(first['time'], '2026-01-02T03:04:05.000Z');
  assert.equal(first['clientSecret'], '[redacted]');
  for (let i = 0; i < 10; i += 1) log.info('filler', { i, text: 'x'.repeat(40) });
  assert.ok((await stat(`${file}.1`)).size > 0, 'rotated file exists');
  assert.ok((await stat(file)).size <= 400, 'current file stays under the limit');
  const all = (await readFile(file, 'utf8')) + (await readFile(`${file}.1`, 'utf8'));
  assert.ok(!all.includes('never-on-disk'));
});

test('the memory logger keeps records in order', () => {
  const log = createMemoryLogger();
  log.warn('a');
  log.error('b', { code: 'x' });
  assert.deepEqual(
    log.records.map((record) => [record.level, record.event]),
    [
      ['warn', 'a'],
      ['error', 'b'],
    ],
  );
});

test('rotation keeps a history of files, not just one: a flood cannot push every earlier line out at once', async () => {
  const dir = await makeTempDir();
  const file = path.join(dir, 'app.log');
  const log = createFileLogger({ file, maxBytes: 300, keep: 4 });
  log.info('first.line', { marker: 'keep-me' });
  // Each filler fills a file: four of them push the first line three files back, not out.
  for (let i = 0; i < 4; i += 1) log.info('filler', { i, text: 'x'.repeat(120) });
  const kept = await Promise.all([1, 2, 3].map((index) => readFile(`${file}.${index}`, 'utf8').catch(() => '')));
  assert.ok(kept.every((text) => text.length > 0), 'three rotated files');
  assert.ok(kept.join('').includes('keep-me'), 'the first line is still in the history');
  for (let i = 0; i < 10; i += 1) log.info('filler', { i, text: 'x'.repeat(120) });
  await stat(`${file}.4`);
  await assert.rejects(stat(`${file}.5`), 'no more than `keep` files');
});
