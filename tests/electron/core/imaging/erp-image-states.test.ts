import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { createFolderAdapter } from '../../../../electron/core/imaging/folder-adapter.js';
import { createHttpAdapter } from '../../../../electron/core/imaging/http-adapter.js';
import { ImagingError, type BillState, type ImagingAdapter, type PageUpload } from '../../../../electron/core/imaging/imaging-adapter.js';
import { startReferenceImagingServer } from '../../../../electron/core/imaging/reference-server.js';
import { defaultRescanReasons } from '../../../../electron/shared/imaging/rescan-reasons.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const clients = { 'station-9': 'secret-9' };
const jpeg = (text: string) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(text)]);
const pageOf = (imageCode: string, page: number, text: string): PageUpload => {
  const bytes = jpeg(text);
  return { imageCode, page, bytes, sha256: createHash('sha256').update(bytes).digest('hex'), idempotencyKey: randomUUID() };
};
const adapterFor = (apiAddress: string) => createHttpAdapter({ settings: { apiAddress, clientId: 'station-9' }, clientSecret: 'secret-9', env: {} });
const failsWith = (code: string, errcode?: string) => (error: unknown) => {
  assert.ok(error instanceof ImagingError, String(error));
  assert.equal(error.code, code, `${error.code} ${JSON.stringify(error.params)}`);
  if (errcode !== undefined) assert.equal(String(error.params.errcode), errcode);
  assert.equal(error.advice, 'needs-person');
  return true;
};
const stateOf = (state: BillState) => [state.status, state.imageState, state.round];
const scan = { scanUser: 'u-1024', scanPoint: '深圳扫描点 3', stationIp: '10.8.0.7', scannedAt: '2026-12-06T08:30:00.000Z' };

/**
 * Every transition of the ERP's 影像状态 and every refused one, through one adapter: 0 → 1 → 2 → 3 → 4
 * → 2, void (5) from 1, 2, 3 and 4, and a voided bill refusing pages, closes, rounds and returns.
 */
