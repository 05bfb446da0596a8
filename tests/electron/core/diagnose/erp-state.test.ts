import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createHash } from 'node:crypto';
import { createHttpAdapter } from '../../../../electron/core/imaging/http-adapter.js';
import { startReferenceImagingServer, type ReferenceServer } from '../../../../electron/core/imaging/reference-server.js';
import { defaultEndpointSettings } from '../../../../electron/shared/endpoint/endpoint-settings.js';
import { writeStack, type StackPage } from '../../../fixtures/stacks.js';
import { makeCoreHarness, type CoreHarness } from '../../../helpers/core-harness.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const secret = 'erp-state-secret';
let server: ReferenceServer;
let serverDir: string;
let harness: CoreHarness;

before(async () => {
  serverDir = await makeTempDir();
  server = await startReferenceImagingServer({ dataDir: serverDir, clients: { 'station-erp': secret, 'other-desk': 'other-secret' } });
  harness = await makeCoreHarness();
  await harness.core.endpoint.saveSettings({ ...defaultEndpointSettings, profileName: 'erp', preset: 'private', host: '127.0.0.1', port: server.port, apiAddress: `${server.url}/api`, clientId: 'station-erp', stationId: 'desk-erp' }, secret);
  assert.equal((await harness.core.endpoint.preflight(() => undefined)).ok, true);
});

after(async () => {
  await harness?.core.close();
  await server?.close();
});

/** Takes a generated stack in through the Scan desk and sends what is ready. */
async function scanAndSend(name: string, pages: StackPage[]) {
  const file = await writeStack(pages, await makeTempDir(), 'pdf');
  assert.equal((await harness.core.scanDesk.importUpload(name, new Uint8Array(await readFile(file)))).status, 'ingested');
  await harness.core.upload.runOnce();
}

const one = async (code: string) => {
  const [trace] = (await harness.core.support.lookup({ text: code })).traces;
  assert.ok(trace);
  return trace;
};

/** Edits the reference server's record of a bill behind its back (what a lost request leaves). */
async function editServerBill(code: string, change: (bill: Record<string, unknown>) => void) {
  const file = path.join(serverDir, 'bills', code, 'bill.json');
  const bill = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  change(bill);
  await writeFile(file, JSON.stringify(bill));
}

test('a close lost on the way: every page on the server, still 上传影像中; the doctor says so, and sends the close again', async () => {
  await scanAndSend('lost-close.pdf', [{ kind: 'cover', code: 'FY-2026-750001' }, { kind: 'content' }, { kind: 'content' }]);
  let trace = await one('FY-2026-750001');
  assert.deepEqual([trace.verdict, trace.erp?.imageState], ['delivered', { code: '2', name: '影像已就绪' }]);
  assert.equal(trace.erp?.pageCount, 3);

  // The server never took the close in: its record is open with every page (the station has its receipts and its close).
  await editServerBill('FY-2026-750001', (bill) => {
    bill.status = 'open';
    bill.pageCount = null;
    delete bill.closedAt;
    delete bill.scan;
  });
  trace = await one('FY-2026-750001');
  assert.deepEqual([trace.verdict, trace.owner, trace.erp?.imageState.code, trace.facts['serverPages']], ['close-lost', 'implementer', '1', 3]);

  // Re-sent through the upload adapter and the audit log: the server now says 影像已就绪, the verdict is delivered.
  const outcome = await harness.core.support.reclose('FY-2026-750001');
  assert.deepEqual([outcome.resent, outcome.before.verdict, outcome.after.verdict, outcome.after.erp?.imageState.code], [true, 'close-lost', 'delivered', '2']);
  assert.ok(outcome.after.timeline.some((entry) => entry.event === 'close-resent'));
  // Nothing to re-send for a delivered bill: left alone.
  const again = await harness.core.support.reclose('FY-2026-750001');
  assert.deepEqual([again.resent, again.after.verdict], [false, 'delivered']);
  // Lost again, then voided (废弃) by a reviewer: a voided bill takes no close, so nothing is re-sent.
  await editServerBill('FY-2026-750001', (bill) => {
    bill.status = 'open';
    bill.pageCount = null;
    delete bill.closedAt;
  });
  await createHttpAdapter({ settings: { apiAddress: server.url, clientId: 'other-desk' }, clientSecret: 'other-secret', env: {} }).voidBill('FY-2026-750001', 'bill withdrawn');
  const voided = await harness.core.support.reclose('FY-2026-750001');
  assert.deepEqual([voided.resent, voided.before.verdict, voided.after.erp?.imageState.code], [false, 'voided', '5']);
  assert.equal(voided.after.timeline.filter((entry) => entry.event === 'close-resent').length, 1, 'no second close-resent line');
  // A code this station never saw is not close-lost either.
  assert.equal((await harness.core.support.reclose('FY-2026-759998')).resent, false);
});

