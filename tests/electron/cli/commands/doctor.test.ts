import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { strFromU8, unzipSync } from 'fflate';
import { runCli } from '../../../../electron/cli/run-cli.js';
import { startReferenceImagingServer } from '../../../../electron/core/imaging/reference-server.js';
import { writeStack } from '../../../fixtures/stacks.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: { LANG: 'en_US.UTF-8' }, waitForStop: () => new Promise(() => undefined) });
  return { code, stdout, stderr };
}

test('doctor, bundle and return-bill from the command line: exit codes, the JSON shape, the files', async () => {
  const dataDir = await makeTempDir();
  const files = await makeTempDir();
  const server = await startReferenceImagingServer({ dataDir: await makeTempDir(), clients: { 'cli-doctor': 'cli-secret' } });
  try {
    const on = (args: string[]) => cli([...args, '--data-dir', dataDir]);
    // Usage errors exit 2, in words.
    assert.equal((await on(['doctor'])).code, 2);
    assert.equal((await on(['doctor', '--day', '27.11.2026'])).code, 2);
    assert.equal((await on(['doctor', 'FY-1', '--symptom', 'sad'])).code, 2);
    assert.equal((await on(['bundle', '--out', path.join(files, 'b.txt')])).code, 2);
    assert.equal((await on(['bundle', '--out', path.join(files, 'b.zip'), '--days', '365'])).code, 2);
    assert.equal((await on(['return-bill', 'FY-2026-1'])).code, 2);

    await writeFile(path.join(files, 'secret.txt'), 'cli-secret');
    await writeFile(path.join(files, 'profile.json'), JSON.stringify({ version: 1, profileName: 'cli', preset: 'private', code: 'FPY', host: '127.0.0.1', port: server.port, scheme: 'http', apiAddress: `${server.url}/api`, mode: 'basic', clientId: 'cli-doctor', taxNumber: '', stationId: 'desk-cli', scanDpi: 200, adapter: 'http' }));
    assert.equal((await on(['config', 'import', path.join(files, 'profile.json')])).code, 0);
    assert.equal((await on(['config', 'set-secret', '--secret-file', path.join(files, 'secret.txt')])).code, 0);
    assert.equal((await on(['preflight'])).code, 0);
    const stack = await writeStack([{ kind: 'cover', code: 'FY-2026-930001' }, { kind: 'content' }], await makeTempDir(), 'pdf', 100);
    assert.equal((await on(['intake', stack])).code, 0);
    assert.equal((await on(['upload', '--once'])).code, 0);

    const delivered = await on(['doctor', 'FY-2026-930001', '--json']);
    assert.equal(delivered.code, 0, delivered.stdout);
    const answer = JSON.parse(delivered.stdout) as { codes: Array<{ code: string; verdict: string; owner: string; station: { bills: unknown[] }; server: { status: string } | null; timeline: Array<{ at: string; event: string }> }> };
    assert.deepEqual(Object.keys(answer.codes[0] ?? {}).filter((key) => ['code', 'verdict', 'owner', 'station', 'server', 'timeline'].includes(key)).sort(), ['code', 'owner', 'server', 'station', 'timeline', 'verdict']);
    assert.deepEqual([answer.codes[0]?.verdict, answer.codes[0]?.owner, answer.codes[0]?.server?.status], ['delivered', 'erp-support', 'closed']);
    assert.ok(answer.codes[0]?.timeline.some((entry) => entry.event === 'uploaded'));

    // Several codes, one never seen: exit 1; the words name the verdicts.
    const mixed = await on(['doctor', 'FY-2026-930001', 'FY-2026-939999', '--ticket']);
    assert.equal(mixed.code, 1);
    assert.match(mixed.stdout, /✔ FY-2026-930001 {2}Delivered and closed by this station/);
    assert.match(mixed.stdout, /✘ FY-2026-939999 {2}Never scanned at this station/);
    assert.match(mixed.stdout, /\[Scan Station trace\]\nStation id: station-1/);

    // A reviewer returns it (on the reference server): the doctor says so, with the reason.
    const returned = await on(['return-bill', 'FY-2026-930001', '--reason', 'page 2 unreadable']);
    assert.equal(returned.code, 0, returned.stderr);
    const after = JSON.parse((await on(['doctor', 'FY-2026-930001', '--json'])).stdout) as { codes: Array<{ verdict: string; facts: { reason: string } }> };
    assert.deepEqual([after.codes[0]?.verdict, after.codes[0]?.facts.reason], ['returned', 'page 2 unreadable']);
    assert.equal((await on(['return-bill', 'FY-2026-939999', '--reason', 'x'])).code, 1, 'a bill the server never saw cannot be returned');

    const bundle = await on(['bundle', '--out', path.join(files, 'support.zip'), '--code', 'FY-2026-930001', '--json']);
    assert.equal(bundle.code, 0, bundle.stderr);
    const zip = unzipSync(new Uint8Array(await readFile(path.join(files, 'support.zip'))));
    assert.ok('traces.json' in zip && 'README.txt' in zip);
    assert.equal(strFromU8(zip['README.txt'] as Uint8Array).includes('cli-secret'), false);
    assert.equal(Object.values(zip).some((bytes) => strFromU8(bytes).includes('cli-secret')), false);
  } finally {
    await server.close();
  }
});