async function walkTheStates(adapter: ImagingAdapter, prefix: string): Promise<void> {
  const code = `${prefix}-0001`;
  // 0 无影像: never seen; voiding it is 2404.
  const unseen = await adapter.queryBill(code);
  assert.deepEqual([...stateOf(unseen), unseen.needImageScan, unseen.scan], ['unknown', '0', 1, true, null]);
  await assert.rejects(adapter.voidBill(code, 'never scanned'), failsWith('imaging-rejected', '2404'));
  await assert.rejects(adapter.closeBill(code, 1), failsWith('imaging-rejected', '2404'));

  // 1 上传影像中: the first page; an open bill cannot be returned nor a round opened.
  await adapter.uploadPage(pageOf(code, 1, 'cover'));
  assert.deepEqual(stateOf(await adapter.queryBill(code)), ['open', '1', 1]);
  await assert.rejects(adapter.returnBill(code, { text: 'too soon' }), failsWith('imaging-conflict', '2009'));
  await assert.rejects(adapter.openRound(code, 2), failsWith('imaging-conflict', '2009'));
  assert.equal((await adapter.queryBill(code)).scan, null, 'no close, no scan details');

  // 2 影像已就绪: the close keeps who scanned where; a closed bill takes no page and no round.
  const closed = await adapter.closeBill(code, 1, scan);
  assert.deepEqual(stateOf(closed), ['closed', '2', 1]);
  assert.deepEqual(closed.scan, { ...scan, pageCount: 1 });
  await assert.rejects(adapter.uploadPage(pageOf(code, 2, 'late')), failsWith('imaging-conflict'));
  await assert.rejects(adapter.openRound(code, 2), failsWith('imaging-conflict', '2009'));

  // 3 退回重扫: by a rescan reason's code (the text defaults to its name); an unknown code is refused.
  await assert.rejects(adapter.returnBill(code, { code: 'NO_SUCH_REASON' }), failsWith('imaging-rejected', '1001'));
  await assert.rejects(adapter.returnBill(code, {}), failsWith('imaging-rejected', '1001'));
  const returned = await adapter.returnBill(code, { code: 'MISSING_PAGE' });
  assert.deepEqual(stateOf(returned), ['returned', '3', 1]);
  assert.deepEqual([returned.returned?.reason, returned.returned?.reasonCode], ['缺页', 'MISSING_PAGE']);
  const retold = await adapter.returnBill(code, { code: 'UNCLEAR', text: '第 2 页看不清' });
  assert.deepEqual([retold.returned?.reason, retold.returned?.reasonCode], ['第 2 页看不清', 'UNCLEAR']);
  await assert.rejects(adapter.closeBill(code, 1), failsWith('imaging-conflict', '2008'));
  await assert.rejects(adapter.uploadPage(pageOf(code, 1, 'again')), failsWith('imaging-conflict'));
  await assert.rejects(adapter.openRound(code, 3), failsWith('imaging-conflict', '2009'));

  // 4 影像重传: the next round, its pages; the close makes it 2 again with the new round's details.
  const reopened = await adapter.openRound(code, 2);
  assert.deepEqual([...stateOf(reopened), reopened.scan, reopened.returned], ['open', '4', 2, null, null]);
  await adapter.uploadPage(pageOf(code, 1, 'cover, rescanned'));
  assert.deepEqual(stateOf(await adapter.queryBill(code)), ['open', '4', 2]);
  const reclosed = await adapter.closeBill(code, 1, { ...scan, scanUser: 'u-2048', stationIp: null });
  assert.deepEqual(stateOf(reclosed), ['closed', '2', 2]);
  assert.equal(reclosed.scan?.scanUser, 'u-2048');

  // 5 废弃 from 2; then nothing changes it; voiding again answers the same.
  const voided = await adapter.voidBill(code, '单据已作废');
  assert.deepEqual([...stateOf(voided), voided.voided?.reason], ['voided', '5', 2, '单据已作废']);
  await assert.rejects(adapter.uploadPage(pageOf(code, 2, 'after the void')), failsWith('imaging-bill-voided'));
  await assert.rejects(adapter.closeBill(code, 1), failsWith('imaging-bill-voided'));
  await assert.rejects(adapter.openRound(code, 3), failsWith('imaging-bill-voided'));
  await assert.rejects(adapter.returnBill(code, { text: 'after the void' }), failsWith('imaging-bill-voided'));
  const again = await adapter.voidBill(code, 'another reason');
  assert.deepEqual([...stateOf(again), again.voided?.reason, again.voided?.at], [...stateOf(voided), '单据已作废', voided.voided?.at]);
  assert.deepEqual(stateOf(await adapter.queryBill(code)), ['voided', '5', 2]);

  // 5 from 1, from 3 and from 4.
  const fromOpen = `${prefix}-0002`;
  await adapter.uploadPage(pageOf(fromOpen, 1, 'a'));
  assert.equal((await adapter.voidBill(fromOpen, 'x')).imageState, '5');
  const fromReturned = `${prefix}-0003`;
  await adapter.uploadPage(pageOf(fromReturned, 1, 'b'));
  await adapter.closeBill(fromReturned, 1);
  await adapter.returnBill(fromReturned, { text: 'blurred' });
  assert.equal((await adapter.voidBill(fromReturned, 'x')).imageState, '5');
  const fromRescan = `${prefix}-0004`;
  await adapter.uploadPage(pageOf(fromRescan, 1, 'c'));
  await adapter.closeBill(fromRescan, 1);
  await adapter.returnBill(fromRescan, { code: 'OTHER' });
  assert.equal((await adapter.openRound(fromRescan, 2)).imageState, '4');
  assert.equal((await adapter.voidBill(fromRescan, 'x')).imageState, '5');
  await assert.rejects(adapter.voidBill(fromRescan, ''), failsWith('imaging-rejected', '1001'));
}

