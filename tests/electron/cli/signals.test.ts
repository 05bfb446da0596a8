import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { makeTempDir } from '../../helpers/temp-dir.js';

const cliEntry = path.resolve('dist', 'cli', 'scan-station.cjs');

/** Starts the built CLI, waits until it printed `ready`, sends one signal, and times the exit. */
async function stopOnce(args: string[], ready: RegExp | number, signal: 'SIGINT' | 'SIGTERM'): Promise<{ code: number | null; ms: number; output: string }> {
  const child = spawn(process.execPath, [cliEntry, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LANG: 'en_US.UTF-8' } });
  let output = '';
  const seen = new Promise<void>((resolve) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (typeof ready !== 'number' && ready.test(output)) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    if (typeof ready === 'number') setTimeout(resolve, ready);
  });
  await Promise.race([seen, new Promise((_, reject) => setTimeout(() => reject(new Error(`never ready: ${output}`)), 20_000))]);
  const started = Date.now();
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, ms: Date.now() - started, output };
}

test('a server stops cleanly on the first SIGTERM and the first Ctrl+C', async () => {
  const dir = await makeTempDir();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const result = await stopOnce(['serve-imaging', '--port', '0', '--data-dir', dir], /127\.0\.0\.1:\d+/, signal);
    assert.equal(result.code, 0, result.output);
    assert.ok(result.ms < 3000, `${signal}: ${result.ms} ms`);
  }
});

test('a long check ends on the first Ctrl+C (130) instead of ignoring it', async () => {
  const dir = await makeTempDir();
  // Many files so the check is still running when the signal comes.
  const { encodeVectorPdf } = await import('../../fixtures/encode.js');
  const pdf = await encodeVectorPdf({ dpi: 200, qrs: [{ text: 'FY-2026-000001', placement: 'top-right', sizeMm: 22 }] });
  const inputs = path.join(dir, 'in');
  await mkdir(inputs);
  for (let i = 0; i < 600; i += 1) await writeFile(path.join(inputs, `t${i}.pdf`), pdf);
  // The check prints when it is done; 600 files take far longer than the 1.5 s before the signal.
  const result = await stopOnce(['check', inputs, '--data-dir', dir], 1500, 'SIGINT');
  assert.ok(!result.output.includes('t599.pdf'), 'it had not finished');
  assert.equal(result.code, 130, result.output);
  assert.ok(result.ms < 3000, `${result.ms} ms`);
});

test('a 5,000-cover batch stops on the first Ctrl+C (130) or SIGTERM (143) at once, leaving no output, scratch or temp file', async () => {
  const dir = await makeTempDir();
  const csv = path.join(dir, 'bills.csv');
  await writeFile(csv, ['code,billNo,company', ...Array.from({ length: 5000 }, (_, i) => `FY-2026-${String(i).padStart(6, '0')},B${i},公司${i}`)].join('\n'));
  for (const [signal, expected, target] of [['SIGINT', 130, ['--out', path.join(dir, 'out', 'covers.pdf')]], ['SIGTERM', 143, ['--out-dir', path.join(dir, 'out')]]] as const) {
    await mkdir(path.join(dir, 'out'), { recursive: true });
    // Six seconds in, the batch is drawing covers (it takes over a minute in all).
    const result = await stopOnce(['cover', '--from', csv, ...target, '--data-dir', path.join(dir, 'data')], 6000, signal);
    assert.equal(result.code, expected, result.output);
    // Under the 5 s a stopping command is given: the batch stopped itself (and cleaned up), not the deadline.
    assert.ok(result.ms < 4000, `${signal}: ${result.ms} ms`);
    assert.deepEqual(await readdir(path.join(dir, 'out')), [], signal);
  }
});
