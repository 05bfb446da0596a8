import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../../../electron/cli/run-cli.js';
import { writeStack } from '../../../fixtures/stacks.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

/** Runs the CLI in-process; `whileRunning` gets what it printed first and runs before the stop is given. */
async function cli(args: string[], options: { lang?: string; whileRunning?: (stdout: string) => Promise<void> } = {}) {
  let stdout = '';
  let stderr = '';
  let printed: (() => void) | null = null;
  const firstLine = new Promise<void>((resolve) => (printed = resolve));
  const code = await runCli(args, {
    stdout: (text) => {
      stdout += text;
      printed?.();
    },
    stderr: (text) => (stderr += text),
    env: { LANG: options.lang ?? 'en_US.UTF-8' },
    waitForStop: async () => {
      await firstLine;
      await options.whileRunning?.(stdout);
      return 'SIGINT';
    },
  });
  return { code, stdout, stderr };
}

test('serve-scanner --json prints the eSCL URL and page count, serves the pages, and stops when asked', async () => {
  const pdf = await writeStack([{ kind: 'cover', code: 'FY-2026-000601' }, { kind: 'content' }, { kind: 'blank' }], await makeTempDir(), 'pdf', 150);
  let url = '';
  const result = await cli(['serve-scanner', '--port', '0', '--pages', pdf, '--slow-ms', '0', '--json'], {
    whileRunning: async (stdout) => {
      url = (JSON.parse(stdout) as { url: string }).url;
      const caps = await fetch(`${url}/ScannerCapabilities`);
      assert.equal(caps.status, 200);
      assert.match(await caps.text(), /<pwg:MakeAndModel>Scan Station reference scanner<\/pwg:MakeAndModel>/);
    },
  });
  assert.equal(result.code, 0, result.stderr);
  const printed = JSON.parse(result.stdout) as { url: string; pages: number };
  assert.match(printed.url, /^http:\/\/127\.0\.0\.1:\d+\/eSCL$/);
  assert.equal(printed.pages, 3);
  // Stopped: nothing listens any more.
  await assert.rejects(fetch(`${url}/ScannerStatus`));

  const plain = await cli(['serve-scanner', '--pages', pdf, '--jam-after', '1', '--adf-empty', '--name', 'Desk 3 scanner'], {
    whileRunning: async (stdout) => {
      const status = await fetch(`${/(http:\/\/\S+\/eSCL)/.exec(stdout)?.[1]}/ScannerStatus`);
      assert.match(await status.text(), /<scan:AdfState>ScannerAdfEmpty<\/scan:AdfState>/);
    },
  });
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stdout, /Reference scanner running at http:\/\/127\.0\.0\.1:\d+\/eSCL with 3 pages\. Press Ctrl\+C to stop\./);
});

test('serve-scanner usage errors in English and Chinese: no pages, pages that cannot be served, bad numbers, a bad name, a taken port', async () => {
  const missing = path.join(await makeTempDir(), 'missing.pdf');
  const cases: Array<{ args: string[]; en: RegExp; zh: RegExp }> = [
    { args: ['serve-scanner'], en: /Usage: scan-station serve-scanner --pages/, zh: /用法：scan-station serve-scanner --pages/ },
    { args: ['serve-scanner', '--pages', missing], en: /The pages .*missing\.pdf cannot be served: .* The scanner was not started\./, zh: /页面 .*missing\.pdf 不能使用：.*扫描仪没有启动。/ },
    { args: ['serve-scanner', '--pages', await makeTempDir()], en: /cannot be served: .*is empty/, zh: /不能使用/ },
    { args: ['serve-scanner', '--pages', 'x.pdf', '--jam-after', 'two'], en: /--jam-after value two is not valid/, zh: /--jam-after/ },
    { args: ['serve-scanner', '--pages', 'x.pdf', '--unavailable-every', '0'], en: /--unavailable-every value 0 is not valid: give a whole number from 1/, zh: /--unavailable-every/ },
    { args: ['serve-scanner', '--pages', 'x.pdf', '--slow-ms', '-5'], en: /--slow-ms/, zh: /--slow-ms/ },
    { args: ['serve-scanner', '--pages', 'x.pdf', '--port', '70000'], en: /Port 70000 is not valid/, zh: /70000/ },
    { args: ['serve-scanner', '--pages', 'x.pdf', '--name', 'x'.repeat(64)], en: /--name .* cannot be used/, zh: /--name .* 不能使用/ },
  ];
  for (const { args, en, zh } of cases) {
    const english = await cli(args);
    assert.equal(english.code, 2, args.join(' '));
    assert.match(english.stderr, en, args.join(' '));
    const chinese = await cli(args, { lang: 'zh_CN.UTF-8' });
    assert.equal(chinese.code, 2);
    assert.match(chinese.stderr, zh, args.join(' '));
  }
  const json = await cli(['serve-scanner', '--json']);
  assert.equal(json.code, 2);
  assert.equal((JSON.parse(json.stdout) as { error: { code: string } }).error.code, 'usage');

  // A port already taken is a usage error naming it, not a crash.
  const pdf = await writeStack([{ kind: 'content' }], await makeTempDir(), 'pdf', 100);
  await cli(['serve-scanner', '--port', '0', '--pages', pdf, '--json'], {
    whileRunning: async (stdout) => {
      const port = new URL((JSON.parse(stdout) as { url: string }).url).port;
      const taken = await cli(['serve-scanner', '--port', port, '--pages', pdf]);
      assert.equal(taken.code, 2);
      assert.match(taken.stderr, new RegExp(`Cannot listen on 127\\.0\\.0\\.1 port ${port} \\(EADDRINUSE\\)`));
    },
  });
});

test('the built serve-scanner stops at once on the first SIGTERM and the first Ctrl+C', async () => {
  const pdf = await writeStack([{ kind: 'content' }], await makeTempDir(), 'pdf', 100);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const child = spawn(process.execPath, [path.resolve('dist', 'cli', 'scan-station.cjs'), 'serve-scanner', '--port', '0', '--pages', pdf, '--advertise', '--data-dir', await makeTempDir()], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LANG: 'en_US.UTF-8' } });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`never ready: ${output}`)), 20_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (/127\.0\.0\.1:\d+\/eSCL/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
    });
    const started = Date.now();
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(timer);
    assert.equal(code, 0, output);
    assert.ok(Date.now() - started < 3000, `${signal}: ${Date.now() - started} ms`);
  }
});