test('the reference server over HTTP: every 影像状态 transition and every refused one, through the http adapter', async () => {
  const dataDir = await makeTempDir();
  const server = await startReferenceImagingServer({ dataDir, clients });
  try {
    await walkTheStates(adapterFor(server.url), 'FY-2026-7100');
    // The round history keeps each round's own scan details.
    const token = await tokenFor(server.url);
    const answer = (await (await fetch(`${server.url}/imaging/v1/bills/FY-2026-7100-0001?access_token=${token}`)).json()) as { data: { rounds: Array<{ scan: { scanUser: string } | null; returned: { reasonCode: string } }> } };
    assert.deepEqual(answer.data.rounds.map((round) => [round.scan?.scanUser, round.returned.reasonCode]), [['u-1024', 'UNCLEAR']]);
    // A refused transition answers with the bill's state in data.
    const refused = await fetch(`${server.url}/imaging/v1/bills/FY-2026-7100-0001/rounds?access_token=${token}`, { method: 'POST', body: JSON.stringify({ round: 3 }) });
    const body = (await refused.json()) as { errcode: string; data: { imageState: string; status: string } };
    assert.deepEqual([refused.status, body.errcode, body.data.imageState, body.data.status], [409, '2011', '5', 'voided']);
  } finally {
    await server.close();
  }
});

test('the folder adapter keeps the same 影像状态 rules (the shared bill store), and records who scanned where in bill.json', async () => {
  const folder = await makeTempDir();
  await walkTheStates(createFolderAdapter({ folder }), 'FY-2026-7200');
  const manifest = JSON.parse(await readFile(path.join(folder, 'FY-2026-7200-0001', 'bill.json'), 'utf8')) as { status: string; scan: { scanUser: string; stationIp: string | null }; history: Array<{ scan: { scanUser: string } }> };
  assert.equal(manifest.status, 'voided');
  assert.equal(manifest.history[0]?.scan.scanUser, 'u-1024');
  // Not given: the station's own address (the first non-internal IPv4), or null on a machine with none.
  assert.equal(manifest.scan.scanUser, 'u-2048');
  assert.ok(manifest.scan.stationIp === null || /^\d+\.\d+\.\d+\.\d+$/.test(manifest.scan.stationIp), String(manifest.scan.stationIp));
  // A folder has no ERP behind it: "no images needed" cannot be set there, and every bill needs images.
  await assert.rejects(createFolderAdapter({ folder }).setNeedImageScan('FY-2026-7200-0001', false), failsWith('imaging-rejected', '1001'));
  assert.equal((await createFolderAdapter({ folder }).queryBill('FY-2026-7200-0009')).needImageScan, true);
});

/** A token from the reference server, for raw protocol calls. */
async function tokenFor(url: string): Promise<string> {
  const timestamp = String(Date.now());
  const sign = createHash('md5').update(`station-9secret-9${timestamp}`).digest('hex');
  const answer = (await (await fetch(`${url}/base/oauth/token`, { method: 'POST', body: JSON.stringify({ client_id: 'station-9', timestamp, sign }) })).json()) as { access_token: string };
  return answer.access_token;
}

