import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../../../electron/cli/run-cli.js';
import { writeStack } from '../../../fixtures/stacks.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

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
  assert.deepEqual(JSON.parse(shown.stdout), { release: 'auto', batchGapSeconds: 10, blankInkPercent: 0.3, coverIsPage: true, pattern: null, expectedCodes: null, scanUser: { signedIn: null, stationUser: null, scanPoint: null } });
  for (const [key, value] of [['release', 'review'], ['batch-gap', '25'], ['blank', '0.8'], ['cover-as-page', 'no'], ['code-rule', 'FY-\\d{4}-\\d{6}']]) assert.equal((await cli(['desk', 'set', key as string, value as string, '--data-dir', dataDir])).code, 0, key);
  const list = path.join(await makeTempDir(), 'codes.txt');
  await writeFile(list, 'FY-2026-000001\nFY-2026-000002\n');
  assert.equal((await cli(['desk', 'set', 'expected-codes', list, '--data-dir', dataDir])).code, 0);
  const after = JSON.parse((await cli(['desk', 'show', '--json', '--data-dir', dataDir])).stdout) as Record<string, unknown>;
  assert.deepEqual({ ...after, expectedCodes: (after['expectedCodes'] as { count: number }).count, scanUser: undefined }, { release: 'review', batchGapSeconds: 25, blankInkPercent: 0.8, coverIsPage: false, pattern: 'FY-\\d{4}-\\d{6}', expectedCodes: 2, scanUser: undefined });
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

/** Runs the CLI in Chinese. */
async function cliZh(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli([...args, '--lang', 'zh-CN'], { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: { LANG: 'zh_CN.UTF-8' }, waitForStop: async () => undefined });
  return { code, stdout, stderr };
}

test('who scanned where through the CLI: config set scan-point/scan-user, desk set scan-user signs a clerk in and out, intake records it, bills --json shows it', async () => {
  const dataDir = await makeTempDir();
  assert.equal((await cli(['config', 'set', 'scan-point', '  3F 东区  ', '--data-dir', dataDir])).code, 0);
  const stationUser = await cli(['config', 'set', 'scan-user', 'desk-user', '--json', '--data-dir', dataDir]);
  assert.deepEqual(JSON.parse(stationUser.stdout), { saved: true, field: 'scanUser', value: 'desk-user' });
  const signedIn = await cli(['desk', 'set', 'scan-user', 'clerk-7', '--data-dir', dataDir]);
  assert.equal(signedIn.code, 0, signedIn.stderr);
  assert.match(signedIn.stdout, /clerk-7 is signed in/);
  assert.match(signedIn.stdout, /Scanned by \(扫描人\): clerk-7 \(signed in\)/);
  assert.match(signedIn.stdout, /Scan point \(扫描点\): 3F 东区/);
  const first = await writeStack([{ kind: 'cover', code: 'FY-2026-000961' }, { kind: 'content' }], await makeTempDir(), 'pdf');
  assert.equal((await cli(['intake', first, '--data-dir', dataDir])).code, 0);
  // Signed out: the station's own scan user; the first stack keeps its clerk.
  const out = await cliZh(['desk', 'set', 'scan-user', '-', '--data-dir', dataDir]);
  assert.match(out.stdout, /扫描人已退出.*desk-user/);
  assert.match(out.stdout, /扫描人：desk-user（本机默认）/);
  const second = await writeStack([{ kind: 'cover', code: 'FY-2026-000962' }, { kind: 'content' }], await makeTempDir(), 'pdf');
  assert.equal((await cli(['intake', second, '--data-dir', dataDir])).code, 0);
  const bills = JSON.parse((await cli(['bills', '--json', '--data-dir', dataDir])).stdout) as { bills: Array<{ code: string; scan: { user: string | null; point: string | null; scannedAt: string } | null }> };
  assert.deepEqual(bills.bills.map((bill) => [bill.code, bill.scan?.user, bill.scan?.point]), [['FY-2026-000961', 'clerk-7', '3F 东区'], ['FY-2026-000962', 'desk-user', '3F 东区']]);
  assert.ok(bills.bills.every((bill) => /^\d{4}-\d{2}-\d{2}T/.test(bill.scan?.scannedAt ?? '')));
  assert.match((await cli(['bills', '--data-dir', dataDir])).stdout, /FY-2026-000961 .*Scanned by \(扫描人\) clerk-7 · scan point \(扫描点\) 3F 东区/);
  // Refused in both languages with the fix; nothing changed.
  const tooLong = await cli(['desk', 'set', 'scan-user', 'u'.repeat(51), '--data-dir', dataDir]);
  assert.equal(tooLong.code, 2);
  assert.match(tooLong.stderr, /at most 50 characters.*scan user id in the ERP/);
  const hidden = await cliZh(['desk', 'set', 'scan-user', 'ab\u202ecd', '--data-dir', dataDir]);
  assert.equal(hidden.code, 2);
  assert.match(hidden.stderr, /最多 50 个字符.*影像扫描用户 ID/);
  const badPoint = await cliZh(['config', 'set', 'scan-point', 'x'.repeat(51), '--data-dir', dataDir]);
  assert.equal(badPoint.code, 2);
  assert.match(badPoint.stdout, /扫描点“x+”有 51 个字符，ERP 最多保存 50 个。[\s\S]*扫描点列表/);
  assert.equal((await cli(['config', 'set', 'colour', 'blue', '--data-dir', dataDir])).code, 2);
  const shown = JSON.parse((await cli(['desk', 'show', '--json', '--data-dir', dataDir])).stdout) as { scanUser: unknown };
  assert.deepEqual(shown.scanUser, { signedIn: null, stationUser: 'desk-user', scanPoint: '3F 东区' });
  // Cleared with "-"; never in an exported profile.
  assert.match((await cli(['config', 'set', 'scan-user', '-', '--data-dir', dataDir])).stdout, /is cleared/);
  const exported = await cli(['config', 'export', '--data-dir', dataDir]);
  assert.ok(!exported.stdout.includes('3F 东区') && !exported.stdout.includes('scanPoint'), exported.stdout);
});
