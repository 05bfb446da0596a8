import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../../electron/cli/run-cli.js';
import { writeStack } from '../../fixtures/stacks.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

/** Runs the CLI in English and returns its exit code and output. */
async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: { LANG: 'en_US.UTF-8' }, waitForStop: async () => undefined });
  return { code, stdout, stderr };
}

test('desk show/set: release, batch gap, blank, cover as page, code rule, expected codes; bad values refused with the key and what it expects', async () => {
  const dataDir = await makeTempDir();
  const shown = await cli(['desk', 'show', '--json', '--data-dir', dataDir]);
  assert.equal(shown.code, 0);
  assert.deepEqual(JSON.parse(shown.stdout), { release: 'auto', batchGapSeconds: 10, blankInkPercent: 0.3, coverIsPage: true, pattern: null, expectedCodes: null });
  for (const [key, value] of [['release', 'review'], ['batch-gap', '25'], ['blank', '0.8'], ['cover-as-page', 'no'], ['code-rule', 'FY-\\d{4}-\\d{6}']]) assert.equal((await cli(['desk', 'set', key as string, value as string, '--data-dir', dataDir])).code, 0, key);
  const list = path.join(await makeTempDir(), 'codes.txt');
  await writeFile(list, 'FY-2026-000001\nFY-2026-000002\n');
  assert.equal((await cli(['desk', 'set', 'expected-codes', list, '--data-dir', dataDir])).code, 0);
  const after = JSON.parse((await cli(['desk', 'show', '--json', '--data-dir', dataDir])).stdout) as Record<string, unknown>;
  assert.deepEqual({ ...after, expectedCodes: (after['expectedCodes'] as { count: number }).count }, { release: 'review', batchGapSeconds: 25, blankInkPercent: 0.8, coverIsPage: false, pattern: 'FY-\\d{4}-\\d{6}', expectedCodes: 2 });
  assert.match((await cli(['desk', 'show', '--data-dir', dataDir])).stdout, /Release: review/);
  assert.equal((await cli(['desk', 'set', 'expected-codes', 'none', '--data-dir', dataDir])).code, 0);
  for (const [key, value] of [['release', 'sometimes'], ['batch-gap', '0'], ['blank', 'x'], ['cover-as-page', 'maybe'], ['code-rule', '([']]) {
    const refused = await cli(['desk', 'set', key as string, value as string, '--data-dir', dataDir]);
    assert.equal(refused.code, 2, key);
    assert.match(refused.stderr, new RegExp(`not valid for ${key}`));
  }
  assert.equal((await cli(['desk', 'set', 'colour', 'blue', '--data-dir', dataDir])).code, 2);
  assert.equal(JSON.parse((await cli(['desk', 'show', '--json', '--data-dir', dataDir])).stdout).release, 'review', 'nothing changed by a refused value');
});

test('review mode through the CLI: intake leaves bills in review, bills --json says so, bill release-reviewed releases them', async () => {
  const dataDir = await makeTempDir();
  await cli(['desk', 'set', 'release', 'review', '--data-dir', dataDir]);
  const stack = await writeStack([{ kind: 'cover', code: 'FY-2026-000951' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-000952' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-000951' }, { kind: 'content' }], await makeTempDir(), 'pdf');
  assert.equal((await cli(['intake', stack, '--data-dir', dataDir])).code, 0);
  const bills = JSON.parse((await cli(['bills', '--json', '--data-dir', dataDir])).stdout) as { bills: Array<{ id: string; code: string; state: string; held: string | null; pages: number; source: unknown }> };
  assert.deepEqual(bills.bills.map((bill) => [bill.code, bill.state, bill.held]), [['FY-2026-000951', 'held', 'duplicate-code'], ['FY-2026-000952', 'review', null], ['FY-2026-000951', 'held', 'duplicate-code']]);
  for (const bill of bills.bills) assert.ok(['id', 'code', 'state', 'pages', 'held', 'source'].every((key) => key in bill));
  const released = await cli(['bill', 'release-reviewed', '--json', '--data-dir', dataDir]);
  assert.deepEqual(JSON.parse(released.stdout).released.map((bill: { code: string }) => bill.code), ['FY-2026-000952']);
  const merged = await cli(['bill', 'merge-copies', bills.bills[2]?.id as string, '--json', '--data-dir', dataDir]);
  assert.equal(merged.code, 0, merged.stdout);
  const after = JSON.parse((await cli(['bills', '--json', '--data-dir', dataDir])).stdout) as typeof bills;
  assert.deepEqual(after.bills.map((bill) => [bill.code, bill.state, bill.pages]), [['FY-2026-000951', 'ready', 3], ['FY-2026-000952', 'ready', 2], ['FY-2026-000951', 'discarded', 0]]);
  const queue = JSON.parse((await cli(['queue', '--json', '--data-dir', dataDir])).stdout) as { counts: Record<string, number> };
  assert.deepEqual(queue.counts, { receiving: 0, held: 0, review: 0, ready: 2, sending: 0, sentToday: 0 }, 'queue --json counts with the one model');
});
