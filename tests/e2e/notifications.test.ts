import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { createHttpAdapter } from '../../electron/core/imaging/http-adapter.js';
import { startReferenceImagingServer, type ReferenceServer } from '../../electron/core/imaging/reference-server.js';
import { defaultEndpointSettings } from '../../electron/shared/endpoint/endpoint-settings.js';
import { writeStack } from '../fixtures/stacks.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { openUiSession, type UiSession } from './helpers/ui-session.js';

// The browser's Notification API, recorded: permission asked (granted) and every notification shown.
const recorder = `
  window.__asked = 0;
  window.__shown = [];
  class RecordedNotification {
    static permission = 'default';
    static async requestPermission() { window.__asked += 1; RecordedNotification.permission = 'granted'; return 'granted'; }
    constructor(title, options) { window.__shown.push({ title, body: options && options.body }); }
  }
  window.Notification = RecordedNotification;
`;

let session: UiSession;
let page: Page;
let server: ReferenceServer;

before(async () => {
  server = await startReferenceImagingServer({ dataDir: await makeTempDir(), clients: { 'desk-notify': 'notify-secret' } });
  session = await openUiSession({ area: 'scanDesk', viewport: { width: 1024, height: 700 }, initScript: recorder });
  page = session.page;
  await session.harness.core.endpoint.saveSettings({ ...defaultEndpointSettings, profileName: 'e2e', preset: 'private', host: '127.0.0.1', port: server.port, apiAddress: `${server.url}/api`, clientId: 'desk-notify' }, 'notify-secret');
});

after(async () => {
  await session?.close();
  await server?.close();
});

test('browser mode: a bill the server refuses raises one desktop notification; permission is asked once', async () => {
  // Another client stored other bytes as page 1 of this code: the station's page 1 will be refused (needs a person).
  const other = createHttpAdapter({ settings: { apiAddress: server.url, clientId: 'desk-notify' }, clientSecret: 'notify-secret', env: {} });
  const bytes = Buffer.from('a page someone else stored');
  await other.uploadPage({ imageCode: 'FY-2026-000950', page: 1, bytes, sha256: createHash('sha256').update(bytes).digest('hex'), idempotencyKey: 'someone-else-1' });
  // The page has taken its first look (the baseline) before anything happens.
  await page.waitForTimeout(3500);
  assert.equal(await page.evaluate(() => (window as unknown as { __shown: unknown[] }).__shown.length), 0, 'nothing at start');
  assert.equal((await session.harness.core.endpoint.preflight(() => undefined)).ok, true);
  const file = await writeStack([{ kind: 'cover', code: 'FY-2026-000950' }, { kind: 'content' }], await makeTempDir(), 'pdf');
  await session.harness.core.scanDesk.importUpload('stack.pdf', new Uint8Array(await readFile(file)));
  session.harness.core.upload.nudge();
  await page.waitForFunction(() => (window as unknown as { __shown: unknown[] }).__shown.length > 0, undefined, { timeout: 30_000 });
  await page.waitForTimeout(3500);
  const recorded = await page.evaluate(() => ({ asked: (window as unknown as { __asked: number }).__asked, shown: (window as unknown as { __shown: Array<{ title: string; body: string }> }).__shown }));
  assert.equal(recorded.asked, 1);
  assert.deepEqual(recorded.shown, [{ title: '单据暂扣，需要处理', body: '单据 FY-2026-000950 的上传已暂扣：请到“扫描台”查看原因。' }]);
});
