import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../../../electron/cli/run-cli.js';
import { startReferenceImagingServer } from '../../../../electron/core/imaging/reference-server.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: { LANG: 'en_US.UTF-8' }, waitForStop: async () => undefined });
  return { code, stdout, stderr };
}

test('config check --json: {problems:[{field,code,message,fix}]}, exit 1 on errors, 0 when clean', async () => {
  const dir = await makeTempDir();
  const file = path.join(dir, 'hq.json');
  await writeFile(file, JSON.stringify({ version: 1, profileName: 'HQ', preset: 'private', code: 'FPY', host: '10.1.2.3', port: 80, scheme: 'http', apiAddress: 'http://10.1.2.3:8080', mode: 'basic', clientId: 'id', taxNumber: '', stationId: 's1', scanDpi: 200 }));
  const bad = await cli(['config', 'check', '--file', file, '--json']);
  assert.equal(bad.code, 1);
  assert.deepEqual(JSON.parse(bad.stdout), {
    problems: [
      {
        field: 'apiAddress',
        code: 'private-api-suffix',
        severity: 'error',
        message: 'The private deployment’s API address “http://10.1.2.3:8080” does not end in /api.',
        fix: 'Use http://10.1.2.3:8080/api (private deployments: http://IP:nginx-port/api).',
      },
    ],
  });
  const fresh = await cli(['config', 'check', '--json', '--data-dir', dir]);
  assert.deepEqual([fresh.code, JSON.parse(fresh.stdout)], [0, { problems: [] }]);
});

test('config: unreadable or malformed files and unknown actions are usage errors (exit 2)', async () => {
  const dir = await makeTempDir();
  await writeFile(path.join(dir, 'broken.json'), '{ "version": 1, ');
  await writeFile(path.join(dir, 'wrong.json'), JSON.stringify({ version: 1, host: 5 }));
  for (const args of [['config', 'check', '--file', path.join(dir, 'nope.json')], ['config', 'check', '--file', path.join(dir, 'broken.json')], ['config', 'check', '--file', path.join(dir, 'wrong.json')], ['config', 'frobnicate'], ['config', 'erp-prefix', 'ftp://x']]) {
    assert.equal((await cli(args)).code, 2, args.join(' '));
  }
  const prefix = await cli(['config', 'erp-prefix', 'http://172.0.0.1:8080/ierp/', '--json']);
  assert.equal((JSON.parse(prefix.stdout) as { prefix: string }).prefix, 'http://172.0.0.1:8080/ierp/api/');
});

test('roll-out: export on one station, import on another, set the secret from a file, preflight records the gate', async () => {
  const [hq, branch, files] = [await makeTempDir(), await makeTempDir(), await makeTempDir()];
  const imaging = await startReferenceImagingServer({ dataDir: await makeTempDir(), clients: { 'branch-7': 'top-secret-7' } });
  try {
    const profile = { version: 1, profileName: 'Branch 7', preset: 'private', code: 'FPY', host: '127.0.0.1', port: 80, scheme: 'http', apiAddress: `${imaging.url}/api`, mode: 'basic', clientId: 'branch-7', taxNumber: '', stationId: 'hq-desk', scanDpi: 300 };
    await writeFile(path.join(files, 'profile.json'), JSON.stringify(profile));
    assert.equal((await cli(['config', 'import', path.join(files, 'profile.json'), '--data-dir', hq])).code, 0);
    const exported = path.join(files, 'rollout.json');
    assert.equal((await cli(['config', 'export', '--out', exported, '--data-dir', hq])).code, 0);
    const text = await readFile(exported, 'utf8');
    assert.ok(text.includes('scan-station.endpoint-profile') && !text.includes('hq-desk'));

    const imported = await cli(['config', 'import', exported, '--data-dir', branch, '--json']);
    assert.deepEqual([imported.code, JSON.parse(imported.stdout)], [0, { imported: true, problems: [] }]);
    const before = await cli(['preflight', '--json', '--data-dir', branch]);
    const auth = (JSON.parse(before.stdout) as { steps: Array<{ id: string; code: string }> }).steps.find((step) => step.id === 'auth');
    assert.equal(auth?.code, 'auth-no-secret');

    await writeFile(path.join(files, 'secret.txt'), 'top-secret-7\n');
    const stored = await cli(['config', 'set-secret', '--secret-file', path.join(files, 'secret.txt'), '--data-dir', branch, '--json']);
    assert.deepEqual(JSON.parse(stored.stdout), { stored: true, protection: 'key-file' });
    const after = await cli(['preflight', '--data-dir', branch]);
    assert.equal(after.code, 0, after.stdout);
    const shown = await cli(['config', 'show', '--json', '--data-dir', branch]);
    const view = JSON.parse(shown.stdout) as { settings: { stationId: string; profileName: string }; secret: { stored: boolean }; lastPreflight: { ok: boolean; stale: boolean } };
    assert.deepEqual([view.settings.profileName, view.settings.stationId === 'hq-desk', view.secret.stored, view.lastPreflight.ok, view.lastPreflight.stale], ['Branch 7', false, true, true, false]);
    assert.ok(!shown.stdout.includes('top-secret-7') && !after.stdout.includes('top-secret-7'));

    await writeFile(path.join(files, 'bad.json'), JSON.stringify({ ...profile, code: 'XYZ' }));
    const refused = await cli(['config', 'import', path.join(files, 'bad.json'), '--data-dir', branch]);
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /not imported/);
    assert.equal((await cli(['config', 'set-secret', '--data-dir', branch])).code, 2, 'neither a file nor --clear');
  } finally {
    await imaging.close();
  }
});

test('config import refuses a profile whose API path names another host, saying which path and why (exit 1, nothing saved)', async () => {
  const [station, files] = [await makeTempDir(), await makeTempDir()];
  const profile = { version: 1, profileName: 'Cloud', preset: 'public-production', code: 'FPY', host: 'api.piaozone.com', port: 80, scheme: 'http', apiAddress: 'http://api.piaozone.com', mode: 'basic', clientId: 'id-1', taxNumber: '', stationId: 's1', scanDpi: 200 };
  await writeFile(path.join(files, 'evil.json'), JSON.stringify({ ...profile, httpPaths: { upload: '//evil.example/{imageCode}' } }));
  const refused = await cli(['config', 'import', path.join(files, 'evil.json'), '--data-dir', station]);
  assert.equal(refused.code, 1);
  assert.match(refused.stdout, /httpPaths: The API path upload “\/\/evil\.example\/\{imageCode\}” would send requests \(with the token and the scanned pages\) to a server other than the API address\./);
  assert.match(refused.stdout, /not imported/);
  await writeFile(path.join(files, 'evil2.json'), JSON.stringify({ ...profile, httpPaths: { token: '/\\evil.example/token' } }));
  const json = await cli(['config', 'import', path.join(files, 'evil2.json'), '--data-dir', station, '--json']);
  const answer = JSON.parse(json.stdout) as { imported: boolean; problems: Array<{ field: string; code: string }> };
  assert.deepEqual([json.code, answer.imported, answer.problems.map((problem) => `${problem.field}:${problem.code}`)], [1, false, ['httpPaths:http-path-other-host']]);
  const shown = JSON.parse((await cli(['config', 'show', '--json', '--data-dir', station])).stdout) as { settings: { preset: string } };
  assert.equal(shown.settings.preset, 'local-training', 'nothing was saved');
});