test('close fields: kept and returned when well-formed; a wrong type or length is 1001 before anything changes; the station address is filled in', async () => {
  const server = await startReferenceImagingServer({ dataDir: await makeTempDir(), clients });
  try {
    const adapter = adapterFor(server.url);
    const token = await tokenFor(server.url);
    const close = (code: string, body: unknown) => fetch(`${server.url}/imaging/v1/bills/${code}/close?access_token=${token}`, { method: 'POST', body: JSON.stringify(body) });
    await adapter.uploadPage(pageOf('FY-2026-7300', 1, 'only'));
    for (const bad of [
      { pageCount: 1, scanUser: 'u'.repeat(51) },
      { pageCount: 1, scanPoint: 7 },
      { pageCount: 1, stationIp: 'x'.repeat(65) },
      { pageCount: 1, scannedAt: 'yesterday' },
      { pageCount: 1, scannedAt: `2026-12-06T08:30:00.000Z${' '.repeat(20)}` },
      { pageCount: 1, scanUser: ['u-1'] },
    ]) {
      const answer = await close('FY-2026-7300', bad);
      assert.deepEqual([answer.status, ((await answer.json()) as { errcode: string }).errcode], [400, '1001'], JSON.stringify(bad));
      assert.equal((await adapter.queryBill('FY-2026-7300')).status, 'open', 'nothing changed');
    }
    // Nulls and absent fields are fine; the longest allowed values are kept whole.
    const fine = await close('FY-2026-7300', { pageCount: 1, scanUser: 'u'.repeat(50), scanPoint: null, scannedAt: '2026-12-06T08:30:00+08:00' });
    assert.equal(fine.status, 200);
    assert.deepEqual((await adapter.queryBill('FY-2026-7300')).scan, { scanUser: 'u'.repeat(50), scanPoint: null, stationIp: null, scannedAt: '2026-12-06T08:30:00+08:00', pageCount: 1 });

    // The http adapter sends what it was given, leaves nulls out, and adds the address it talks to the server from.
    await adapter.uploadPage(pageOf('FY-2026-7301', 1, 'only'));
    const closed = await adapter.closeBill('FY-2026-7301', 1, { scanUser: 'u-5', scanPoint: null, stationIp: null, scannedAt: null });
    assert.deepEqual(closed.scan, { scanUser: 'u-5', scanPoint: null, stationIp: '127.0.0.1', scannedAt: null, pageCount: 1 });
  } finally {
    await server.close();
  }
});

test('an older server (v1 answers, no imageState, 2404 for a code never seen) keeps working: the close with scan details goes through, the state is worked out', async () => {
  const closes: unknown[] = [];
  const v1 = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const answer = (status: number, envelope: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(envelope));
      };
      const url = new URL(req.url ?? '/', 'http://v1');
      if (url.pathname === '/base/oauth/token') return answer(200, { errcode: '0000', access_token: 't', expires_in: 7200 });
      if (url.pathname.endsWith('/close')) {
        closes.push(JSON.parse(body));
        return answer(200, { errcode: '0000', description: 'success', data: { imageCode: 'FY-2026-7400', status: 'closed', pageCount: 1 } });
      }
      if (url.pathname === '/imaging/v1/bills/FY-2026-7400') return answer(200, { errcode: '0000', data: { imageCode: 'FY-2026-7400', status: 'closed', pageCount: 1, pages: [] } });
      return answer(404, { errcode: '2404', description: 'no such bill' });
    });
  });
  await new Promise<void>((resolve) => v1.listen(0, '127.0.0.1', resolve));
  try {
    const adapter = adapterFor(`http://127.0.0.1:${(v1.address() as AddressInfo).port}`);
    const unseen = await adapter.queryBill('FY-2026-7499');
    assert.deepEqual([unseen.status, unseen.imageState, unseen.imageStateFromServer], ['unknown', '0', false]);
    const closed = await adapter.closeBill('FY-2026-7400', 1, scan);
    assert.deepEqual([closed.status, closed.imageState, closed.imageStateFromServer, closed.needImageScan, closed.scan], ['closed', '2', false, true, null]);
    assert.deepEqual(closes, [{ pageCount: 1, ...scan }]);
  } finally {
    v1.close();
  }
});

