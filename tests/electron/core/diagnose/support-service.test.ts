import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { unzipSync, strFromU8 } from 'fflate';
import { defaultCoverLayout } from '../../../../electron/core/cover/cover-layout.js';
import { createHttpAdapter } from '../../../../electron/core/imaging/http-adapter.js';
import { startReferenceImagingServer, type ReferenceServer } from '../../../../electron/core/imaging/reference-server.js';
import type { CodeTrace } from '../../../../electron/core/diagnose/trace-code.js';
import { defaultEndpointSettings, type EndpointSettings } from '../../../../electron/shared/endpoint/endpoint-settings.js';
import { writeStack, type StackPage } from '../../../fixtures/stacks.js';
import { makeCoreHarness, type CoreHarness } from '../../../helpers/core-harness.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const secret = 'Sup3r-Secret+Value/42';
let server: ReferenceServer;
let serverDir: string;
const tokens: string[] = [];
let harness: CoreHarness;
let profile: EndpointSettings;

before(async () => {
  serverDir = await makeTempDir();
  server = await startReferenceImagingServer({ dataDir: serverDir, clients: { 'station-doctor': secret, other: 'other-secret' }, onToken: (token) => tokens.push(token) });
  harness = await makeCoreHarness();
  profile = { ...defaultEndpointSettings, profileName: 'doctor', preset: 'private', host: '127.0.0.1', port: server.port, apiAddress: `${server.url}/api`, clientId: 'station-doctor', stationId: 'desk-7' };
  await harness.core.endpoint.saveSettings(profile, secret);
});

after(async () => {
  await harness?.core.close();
  await server?.close();
});

/** Takes a generated stack in through the Scan desk, as a dropped file. */
async function scan(name: string, pages: StackPage[]) {
  const file = await writeStack(pages, await makeTempDir(), 'pdf');
  const outcome = await harness.core.scanDesk.importUpload(name, new Uint8Array(await readFile(file)));
  assert.equal(outcome.status, 'ingested');
}

const lookup = async (text: string, extra: { symptom?: 'no-image' | 'no-image-needed'; day?: string } = {}) => (await harness.core.support.lookup({ text, ...extra })).traces;
const one = async (code: string, extra: { symptom?: 'no-image' | 'no-image-needed' } = {}): Promise<CodeTrace> => {
  const [trace] = await lookup(code, extra);
  assert.ok(trace);
  return trace;
};

