import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../../../electron/cli/run-cli.js';
import { startReferenceImagingServer } from '../../../../electron/core/imaging/reference-server.js';
import { writeStack } from '../../../fixtures/stacks.js';
import type { StopSignal } from '../../../../electron/cli/cli-context.js';
import { busyDayCode, writeBusyDayAudit } from '../../../fixtures/busy-day.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const day = '2026-11-27';

async function cli(args: string[], waitForStop: () => Promise<StopSignal | undefined> = () => new Promise(() => undefined), onStderr?: (text: string) => void) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (text) => (stdout += text),
    stderr: (text) => {
      stderr += text;
      onStderr?.(text);
    },
    env: { LANG: 'en_US.UTF-8' },
    waitForStop,
  });
  return { code, stdout, stderr };
}

interface DayAnswer {
  codes: Array<{ code: string; verdict: string; erpImageState: unknown; scan: unknown }>;
  leftOut: number;
  total: number;
  page: number;
  pages: number;
}

test('doctor --day on a day with 2,000 codes: 200 traced, 1,800 counted as left out, page 2 is the next 200, --all traces them all', async () => {
  const dataDir = await makeTempDir();
  await writeBusyDayAudit(dataDir, day, 2000);
  const on = (args: string[]) => cli([...args, '--data-dir', dataDir]);

  const first = await on(['doctor', '--day', day, '--no-server', '--json']);
  assert.equal(first.code, 1, first.stderr);
  const page1 = JSON.parse(first.stdout) as DayAnswer;
  assert.deepEqual([page1.codes.length, page1.leftOut, page1.total, page1.page, page1.pages], [200, 1800, 2000, 1, 10]);
  assert.deepEqual([page1.codes[0]?.code, page1.codes[199]?.code], [busyDayCode(0), busyDayCode(199)], 'the day\'s codes in the order they were first recorded');
  // Not asked: the ERP's state is unknown, not made up.
  assert.deepEqual([page1.codes[0]?.erpImageState, page1.codes[0]?.scan], [null, null]);

  const second = JSON.parse((await on(['doctor', '--day', day, '--no-server', '--json', '--page', '2'])).stdout) as DayAnswer;
  assert.deepEqual([second.codes.length, second.leftOut, second.page], [200, 1600, 2]);
  assert.deepEqual([second.codes[0]?.code, second.codes[199]?.code], [busyDayCode(200), busyDayCode(399)]);
  const last = JSON.parse((await on(['doctor', '--day', day, '--no-server', '--json', '--page', '10'])).stdout) as DayAnswer;
  assert.deepEqual([last.codes.length, last.leftOut, last.codes.at(-1)?.code], [200, 0, busyDayCode(1999)]);

  // In words: how many were not traced, and how to see them.
  const words = await on(['doctor', '--day', day, '--no-server']);
  assert.match(words.stdout, /Codes 1–200 of 2,000 traced; 1,800 more were not traced\./);
  assert.match(words.stdout, /--page 2 \(or --all, at most 5,000 codes\)/);

  // Usage errors.
  assert.equal((await on(['doctor', '--day', day, '--page', '0'])).code, 2);
  assert.equal((await on(['doctor', '--day', day, '--page', 'two'])).code, 2);
  for (const page of ['-1', '1e9', '1000000000', 'abc', '2.5', '0x2', ' 2', '']) {
    const refused = await on(['doctor', '--day', day, `--page=${page}`]);
    assert.equal(refused.code, 2, `--page=${page}`);
    assert.match(refused.stderr, /--page/, `--page=${page}: the reason names the option`);
  }
  assert.equal((await on(['doctor', '--day', day, '--page', '-1'])).code, 2, 'a negative number read as an option is a usage error too');
  assert.equal((await on(['doctor', '--day', day, '--page', '2', '--all'])).code, 2);

  // --all: every code, a page at a time, progress on stderr.
  const all = await on(['doctor', '--day', day, '--no-server', '--json', '--all']);
  const everything = JSON.parse(all.stdout) as DayAnswer;
  assert.deepEqual([everything.codes.length, everything.leftOut, everything.total], [2000, 0, 2000]);
  assert.equal(new Set(everything.codes.map((entry) => entry.code)).size, 2000);
  assert.match(all.stderr, /Traced 200 of 2,000 codes…\n[\s\S]*Traced 2,000 of 2,000 codes…/);
});

