import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { runCli } from '../../../../electron/cli/run-cli.js';
import { startReferenceScanner } from '../../../../electron/core/scanner/escl-server.js';
import { encodeJpeg } from '../../../fixtures/encode.js';
import { renderStackPage, type StackPage } from '../../../fixtures/stacks.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const cliEntry = path.resolve('dist', 'cli', 'scan-station.cjs');
const kinds: StackPage[] = [{ kind: 'cover', code: 'FY-SCAN-0001' }, { kind: 'content' }, { kind: 'blank' }, { kind: 'cover', code: 'FY-SCAN-0002' }, { kind: 'content' }, { kind: 'content' }];

async function writeFeeder(): Promise<string> {
  const dir = path.join(await makeTempDir(), 'feeder');
  await mkdir(dir);
  await Promise.all(kinds.map(async (kind, index) => writeFile(path.join(dir, `side-${index + 1}.jpg`), await encodeJpeg(renderStackPage(kind, 100, index + 1), 100))));
  return dir;
}

/** Runs the CLI in this process; stdout and stderr collected. */
async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli([...argv, '--lang', 'en'], { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: { ...process.env, ...env }, waitForStop: () => new Promise(() => undefined) });
  return { code, stdout, stderr, lines: stdout.split('\n').filter(Boolean) };
}

test('scan --json takes one job into the spool: a line per page as it is committed, then the stack like intake --json', { timeout: 120_000 }, async () => {
  const scanner = await startReferenceScanner({ port: 0, pages: await writeFeeder() });
  const dataDir = await makeTempDir();
  try {
    const { code, lines } = await run(['scan', '--device', scanner.url, '--source', 'duplex', '--dpi', '200', '--color', 'gray', '--json', '--data-dir', dataDir]);
    assert.equal(code, 0, lines.join('\n'));
    const messages = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(messages.slice(0, -1).map((message) => [message['status'], message['page']]), kinds.map((_, index) => ['received', index + 1]));
    const last = messages.at(-1) as { status: string; stack: string; pages: number; bills: Array<{ code: string; held: string | null }> };
    assert.equal(last.status, 'ingested');
    assert.equal(last.pages, kinds.length);
    assert.deepEqual(last.bills.map((bill) => [bill.code, bill.held]), [['FY-SCAN-0001', null], ['FY-SCAN-0002', null]]);
    assert.deepEqual(await readdir(path.join(dataDir, 'spool', 'stacks')), [last.stack]);
    // Text mode says each page too.
    const again = await run(['scan', '--device', scanner.url, '--data-dir', dataDir]);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /Page 6 received\.\nScanned 6 pages into one stack: 2 bills, 2 of them held\./);
  } finally {
    await scanner.close();
  }
});

test('scan on a jam: exit 1, the pages kept as an interrupted scan; scan --release makes them a stack; bad options are usage errors', { timeout: 120_000 }, async () => {
  const scanner = await startReferenceScanner({ port: 0, pages: await writeFeeder(), jamAfter: 3 });
  const dataDir = await makeTempDir();
  try {
    const jammed = await run(['scan', '--device', scanner.url, '--json', '--data-dir', dataDir]);
    assert.equal(jammed.code, 1);
    const last = JSON.parse(jammed.lines.at(-1) as string) as { status: string; batch: string; pages: number; error: { code: string; message: string } };
    assert.equal(last.status, 'interrupted');
    assert.equal(last.pages, 3);
    assert.equal(last.error.code, 'scanner-jammed');
    const text = await run(['scan', '--release', 'no-such-batch', '--data-dir', dataDir]);
    assert.equal(text.code, 1);
    assert.match(text.stderr, /no-such-batch/);
    const released = await run(['scan', '--release', last.batch, '--json', '--data-dir', dataDir]);
    assert.equal(released.code, 0);
    assert.equal((JSON.parse(released.lines.at(-1) as string) as { pages: number }).pages, 3);
    for (const argv of [['scan'], ['scan', '--device', scanner.url, '--source', 'glass'], ['scan', '--device', scanner.url, '--dpi', '20'], ['scan', '--device', scanner.url, '--color', 'sepia'], ['scan', '--release', 'x', '--into', 'y'], ['scanners', '--timeout-ms', 'soon']]) {
      const refused = await run([...argv, '--data-dir', dataDir]);
      assert.equal(refused.code, 2, argv.join(' '));
    }
  } finally {
    await scanner.close();
  }
});

test('scanners --json lists SANE devices with what they offer', { timeout: 60_000 }, async () => {
  const config = await makeTempDir('sane-config-');
  await writeFile(path.join(config, 'dll.conf'), 'test\n');
  await writeFile(path.join(config, 'test.conf'), 'number_of_devices 1\n');
  const { code, stdout } = await run(['scanners', '--json', '--timeout-ms', '300', '--data-dir', await makeTempDir()], { SANE_CONFIG_DIR: config });
  assert.equal(code, 0);
  const { devices } = JSON.parse(stdout) as { devices: Array<{ id: string; kind: string; capabilities: { sources: string[] } | null }> };
  const sane = devices.find((device) => device.kind === 'sane');
  assert.match(sane?.id ?? '', /^sane:test/);
  assert.deepEqual(sane?.capabilities?.sources, ['adf', 'flatbed']);
});

