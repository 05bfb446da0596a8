import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { makeCoreHarness } from '../../../helpers/core-harness.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

// The SANE path end to end through the capture: SANE's own `test` backend (a real backend, through
// scanimage) listed, scanned from its feeder into the spool, one stack; SANE pointed at a temporary
// configuration folder that enables it (Debian's dll.conf leaves it off).
async function makeSaneConfig(): Promise<string> {
  const dir = await makeTempDir('sane-config-');
  await writeFile(path.join(dir, 'dll.conf'), 'test\n');
  await writeFile(path.join(dir, 'test.conf'), 'number_of_devices 1\n');
  return dir;
}

test('a SANE scanner (the test backend) is listed with what it offers and scans its feeder into one stack through the capture', { timeout: 180_000 }, async () => {
  const env = { ...process.env, SANE_CONFIG_DIR: await makeSaneConfig() };
  const { core, dataDir } = await makeCoreHarness({ env });
  try {
    const devices = await core.capture.listDevices({ refresh: true, timeoutMs: 500 });
    const sane = devices.find((device) => device.kind === 'sane');
    assert.ok(sane, JSON.stringify(devices));
    assert.match(sane.id, /^sane:test/);
    assert.deepEqual(sane.capabilities?.sources, ['adf', 'flatbed']);
    assert.equal(sane.status?.condition, 'ready');
    await core.capture.saveSettings({ device: sane.id, source: 'adf', dpi: 200, color: 'gray' });
    await core.capture.start();
    const end = await core.capture.idle();
    assert.equal(end.job?.phase, 'done', JSON.stringify(end.job?.error));
    // The test backend's feeder holds 10 sheets.
    assert.equal(end.job?.pages, 10);
    const stack = await core.scanDesk.spool.findStack(end.job?.stackId ?? '');
    assert.equal(stack?.pages.length, 10);
    assert.deepEqual(await readdir(path.join(dataDir, 'spool', 'batches')), []);
    // SANE's page files went with the job.
    assert.deepEqual(await readdir(path.join(dataDir, 'tmp', 'sane')).catch(() => []), []);
  } finally {
    await core.close();
  }
});
