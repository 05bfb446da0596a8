import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { Protocol } from 'electron';
import { serveRenderer } from '../../../electron/main/protocol.js';
import { contentSecurityPolicy } from '../../../electron/shared/csp.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

test('app://scan-station serves the bundle with the CSP and nothing outside it', async () => {
  const dir = await makeTempDir();
  await mkdir(path.join(dir, 'renderer', 'assets'), { recursive: true });
  await writeFile(path.join(dir, 'renderer', 'index.html'), '<title>shell</title>');
  await writeFile(path.join(dir, 'renderer', 'assets', 'a.js'), 'ok');
  await writeFile(path.join(dir, 'secret.txt'), 'do not serve');
  let handler: ((request: Request) => Promise<Response>) | undefined;
  serveRenderer({ handle: (_scheme: string, fn: typeof handler) => (handler = fn) } as unknown as Protocol, path.join(dir, 'renderer'));
  const get = (url: string) => (handler as (request: Request) => Promise<Response>)(new Request(url));

  const index = await get('app://scan-station/index.html');
  assert.equal(index.status, 200);
  assert.equal(index.headers.get('content-security-policy'), contentSecurityPolicy);
  assert.equal(await index.text(), '<title>shell</title>');
  assert.equal(await (await get('app://scan-station/assets/a.js')).text(), 'ok');
  assert.equal(await (await get('app://scan-station/settings')).text(), '<title>shell</title>');
  assert.equal((await get('app://other-host/index.html')).status, 404);
  for (const attempt of ['app://scan-station/../secret.txt', 'app://scan-station/%2e%2e/secret.txt', 'app://scan-station/assets/..%2f..%2fsecret.txt']) {
    const response = await get(attempt);
    assert.notEqual(await response.text(), 'do not serve', attempt);
  }
  assert.equal((await get('app://scan-station/assets/missing.js')).status, 404);
  // A bad % escape is a 400, not an exception inside the protocol handler.
  assert.equal((await get('app://scan-station/assets/%E0%A4%A.js')).status, 400);
  await writeFile(path.join(dir, 'renderer', 'assets', 'a.js.map'), '{}');
  assert.equal((await get('app://scan-station/assets/a.js.map')).status, 404);
});