test('SIGTERM cancels the built CLI\'s scan: the job ended on the device, the pages received kept as the stack, exit 0', { timeout: 120_000 }, async () => {
  const scanner = await startReferenceScanner({ port: 0, pages: await writeFeeder(), slowMs: 400 });
  const dataDir = await makeTempDir();
  try {
    const child = spawn(process.execPath, [cliEntry, 'scan', '--device', scanner.url, '--json', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'ignore'] });
    const exited = once(child, 'exit') as Promise<[number | null]>;
    const lines: string[] = [];
    let received = 0;
    await new Promise<void>((resolve) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        lines.push(line);
        if ((JSON.parse(line) as { status: string }).status === 'received' && ++received === 2) resolve();
      });
      void exited.then(() => resolve());
    });
    child.kill('SIGTERM');
    const [code] = await exited;
    assert.equal(code, 0, lines.join('\n'));
    const last = JSON.parse(lines.at(-1) as string) as { status: string; pages: number; stack: string };
    assert.equal(last.status, 'cancelled');
    assert.ok(last.pages >= 2 && last.pages < kinds.length);
    assert.deepEqual(await readdir(path.join(dataDir, 'spool', 'stacks')), [last.stack]);
    assert.equal(scanner.jobs()[0]?.deleted, true);
  } finally {
    await scanner.close();
  }
});

test('scan --into or --release of a name that is no scan: said plainly in English and Chinese, exit 1, nothing changed', async () => {
  const dataDir = await makeTempDir();
  const english = await run(['scan', '--into', 'no-such-batch', '--data-dir', dataDir]);
  assert.equal(english.code, 1);
  assert.match(english.stderr, /There is no scan no-such-batch in the spool/);
  let stderr = '';
  const code = await runCli(['scan', '--release', 'no-such-batch', '--data-dir', dataDir, '--lang', 'zh-CN'], { stdout: () => undefined, stderr: (text) => (stderr += text), env: { ...process.env }, waitForStop: () => new Promise(() => undefined) });
  assert.equal(code, 1);
  assert.match(stderr, /暂存区里没有扫描 no-such-batch/);
  const json = await run(['scan', '--into', 'no-such-batch', '--data-dir', dataDir, '--json']);
  assert.equal((JSON.parse(json.lines[0] ?? '{}') as { error?: { code?: string } }).error?.code, 'scan-not-interrupted');
});

test('SIGTERM while the scanner is being checked, and before its first page: the first one stops the scan, nothing left on the device, no batch', { timeout: 120_000 }, async () => {
  // A scanner that takes the connection and never answers: the CLI is checking its state when the stop comes.
  const sockets = new Set<net.Socket>();
  const silent = net.createServer((socket) => sockets.add(socket));
  silent.listen(0, '127.0.0.1');
  await once(silent, 'listening');
  const connected = once(silent, 'connection');
  const dataDir = await makeTempDir();
  try {
    const child = spawn(process.execPath, [cliEntry, 'scan', '--device', `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}/eSCL`, '--json', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'ignore'] });
    const exited = once(child, 'exit') as Promise<[number | null]>;
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    await connected;
    const at = Date.now();
    child.kill('SIGTERM');
    const [code] = await exited;
    assert.ok(Date.now() - at < 4000, 'stopped at once, not after the 5 s grace');
    assert.equal(code, 1, stdout);
    assert.equal((JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { error?: { code?: string } }).error?.code, 'scan-cancelled');
    assert.deepEqual(await readdir(path.join(dataDir, 'spool', 'batches')).catch(() => []), []);
  } finally {
    for (const socket of sockets) socket.destroy();
    silent.close();
  }
  // Before the first page: the job is ended on the device, nothing is kept because nothing came.
  const scanner = await startReferenceScanner({ port: 0, pages: await writeFeeder(), slowMs: 5000 });
  const second = await makeTempDir();
  try {
    const child = spawn(process.execPath, [cliEntry, 'scan', '--device', scanner.url, '--json', '--data-dir', second], { stdio: ['ignore', 'pipe', 'ignore'] });
    const exited = once(child, 'exit') as Promise<[number | null]>;
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    while (scanner.jobs().length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 200));
    child.kill('SIGTERM');
    const [code] = await exited;
    assert.equal(code, 0, stdout);
    const last = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { status: string; pages: number; stack: string | null };
    assert.deepEqual([last.status, last.pages, last.stack], ['cancelled', 0, null]);
    assert.equal(scanner.jobs()[0]?.deleted, true);
    assert.deepEqual(await readdir(path.join(second, 'spool', 'batches')).catch(() => []), []);
  } finally {
    await scanner.close();
  }
});
