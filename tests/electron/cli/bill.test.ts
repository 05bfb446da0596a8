import assert from 'node:assert/strict';
import { rename } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../../electron/cli/run-cli.js';
import { writeStack } from '../../fixtures/stacks.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

/** Runs the CLI in process, in English, and returns its exit code and output. */
async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: { LANG: 'en_US.UTF-8' }, waitForStop: async () => undefined });
  return { code, stdout, stderr };
}

interface ListedBill {
  id: string;
  code: string | null;
  state: string;
  pages: number;
  held: string | null;
  source: { file: string; pages: number[] };
}

test('bills --json lists orphan pages with an id that bill discard and bill give accept; messages name codes and files, never ids', async () => {
  const dataDir = await makeTempDir();
  const first = await writeStack([{ kind: 'content' }, { kind: 'cover', code: 'FY-2026-004001' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-004002' }, { kind: 'content' }], await makeTempDir(), 'pdf');
  const second = path.join(await makeTempDir(), 'second.pdf');
  await import('node:fs/promises').then(async (fs) => fs.rename(await writeStack([{ kind: 'content' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-004101' }, { kind: 'content' }], await makeTempDir(), 'pdf'), second));
  assert.equal((await cli(['intake', first, second, '--data-dir', dataDir])).code, 0);
  const listed = async () => (JSON.parse((await cli(['bills', '--json', '--data-dir', dataDir])).stdout) as { bills: ListedBill[] }).bills;
  const bills = await listed();
  const orphans = bills.filter((bill) => bill.held === 'orphans');
  assert.deepEqual(
    orphans.map((bill) => [bill.code, bill.state, bill.pages, bill.source.file]),
    [
      [null, 'held', 1, 'stack.pdf'],
      [null, 'held', 2, 'second.pdf'],
    ],
  );
  assert.ok(orphans.every((bill) => /-orphans$/.test(bill.id)));
  // The text list names each orphan row's file.
  assert.match((await cli(['bills', '--data-dir', dataDir])).stdout, /-orphans second\.pdf · Needs you · 2 pages · Pages before the first cover/);
  // Discarded by its id.
  const discarded = await cli(['bill', 'discard', orphans[0]?.id as string, '--data-dir', dataDir]);
  assert.equal(discarded.code, 0, discarded.stderr);
  assert.equal(discarded.stdout.trim(), 'The 1 page before the first cover of stack.pdf was discarded.');
  // Given to a bill of the other file.
  const target = bills.find((bill) => bill.code === 'FY-2026-004001') as ListedBill;
  const given = await cli(['bill', 'give', orphans[1]?.id as string, target.id, '--data-dir', dataDir]);
  assert.equal(given.code, 0, given.stderr);
  assert.equal(given.stdout.trim(), 'Bill FY-2026-004001 is now “ready”.');
  const after = await listed();
  assert.deepEqual(after.filter((bill) => bill.held === 'orphans'), []);
  assert.equal(after.find((bill) => bill.id === target.id)?.pages, 4);
  // Again: refused with the file's name, not the id.
  const again = await cli(['bill', 'discard', orphans[0]?.id as string, '--data-dir', dataDir]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /The pages before the first cover of stack\.pdf cannot be changed that way: there are no such pages any more/);
  assert.doesNotMatch(again.stderr, /-orphans/);
  // A bill that cannot be changed is named by its code (the file's other bill keeps the stack).
  await cli(['bill', 'discard', target.id, '--data-dir', dataDir]);
  const refused = await cli(['bill', 'release', target.id, '--data-dir', dataDir]);
  assert.match(refused.stderr, /Bill FY-2026-004001 cannot be changed that way: it was discarded/);
});

test('bill merge-copies across two scanned files: the later file\'s copy joins the first, said by image code; bills --json shows one live bill with every page', async () => {
  const dataDir = await makeTempDir();
  const code = 'FY-2026-004501';
  // A bill scanned in two goes: its cover and two pages, then (a separate file) the cover again and the pages missed.
  const first = path.join(await makeTempDir(), 'first.pdf');
  await rename(await writeStack([{ kind: 'cover', code }, { kind: 'content' }, { kind: 'content' }], await makeTempDir(), 'pdf'), first);
  const second = path.join(await makeTempDir(), 'second.pdf');
  await rename(await writeStack([{ kind: 'cover', code: 'FY-2026-004502' }, { kind: 'content' }, { kind: 'cover', code }, { kind: 'content' }, { kind: 'content' }], await makeTempDir(), 'pdf'), second);
  for (const file of [first, second]) assert.equal((await cli(['intake', file, '--data-dir', dataDir])).code, 0);
  const listed = async () => (JSON.parse((await cli(['bills', '--json', '--data-dir', dataDir])).stdout) as { bills: ListedBill[] }).bills;
  const before = await listed();
  assert.deepEqual(before.map((bill) => [bill.code, bill.state, bill.held, bill.source.file]), [[code, 'held', 'duplicate-code', 'first.pdf'], ['FY-2026-004502', 'ready', null, 'second.pdf'], [code, 'held', 'duplicate-code', 'second.pdf']]);
  const later = before[2]?.id as string;
  // Asked from the later copy, in words: the message names the code, never an id.
  const said = await cli(['bill', 'merge-copies', later, '--data-dir', dataDir]);
  assert.equal(said.code, 0, said.stderr);
  assert.match(said.stdout, new RegExp(`Bill ${code} is now “ready”`));
  assert.doesNotMatch(said.stdout, new RegExp(later));
  const after = await listed();
  assert.deepEqual(after.map((bill) => [bill.code, bill.state, bill.pages, bill.source.file]), [[code, 'ready', 5, 'first.pdf'], ['FY-2026-004502', 'ready', 2, 'second.pdf'], [code, 'discarded', 0, 'second.pdf']]);
  // Nothing left to merge: asked again, the discarded copy is refused in words.
  const again = await cli(['bill', 'merge-copies', later, '--json', '--data-dir', dataDir]);
  assert.equal(again.code, 2);
  assert.match(again.stdout + again.stderr, new RegExp(code));
});
