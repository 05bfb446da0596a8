import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import iconv from 'iconv-lite';
import { CoreError } from '../../../../electron/core/base/errors.js';
import { createMemoryLogger } from '../../../../electron/core/log/logger.js';
import { defaultCodeRules } from '../../../../electron/core/codes/image-code-rules.js';
import { createDeskSettingsStore, defaultDeskSettings } from '../../../../electron/core/desk/desk-settings.js';
import { createSpool } from '../../../../electron/core/spool/spool.js';
import { writeStack } from '../../../fixtures/stacks.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

test('scan desk settings: defaults, a rule that does not compile refused, an ERP list in GBK imported and cleared', async () => {
  const store = createDeskSettingsStore(await makeTempDir());
  assert.deepEqual(await store.read(), defaultDeskSettings);
  await assert.rejects(store.save({ pattern: '^(FY+)+$', blankInkPercent: 0.3, coverIsPage: true, recycleDays: 30, importedDays: 0 }), (error) => error instanceof CoreError && error.code === 'invalid-pattern');
  await store.save({ pattern: '^FY-\\d{4}-\\d{6}$', blankInkPercent: 0.5, coverIsPage: false, recycleDays: 30, importedDays: 0 });
  const csv = iconv.encode('影像编码,金额\nFY-2026-001001,100\nFY-2026-001002,200\n', 'gbk');
  const saved = await store.importExpected('单据.csv', new Uint8Array(csv), new Date('2026-11-27T10:00:00Z'));
  assert.deepEqual(saved.expectedCodes, { name: '单据.csv', count: 2, importedAt: '2026-11-27T10:00:00.000Z' });
  const resolved = await store.resolve();
  assert.ok(resolved.rules.pattern.test('FY-2026-001001') && !resolved.rules.pattern.test('ABCD-12'), 'the saved rule applies');
  assert.deepEqual([...(resolved.rules.expected ?? [])], ['FY-2026-001001', 'FY-2026-001002']);
  assert.equal(resolved.blankInkShare, 0.005);
  assert.equal(resolved.split.coverIsPage, false);
  await assert.rejects(store.importExpected('empty.txt', new Uint8Array(0), new Date()), (error) => error instanceof CoreError && error.code === 'file-empty');
  assert.equal((await store.clearExpected()).expectedCodes, null);
  assert.equal((await store.resolve()).rules.expected, null);
});

test('the spool splits with the station settings of the moment: the expected list, and the cover left out of the upload', async () => {
  const dataDir = await makeTempDir();
  const store = createDeskSettingsStore(dataDir);
  const spool = createSpool({ dir: path.join(dataDir, 'spool'), log: createMemoryLogger(), now: () => new Date('2026-11-27T10:00:00Z'), rules: defaultCodeRules, settings: store.resolve });
  await spool.recover();
  await store.save({ pattern: null, blankInkPercent: 0.3, coverIsPage: false, recycleDays: 30, importedDays: 0 });
  await store.importExpected('codes.txt', new TextEncoder().encode('FY-2026-001101\n'), new Date());
  const outcome = await spool.ingest(await writeStack([{ kind: 'cover', code: 'FY-2026-001101' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-001102' }, { kind: 'content' }], await makeTempDir(), 'pdf'));
  assert.ok(outcome.status === 'ingested');
  assert.deepEqual(
    outcome.stack.bills.map((bill) => [bill.code, bill.pages, bill.held, bill.suspect?.reason ?? null]),
    [['FY-2026-001101', [2], null, null], [null, [3, 4], 'suspect-cover', 'unknown-code']],
  );
});

test('a stack with every bill discarded goes to the recycle folder, can be taken in again, and is deleted after the retention days', async () => {
  const dataDir = await makeTempDir();
  const store = createDeskSettingsStore(dataDir);
  await store.save({ pattern: null, blankInkPercent: 0.3, coverIsPage: true, recycleDays: 7, importedDays: 0 });
  let now = new Date('2026-11-27T10:00:00Z');
  const spool = createSpool({ dir: path.join(dataDir, 'spool'), log: createMemoryLogger(), now: () => now, rules: defaultCodeRules, settings: store.resolve });
  await spool.recover();
  const file = await writeStack([{ kind: 'cover', code: 'FY-2026-001401' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-001402' }], await makeTempDir(), 'pdf');
  const outcome = await spool.ingest(file);
  assert.ok(outcome.status === 'ingested');
  await spool.changeBill(outcome.stack.bills[0]?.id as string, { action: 'discard' });
  assert.equal((await spool.listStacks()).length, 1, 'one bill still live: the stack stays');
  await spool.changeBill(outcome.stack.bills[1]?.id as string, { action: 'discard' });
  assert.deepEqual(await spool.listStacks(), []);
  assert.deepEqual(await readdir(path.join(dataDir, 'spool', 'recycle')), [outcome.stack.id]);
  // Discarded everything by mistake? The same file is taken in again, not "already taken in".
  assert.equal((await spool.ingest(file)).status, 'ingested');
  now = new Date('2026-12-03T10:00:00Z');
  assert.equal(await spool.sweepRecycle(), 0, 'six days: kept');
  now = new Date('2026-12-04T10:00:01Z');
  assert.equal(await spool.sweepRecycle(), 1, 'seven days: deleted');
  assert.deepEqual(await readdir(path.join(dataDir, 'spool', 'recycle')), []);
  const audit = await readFile(path.join(dataDir, 'spool', 'audit.log'), 'utf8');
  assert.match(audit, /"event":"recycled"/);
  assert.match(audit, /"event":"deleted".*7-day retention/);
});