test('every branch of the decision tree, against real bills in a spool and the reference server', async () => {
  // A bill scanned while the gate is shut: it waits, and the station says why and who can open it.
  await scan('stack-a.pdf', [{ kind: 'cover', code: 'FY-2026-700001' }, { kind: 'content' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-700002' }, { kind: 'cover', code: 'FY-2026-700003' }, { kind: 'content' }]);
  await harness.core.upload.runOnce();
  let trace = await one('FY-2026-700001');
  assert.deepEqual([trace.verdict, trace.owner, trace.facts['queueReason']], ['waiting', 'implementer', 'preflight-missing']);
  assert.equal(trace.server?.status, 'unknown', 'the server is asked even while the gate is shut (a query changes nothing)');

  // Held at the split: 700002 has no pages after its cover.
  trace = await one('FY-2026-700002');
  assert.deepEqual([trace.verdict, trace.owner, trace.facts['reason'], trace.facts['stage']], ['held', 'clerk', 'empty-bill', 'split']);
  assert.ok(trace.timeline.some((entry) => entry.event === 'held' && entry.reason === 'empty-bill'));

  // The gate opens; the ready bills go up and close: delivered, with the receipts and the server's pages as evidence.
  assert.equal((await harness.core.endpoint.preflight(() => undefined)).ok, true);
  const status = await harness.core.upload.runOnce();
  assert.equal(status.counts.done, 2);
  trace = await one('FY-2026-700001');
  assert.deepEqual([trace.verdict, trace.owner], ['delivered', 'erp-support']);
  assert.equal(trace.facts['receipts'], 3);
  assert.deepEqual(trace.server?.compare, { same: [1, 2, 3], missing: [], extra: [], differ: [] });
  assert.deepEqual(
    trace.timeline.filter((entry) => entry.from === 'station').map((entry) => entry.event),
    ['imported', 'split', 'upload-started', 'uploaded'],
  );
  assert.equal(trace.timeline.at(-1)?.event === 'server-pages' || trace.timeline.some((entry) => entry.event === 'server-pages'), true);
  assert.equal(trace.station.bills[0]?.source, 'stack-a.pdf');

  // Several codes at once, pasted as an Excel column, with a code never seen anywhere.
  const traces = await lookup('FY-2026-700001\r\nFY-2026-700003\r\nFY-2026-799999\r\n');
  assert.deepEqual(traces.map((entry) => [entry.code, entry.verdict]), [['FY-2026-700001', 'delivered'], ['FY-2026-700003', 'delivered'], ['FY-2026-799999', 'not-scanned']]);

  // Pages differ: the server lost page 2 (its bill.json edited behind its back).
  const billFile = path.join(serverDir, 'bills', 'FY-2026-700003', 'bill.json');
  const stored = JSON.parse(await readFile(billFile, 'utf8')) as { pages: Record<string, unknown> };
  delete stored.pages['2'];
  await writeFile(billFile, JSON.stringify(stored));
  trace = await one('FY-2026-700003');
  assert.deepEqual([trace.verdict, trace.owner, trace.facts['missing']], ['pages-differ', 'imaging-admin', '2']);

  // Delivered elsewhere: another client uploaded a bill this station never scanned.
  const other = createHttpAdapter({ settings: { apiAddress: server.url, clientId: 'other' }, clientSecret: 'other-secret', env: {} });
  await other.uploadPage({ imageCode: 'FY-2026-700009', page: 1, bytes: Buffer.from('x'), sha256: '2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881', idempotencyKey: 'other-key-1' });
  trace = await one('FY-2026-700009');
  assert.deepEqual([trace.verdict, trace.owner, trace.station.seen], ['delivered-elsewhere', 'erp-support', false]);

  // Discarded at the station.
  await scan('stack-b.pdf', [{ kind: 'cover', code: 'FY-2026-700004' }, { kind: 'content' }]);
  const bills = await harness.core.scanDesk.spool.listBills();
  const discarded = bills.find((bill) => bill.code === 'FY-2026-700004');
  assert.ok(discarded);
  await harness.core.upload.act({ action: 'pause' });
  await harness.core.scanDesk.changeBill(discarded.id, { action: 'discard' });
  await harness.core.upload.act({ action: 'resume' });
  trace = await one('FY-2026-700004');
  assert.deepEqual([trace.verdict, trace.owner], ['discarded', 'clerk']);
  assert.ok(trace.timeline.some((entry) => entry.event === 'discarded'));

  // "当前单据无需上传影像" is the bill owner's question whatever the station holds.
  assert.deepEqual([(await one('FY-2026-700001', { symptom: 'no-image-needed' })).verdict, (await one('FY-2026-700001', { symptom: 'no-image-needed' })).owner], ['no-image-needed', 'bill-owner']);

  // The server unreachable: the station's receipts stand, unverified.
  const saved = profile;
  await harness.core.endpoint.saveSettings({ ...saved, host: '127.0.0.1', port: 9, apiAddress: 'http://127.0.0.1:9/api' }, secret);
  const unreachable = await lookup('FY-2026-700001 FY-2026-700003 FY-2026-799999');
  assert.deepEqual(unreachable.map((entry) => [entry.verdict, entry.serverError?.code]), [['delivered-unverified', 'imaging-unreachable'], ['delivered-unverified', 'imaging-unreachable'], ['not-scanned', 'imaging-unreachable']]);
  assert.equal(unreachable[0]?.owner, 'implementer');

  // Sync-to-submitter mode (Settings refuses to save it; a profile file edited by hand carries it):
  // the scan station is not used for these bills.
  await harness.core.endpoint.saveSettings(saved, secret);
  const settingsFile = path.join(harness.dataDir, 'endpoint.json');
  await writeFile(settingsFile, JSON.stringify({ ...JSON.parse(await readFile(settingsFile, 'utf8')), mode: 'sync-to-submitter' }));
  trace = await one('FY-2026-700001');
  assert.deepEqual([trace.verdict, trace.owner, trace.server], ['sync-mode', 'implementer', null]);
  await harness.core.endpoint.saveSettings(saved, secret);
});

test('returned for rescan: noticed on refresh, listed, the rescan is not held as taken in before, and goes up as round 2', async () => {
  assert.equal((await harness.core.endpoint.preflight(() => undefined)).ok, true);
  await scan('stack-r1.pdf', [{ kind: 'cover', code: 'FY-2026-710001' }, { kind: 'content' }]);
  await harness.core.upload.runOnce();
  const day = { from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' };
  let recent = (await harness.core.support.recent(day)).filter((bill) => bill.code === 'FY-2026-710001');
  assert.equal(recent.length, 1);
  recent = await harness.core.support.refresh(recent);
  assert.deepEqual([recent[0]?.server?.status, recent[0]?.server?.matches], ['closed', true]);

  // The imaging side returns it (the reference server's stand-in for a reviewer).
  const adapter = await harness.core.endpoint.openAdapter('query');
  await adapter.returnBill('FY-2026-710001', { text: '第2页发票模糊 / page 2 blurred' });
  recent = await harness.core.support.refresh(recent);
  assert.deepEqual([recent[0]?.server?.status, recent[0]?.server?.returned?.reason], ['returned', '第2页发票模糊 / page 2 blurred']);
  const returned = await harness.core.support.returnedBills();
  assert.deepEqual(returned.filter((entry) => !entry.resolved).map((entry) => [entry.code, entry.round]), [['FY-2026-710001', 1]]);
  let trace = await one('FY-2026-710001');
  assert.deepEqual([trace.verdict, trace.owner, trace.facts['reason']], ['returned', 'clerk', '第2页发票模糊 / page 2 blurred']);

  // The clerk rescans it (three pages now): taken in ready, not held.
  await scan('stack-r2.pdf', [{ kind: 'cover', code: 'FY-2026-710001' }, { kind: 'content' }, { kind: 'content' }]);
  const rescan = (await harness.core.scanDesk.spool.listBills()).find((bill) => bill.code === 'FY-2026-710001' && bill.id !== recent[0]?.billId);
  assert.deepEqual([rescan?.state, rescan?.held], ['ready', null]);
  trace = await one('FY-2026-710001');
  assert.deepEqual([trace.verdict, trace.facts['rescan']], ['waiting', 1]);
  await harness.core.upload.runOnce();

  // Round 2 closed on the server with the rescan's pages; round 1 kept there; the return resolved.
  const state = await adapter.queryBill('FY-2026-710001');
  assert.deepEqual([state.status, state.round, state.pageCount], ['closed', 2, 3]);
  trace = await one('FY-2026-710001');
  assert.deepEqual([trace.verdict, trace.server?.round, trace.server?.compare.same], ['delivered', 2, [1, 2, 3]]);
  assert.ok(trace.timeline.some((entry) => entry.event === 'round-opened'));
  assert.ok(trace.timeline.some((entry) => entry.event === 'returned-noticed'));
  assert.equal((await harness.core.support.returnedBills()).find((entry) => entry.code === 'FY-2026-710001')?.resolved?.billId, rescan?.id);
});

test('search by bill number (covers made here) and by day', async () => {
  const made = await harness.core.covers.generate([{ line: 2, fields: { code: 'FY-2026-720001', billNo: 'BX-000123' } }], defaultCoverLayout, () => undefined);
  assert.equal(made.written.length, 1);
  const result = await harness.core.support.lookup({ text: 'BX-000123, NO-SUCH-BILL 坏\u0001' });
  assert.deepEqual(result.resolved, [{ billNo: 'BX-000123', codes: ['FY-2026-720001'] }]);
  assert.deepEqual(result.traces.map((trace) => [trace.code, trace.verdict]), [['FY-2026-720001', 'not-scanned'], ['NO-SUCH-BILL', 'not-scanned']]);
  assert.deepEqual(result.unresolved, ['坏\u0001']);
  assert.equal(result.traces[0]?.station.coversMade[0]?.billNo, 'BX-000123');
  const today = new Date(Date.now() - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
  const byDay = await harness.core.support.lookup({ day: today, text: '' });
  assert.ok(byDay.traces.some((trace) => trace.code === 'FY-2026-700001'));
  assert.ok(byDay.traces.some((trace) => trace.code === 'FY-2026-720001'));
});

test('the diagnostic bundle holds what support needs and never the secret or a token (nor their encodings)', async () => {
  assert.ok(tokens.length > 0, 'the station obtained tokens from the server');
  // Planted: a log line a careless change might write. The bundle must still not carry it.
  const logFile = harness.core.paths.logFile;
  await mkdir(path.dirname(logFile), { recursive: true });
  await writeFile(logFile, `${JSON.stringify({ level: 'warn', event: 'oops', secret, b64: Buffer.from(secret).toString('base64'), url: `https://x/?access_token=${tokens[0]}`, enc: encodeURIComponent(secret) })}\n{"level":"info","event":"ordinary"}\n`);
  const bundle = await harness.core.support.bundle({ codes: ['FY-2026-700001'] });
  assert.match(bundle.name, /^scan-station-diagnostics-desk-7-\d{8}-\d{6}\.zip$/);
  const files = unzipSync(bundle.bytes);
  assert.deepEqual(Object.keys(files).sort(), ['README.txt', 'app-log-tail.log', 'audit.jsonl', 'endpoint-profile.json', 'last-preflight.json', 'self-check.json', 'spool-and-queue.json', 'station.json', 'traces.json']);
  const text = Object.values(files).map((bytes) => strFromU8(bytes)).join('\n');
  const raw = Buffer.from(bundle.bytes).toString('latin1');
  const forbidden = [secret, ...tokens].flatMap((value) => [value, Buffer.from(value).toString('base64'), Buffer.from(value).toString('base64url'), encodeURIComponent(value), Buffer.from(value).toString('hex')]);
  for (const value of forbidden) {
    assert.equal(text.includes(value), false, `the bundle holds ${value.slice(0, 6)}…`);
    assert.equal(raw.includes(value), false);
  }
  assert.match(strFromU8(files['README.txt'] as Uint8Array), /诊断包[\s\S]*diagnostic bundle/);
  assert.match(strFromU8(files['app-log-tail.log'] as Uint8Array), /"event":"ordinary"/);
  assert.match(strFromU8(files['audit.jsonl'] as Uint8Array), /"event":"uploaded","stack":"[^"]+","bill":"[^"]+","code":"FY-2026-700001"/);
  assert.doesNotMatch(strFromU8(files['audit.jsonl'] as Uint8Array), /FY-2026-700004/, 'only the chosen codes');
  const station = JSON.parse(strFromU8(files['station.json'] as Uint8Array)) as { stationId: string; version: string };
  assert.equal(station.stationId, 'desk-7');
  const profileFile = JSON.parse(strFromU8(files['endpoint-profile.json'] as Uint8Array)) as { secret: { stored: boolean }; settings: { clientId: string } };
  assert.deepEqual([profileFile.secret.stored, profileFile.settings.clientId], [true, 'station-doctor']);
  const traces = JSON.parse(strFromU8(files['traces.json'] as Uint8Array)) as CodeTrace[];
  assert.equal(traces[0]?.verdict, 'delivered');
  // By days instead of codes.
  const byDays = unzipSync((await harness.core.support.bundle({ days: 1 })).bytes);
  assert.equal('traces.json' in byDays, false);
  assert.match(strFromU8(byDays['audit.jsonl'] as Uint8Array), /FY-2026-700004/);
});

test('a return the station had not heard of: the released rescan is refused (2008), the return is learnt, "send again" goes up as round 2', async () => {
  assert.equal((await harness.core.endpoint.preflight(() => undefined)).ok, true);
  await scan('stack-s1.pdf', [{ kind: 'cover', code: 'FY-2026-740001' }, { kind: 'content' }]);
  await harness.core.upload.runOnce();
  const adapter = await harness.core.endpoint.openAdapter('query');
  await adapter.returnBill('FY-2026-740001', { text: 'cover torn' });
  // Rescanned before anyone refreshed: held as a code the server closed, and a person releases it as the rescan.
  await scan('stack-s2.pdf', [{ kind: 'cover', code: 'FY-2026-740001' }, { kind: 'content' }, { kind: 'content' }]);
  const rescan = (await harness.core.scanDesk.spool.listBills()).find((bill) => bill.code === 'FY-2026-740001' && bill.held === 'code-closed');
  assert.ok(rescan);
  await harness.core.scanDesk.changeBill(rescan.id, { action: 'release' });
  let status = await harness.core.upload.runOnce();
  const held = status.bills.find((bill) => bill.id === rescan.id);
  assert.deepEqual([held?.state, held?.held?.params['errcode']], ['held', '2008']);
  assert.equal((await harness.core.support.returnedBills()).find((entry) => entry.code === 'FY-2026-740001' && !entry.resolved)?.reason, 'cover torn');
  await harness.core.upload.act({ action: 'resend', billId: rescan.id });
  status = await harness.core.upload.runOnce();
  assert.equal(status.bills.find((bill) => bill.id === rescan.id), undefined, 'sent');
  const state = await adapter.queryBill('FY-2026-740001');
  assert.deepEqual([state.status, state.round, state.pageCount], ['closed', 2, 3]);
});
