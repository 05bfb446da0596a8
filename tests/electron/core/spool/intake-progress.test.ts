import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { defaultCodeRules } from '../../../../electron/core/codes/image-code-rules.js';
import { createMemoryLogger } from '../../../../electron/core/log/logger.js';
import { summarizeIntake } from '../../../../electron/core/desk/intake-summary.js';
import { createSpool } from '../../../../electron/core/spool/spool.js';
import { writeStack } from '../../../fixtures/stacks.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

test('ingest reports each page as it is stored (page 0 of N once opened); the summary counts what needs the clerk and names the first', async () => {
  const root = await makeTempDir();
  const spool = createSpool({ dir: path.join(root, 'spool'), log: createMemoryLogger(), now: () => new Date('2026-12-06T09:00:00Z'), rules: defaultCodeRules });
  await spool.recover();
  // An orphan page, a ready bill, an empty (held) bill, a ready bill.
  const file = await writeStack([{ kind: 'content' }, { kind: 'cover', code: 'FY-2026-001001' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-001002' }, { kind: 'cover', code: 'FY-2026-001003' }, { kind: 'content' }], root, 'pdf', 100);
  const steps: string[] = [];
  const outcome = await spool.ingest(file, { onProgress: (progress) => steps.push(`${progress.name} ${progress.page}/${progress.pages}`) });
  assert.deepEqual(steps, [0, 1, 2, 3, 4, 5, 6].map((page) => `stack.pdf ${page}/6`));
  assert.ok(outcome.status === 'ingested');
  const summary = summarizeIntake(outcome);
  // 3 bills: 2 ready, the empty one held (the parts add up to the total); the page before the first cover said apart, its row first.
  assert.deepEqual(summary.bills, { total: 3, ready: 2, review: 0, held: 1, firstHeld: `${outcome.stack.id}-orphans`, orphans: 1 });
  const again = summarizeIntake(await spool.ingest(file));
  assert.deepEqual(again, { status: 'already', stackId: outcome.stack.id, importedAt: outcome.stack.importedAt });
});

test('the batch gap is a desk setting: 10 s by default, saved within 2–600 s, a stored value out of range falls back', async () => {
  const { createDeskSettingsStore } = await import('../../../../electron/core/desk/desk-settings.js');
  const { writeFile } = await import('node:fs/promises');
  const dir = await makeTempDir();
  const store = createDeskSettingsStore(dir);
  assert.equal((await store.read()).batchGapSeconds, 10);
  const saved = await store.save({ ...(await store.read()), batchGapSeconds: 45 });
  assert.equal(saved.batchGapSeconds, 45);
  assert.equal((await store.read()).batchGapSeconds, 45);
  await writeFile(path.join(dir, 'scan-desk.json'), JSON.stringify({ batchGapSeconds: 1 }));
  assert.equal((await store.read()).batchGapSeconds, 10);
});