test('doctor --all is bounded (5,000 codes) and stops at the first Ctrl+C after the page being traced', async () => {
  const dataDir = await makeTempDir();
  await writeBusyDayAudit(dataDir, day, 5100);
  const bounded = await cli(['doctor', '--day', day, '--no-server', '--json', '--all', '--data-dir', dataDir]);
  const answer = JSON.parse(bounded.stdout) as DayAnswer;
  assert.deepEqual([answer.codes.length, answer.leftOut, answer.total], [5000, 100, 5100]);
  assert.match(bounded.stderr, /--all traces at most 5,000 codes; 100 more were not traced/);

  // Ctrl+C once the first page's progress is out: the page in hand is finished and printed, then it stops (exit 130).
  let pressed: (signal: StopSignal) => void = () => undefined;
  const ctrlC = new Promise<StopSignal>((resolve) => (pressed = resolve));
  const stopped = await cli(['doctor', '--day', day, '--no-server', '--json', '--all', '--data-dir', dataDir], () => ctrlC, (text) => {
    if (text.startsWith('Traced 200 of')) pressed('SIGINT');
  });
  assert.equal(stopped.code, 130);
  const partial = JSON.parse(stopped.stdout) as DayAnswer;
  assert.ok(partial.codes.length >= 200 && partial.codes.length <= 400, `stopped after a page or two, not ${partial.codes.length}`);
  assert.equal(partial.leftOut, 5100 - partial.codes.length);
  assert.match(stopped.stderr, /Stopped: \d+ of 5,000 codes traced\./);
});

test('doctor CODE --json names the ERP\'s state; a lost close is found and sent again with --reclose', async () => {
  const dataDir = await makeTempDir();
  const files = await makeTempDir();
  const serverDir = await makeTempDir();
  const server = await startReferenceImagingServer({ dataDir: serverDir, clients: { 'cli-erp': 'cli-erp-secret' } });
  try {
    const on = (args: string[]) => cli([...args, '--data-dir', dataDir]);
    await writeFile(path.join(files, 'secret.txt'), 'cli-erp-secret');
    await writeFile(path.join(files, 'profile.json'), JSON.stringify({ version: 1, profileName: 'cli', preset: 'private', code: 'FPY', host: '127.0.0.1', port: server.port, scheme: 'http', apiAddress: `${server.url}/api`, mode: 'basic', clientId: 'cli-erp', taxNumber: '', stationId: 'desk-cli', scanDpi: 200, adapter: 'http' }));
    assert.equal((await on(['config', 'import', path.join(files, 'profile.json')])).code, 0);
    assert.equal((await on(['config', 'set-secret', '--secret-file', path.join(files, 'secret.txt')])).code, 0);
    assert.equal((await on(['preflight'])).code, 0);
    const stack = await writeStack([{ kind: 'cover', code: 'FY-2026-770001' }, { kind: 'content' }], await makeTempDir(), 'pdf', 100);
    assert.equal((await on(['intake', stack])).code, 0);
    assert.equal((await on(['upload', '--once'])).code, 0);

    type Code = { verdict: string; erpImageState: { code: string; name: string } | null };
    const delivered = JSON.parse((await on(['doctor', 'FY-2026-770001', '--json'])).stdout) as { codes: Code[] };
    assert.deepEqual([delivered.codes[0]?.verdict, delivered.codes[0]?.erpImageState], ['delivered', { code: '2', name: '影像已就绪' }]);

    // The close never reached the server.
    const billFile = path.join(serverDir, 'bills', 'FY-2026-770001', 'bill.json');
    const stored = JSON.parse(await readFile(billFile, 'utf8')) as Record<string, unknown>;
    await writeFile(billFile, JSON.stringify({ ...stored, status: 'open', pageCount: null, closedAt: undefined, scan: undefined }));
    const lost = await on(['doctor', 'FY-2026-770001']);
    assert.equal(lost.code, 1);
    assert.match(lost.stdout, /✘ FY-2026-770001 {2}Every page arrived, but the imaging system never got the close/);
    assert.match(lost.stdout, /影像映射维护 will show 影像状态 = 上传影像中 \(uploading\), 2 pages/);
    assert.match(lost.stdout, /This station: closed the bill at .* with 2 pages \(2 receipts\)/);

    assert.equal((await on(['doctor', 'FY-2026-770001', 'FY-2026-770002', '--reclose'])).code, 2);
    const reclosed = await on(['doctor', 'FY-2026-770001', '--reclose']);
    assert.equal(reclosed.code, 0, reclosed.stdout + reclosed.stderr);
    assert.match(reclosed.stdout, /Close sent again: 影像映射维护 will now show 影像状态 = 影像已就绪 \(image ready\)\./);
    const again = await on(['doctor', 'FY-2026-770001', '--reclose']);
    assert.equal(again.code, 1);
    assert.match(again.stdout, /Nothing sent: this code's verdict is now "Delivered and closed by this station", not a lost close\./);
  } finally {
    await server.close();
  }
});
