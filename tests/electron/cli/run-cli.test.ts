import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { detectLanguage, runCli } from '../../../electron/cli/run-cli.js';
import packageJson from '../../../package.json' with { type: 'json' };
import { makeTempDir } from '../../helpers/temp-dir.js';

async function cli(args: string[], env: NodeJS.ProcessEnv = { LANG: 'en_US.UTF-8' }) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env,
    waitForStop: () => Promise.resolve(undefined),
  });
  return { code, stdout, stderr };
}

test('--help lists every command and exits 0; no command at all is a usage error (2)', async () => {
  const help = await cli(['--help']);
  assert.equal(help.code, 0);
  for (const name of ['info', 'self-check', 'serve']) assert.match(help.stdout, new RegExp(`\\b${name}\\b`));
  const bare = await cli([]);
  assert.equal(bare.code, 2);
});

test('--version prints the package version', async () => {
  assert.deepEqual(await cli(['--version']), { code: 0, stdout: `${packageJson.version}\n`, stderr: '' });
  assert.equal((await cli(['--version', '--json'])).stdout, `${JSON.stringify({ version: packageJson.version })}\n`);
});

test('usage errors exit 2, in the chosen language, as JSON with --json', async () => {
  const unknown = await cli(['frobnicate', '--lang', 'zh-CN']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /未知命令/);
  const badOption = await cli(['info', '--nope', '--json']);
  assert.equal(badOption.code, 2);
  assert.deepEqual(JSON.parse(badOption.stdout), { error: { code: 'usage', message: 'Unknown option --nope. Run scan-station info --help for usage.' } });
  const missing = await cli(['info', '--data-dir']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /needs a value/);
});

test('info --json prints exactly one JSON document about the data folder', async () => {
  const dataDir = await makeTempDir();
  const result = await cli(['info', '--json', '--data-dir', dataDir]);
  assert.equal(result.code, 0);
  const info = JSON.parse(result.stdout) as { dataDir: string; runtime: string; version: string };
  assert.deepEqual([info.dataDir, info.runtime, info.version], [dataDir, 'cli', packageJson.version]);
});

test('self-check: human output in Chinese, JSON report, exit 1 when a step fails', async () => {
  const dataDir = await makeTempDir();
  const human = await cli(['self-check', '--lang', 'zh-CN', '--data-dir', dataDir]);
  assert.equal(human.code, 0);
  assert.match(human.stdout, /数据目录可写/);
  const json = await cli(['self-check', '--json', '--data-dir', dataDir]);
  const report = JSON.parse(json.stdout) as { verdict: string; steps: unknown[] };
  assert.equal(report.steps.length, 5);
  // A plain file where the tmp folder belongs makes the data-dir step fail → exit 1.
  const { writeFile } = await import('node:fs/promises');
  const broken = await makeTempDir();
  await writeFile(`${broken}/tmp`, 'not a folder');
  const failing = await cli(['self-check', '--json', '--data-dir', broken]);
  assert.equal(failing.code, 1);
  assert.equal((JSON.parse(failing.stdout) as { verdict: string }).verdict, 'fail');
});

test('serve refuses to start without a built renderer, exit 2 with the fix', async () => {
  const empty = await makeTempDir();
  const result = await cli(['serve', '--static', empty, '--data-dir', await makeTempDir()]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /npm run build/);
  const badPort = await cli(['serve', '--port', 'abc', '--static', empty]);
  assert.equal(badPort.code, 2);
});

test('language: --lang, then LC_ALL / LC_MESSAGES / LANG, Chinese locales map to zh-CN', () => {
  assert.equal(detectLanguage('en', { LANG: 'zh_CN.UTF-8' }), 'en');
  assert.equal(detectLanguage(undefined, { LANG: 'zh_CN.UTF-8' }), 'zh-CN');
  assert.equal(detectLanguage(undefined, { LC_ALL: 'zh_TW.UTF-8', LANG: 'en_US.UTF-8' }), 'zh-CN');
  assert.equal(detectLanguage(undefined, { LANG: 'de_DE.UTF-8' }), 'en');
  assert.equal(detectLanguage('zh', {}), 'zh-CN');
});

test('the bin launcher runs in a checkout (npx scan-station): the source on request, and says which runs', async () => {
  for (const env of [{}, { SCAN_STATION_FROM_SOURCE: '1' }]) {
    const run = spawnSync(process.execPath, ['bin/scan-station.mjs', '--version'], { encoding: 'utf8', env: { ...process.env, ...env } });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), packageJson.version);
  }
  const info = spawnSync(process.execPath, ['bin/scan-station.mjs', 'info', '--json', '--data-dir', await makeTempDir()], { encoding: 'utf8', env: { ...process.env, SCAN_STATION_FROM_SOURCE: '1' } });
  assert.equal((JSON.parse(info.stdout) as { runsFrom: string }).runsFrom, 'source');
});