test('delivered here, but the server has no record of it (无影像): the station\'s receipts against the ERP\'s 0', async () => {
  await scanAndSend('no-record.pdf', [{ kind: 'cover', code: 'FY-2026-750002' }, { kind: 'content' }]);
  assert.equal((await one('FY-2026-750002')).verdict, 'delivered');
  await rm(path.join(serverDir, 'bills', 'FY-2026-750002'), { recursive: true, force: true });
  const trace = await one('FY-2026-750002');
  assert.deepEqual([trace.verdict, trace.owner, trace.erp?.imageState, trace.facts['receipts']], ['server-has-none', 'implementer', { code: '0', name: '无影像' }, 2]);
  // A code nobody scanned anywhere: 无影像 and never scanned here.
  const never = await one('FY-2026-759999');
  assert.deepEqual([never.verdict, never.erp?.imageState.code, never.erp?.scan], ['not-scanned', '0', null]);
});

/** Another scan desk (or the receipt assistant), talking to the same server. */
const otherDesk = () => createHttpAdapter({ settings: { apiAddress: server.url, clientId: 'other-desk' }, clientSecret: 'other-secret', env: {} });
async function uploadElsewhere(code: string, pages: number) {
  const other = otherDesk();
  for (let page = 1; page <= pages; page += 1) {
    const bytes = Buffer.from(`${code} page ${page}`);
    await other.uploadPage({ imageCode: code, page, bytes, sha256: createHash('sha256').update(bytes).digest('hex'), idempotencyKey: `elsewhere-${code}-${page}` });
  }
  return other;
}

test('the ERP\'s other states from the server: 是否需要影像扫描 = 否, 废弃 (delivered here, or still queued here), 影像已就绪 from another scan point', async () => {
  // Marked as needing no images: the verdict says so even when the person asked about 无影像.
  await otherDesk().setNeedImageScan('FY-2026-750010', false);
  let trace = await one('FY-2026-750010');
  assert.deepEqual([trace.verdict, trace.owner, trace.facts['fromServer'], trace.erp?.needImageScan], ['no-image-needed', 'bill-owner', 1, false]);

  // Voided after this station delivered it: nothing to scan, the bill's owner's question.
  await scanAndSend('voided.pdf', [{ kind: 'cover', code: 'FY-2026-750011' }, { kind: 'content' }]);
  await otherDesk().voidBill('FY-2026-750011', '单据作废');
  trace = await one('FY-2026-750011');
  assert.deepEqual([trace.verdict, trace.owner, trace.erp?.imageState, trace.erp?.voided?.reason, trace.facts['delivered']], ['voided', 'bill-owner', { code: '5', name: '废弃' }, '单据作废', 1]);

  // Voided while a copy still waits here: the clerk discards it (the server would refuse it).
  await (await uploadElsewhere('FY-2026-750012', 1)).voidBill('FY-2026-750012', 'duplicate bill');
  await harness.core.upload.act({ action: 'pause' });
  await scanAndSend('voided-here.pdf', [{ kind: 'cover', code: 'FY-2026-750012' }, { kind: 'content' }]);
  trace = await one('FY-2026-750012');
  assert.deepEqual([trace.verdict, trace.owner, trace.facts['source']], ['voided', 'clerk', 'voided-here.pdf']);
  await harness.core.upload.act({ action: 'resume' });

  // Scanned and closed at another desk with who and where: 影像已就绪, naming the scanner and scan point.
  await (await uploadElsewhere('FY-2026-750013', 3)).closeBill('FY-2026-750013', 3, { scanUser: 'li.si', scanPoint: '深圳-03', stationIp: '10.8.0.21', scannedAt: '2026-12-01T02:30:00.000Z' });
  trace = await one('FY-2026-750013');
  assert.deepEqual([trace.verdict, trace.facts['scanUser'], trace.facts['scanPoint'], trace.facts['stationIp']], ['delivered-elsewhere', 'li.si', '深圳-03', '10.8.0.21']);
  assert.deepEqual([trace.erp?.imageState.code, trace.erp?.pageCount, trace.erp?.scan], ['2', 3, { user: 'li.si', point: '深圳-03', stationIp: '10.8.0.21', scannedAt: '2026-12-01T02:30:00.000Z' }]);
});