test('rescan reasons: the default list, a configured one, and a bad list from a server refused whole', async () => {
  const server = await startReferenceImagingServer({ dataDir: await makeTempDir(), clients });
  const configured = [{ code: 'R1', name: '发票联缺失' }];
  const custom = await startReferenceImagingServer({ dataDir: await makeTempDir(), clients, rescanReasons: configured });
  const bad = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(req.url?.startsWith('/base/oauth/token') ? { errcode: '0000', access_token: 't', expires_in: 7200 } : { errcode: '0000', data: [{ code: 'has space', name: 'x' }] }));
  });
  await new Promise<void>((resolve) => bad.listen(0, '127.0.0.1', resolve));
  try {
    const reasons = await adapterFor(server.url).listRescanReasons();
    assert.deepEqual(reasons, defaultRescanReasons);
    assert.ok(reasons.some((reason) => reason.name === '影像不清晰') && reasons.some((reason) => reason.name === '其他'));
    assert.deepEqual(await adapterFor(`${custom.url}/api`).listRescanReasons(), configured);
    // The configured list is the one a return's code is checked against.
    const adapter = adapterFor(custom.url);
    await adapter.uploadPage(pageOf('FY-2026-7500', 1, 'x'));
    await adapter.closeBill('FY-2026-7500', 1);
    await assert.rejects(adapter.returnBill('FY-2026-7500', { code: 'UNCLEAR' }), failsWith('imaging-rejected', '1001'));
    assert.equal((await adapter.returnBill('FY-2026-7500', { code: 'R1' })).returned?.reason, '发票联缺失');
    await assert.rejects(adapterFor(`http://127.0.0.1:${(bad.address() as AddressInfo).port}`).listRescanReasons(), failsWith('imaging-rejected'));

    // The folder adapter: its own rescan-reasons.json when present, else the same default list; a bad file is refused with the reason.
    const folder = await makeTempDir();
    assert.deepEqual(await createFolderAdapter({ folder }).listRescanReasons(), defaultRescanReasons);
    await writeFile(path.join(folder, 'rescan-reasons.json'), JSON.stringify(configured));
    assert.deepEqual(await createFolderAdapter({ folder }).listRescanReasons(), configured);
    await writeFile(path.join(folder, 'rescan-reasons.json'), JSON.stringify([...configured, ...configured]));
    await assert.rejects(createFolderAdapter({ folder }).listRescanReasons(), (error: unknown) => error instanceof ImagingError && /twice/.test(String(error.params.description)));
  } finally {
    await server.close();
    await custom.close();
    bad.close();
  }
});

test('needImageScan: set for a code never seen, seeded at start, kept in image-scan.json across a restart, set back', async () => {
  const dataDir = await makeTempDir();
  let server = await startReferenceImagingServer({ dataDir, clients, noImageNeeded: ['FY-2026-7601'] });
  try {
    const adapter = adapterFor(server.url);
    assert.equal((await adapter.queryBill('FY-2026-7601')).needImageScan, false, 'seeded');
    assert.equal((await adapter.queryBill('FY-2026-7602')).needImageScan, true, 'the default');
    const marked = await adapter.setNeedImageScan('FY-2026-7602', false);
    assert.deepEqual([marked.needImageScan, marked.imageState, marked.status], [false, '0', 'unknown']);
    assert.deepEqual(JSON.parse(await readFile(path.join(dataDir, 'image-scan.json'), 'utf8')), { noImageNeeded: ['FY-2026-7601', 'FY-2026-7602'] });
    const token = await tokenFor(server.url);
    const wrong = await fetch(`${server.url}/imaging/v1/bills/FY-2026-7602/image-scan?access_token=${token}`, { method: 'POST', body: JSON.stringify({ needImageScan: 'no' }) });
    assert.deepEqual([wrong.status, ((await wrong.json()) as { errcode: string }).errcode], [400, '1001']);
    await server.close();
    server = await startReferenceImagingServer({ dataDir, clients });
    const restarted = adapterFor(server.url);
    assert.equal((await restarted.queryBill('FY-2026-7602')).needImageScan, false, 'kept across a restart');
    assert.equal((await restarted.setNeedImageScan('FY-2026-7602', true)).needImageScan, true);
    assert.equal((await restarted.queryBill('FY-2026-7602')).needImageScan, true);
    assert.equal((await restarted.queryBill('FY-2026-7601')).needImageScan, false);
  } finally {
    await server.close();
  }
});
