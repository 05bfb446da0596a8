import assert from 'node:assert/strict';
import { test } from 'node:test';
import { comparePages, erpViewOf, judgeTrace, type ServerView, type StationView, type TracedBill } from '../../../../electron/core/diagnose/trace-code.js';
import { imageStateOfStatus, type ErpImageState } from '../../../../electron/shared/imaging/erp-image-state.js';

const station = (bills: TracedBill[]): StationView => ({ seen: bills.length > 0, coversMade: [], templateChecks: [], bills, queue: { state: 'idle', reason: null, nextAttemptAt: null }, mode: 'basic', returned: null, discarded: null });
const bill = (id: string, importedAt: string, upload: Partial<NonNullable<TracedBill['upload']>> | null, state: TracedBill['state'] = 'ready', heldReason: TracedBill['heldReason'] = null): TracedBill => ({
  billId: id,
  stackId: id,
  source: `${id}.pdf`,
  importedAt,
  pages: [1, 2],
  state,
  heldReason,
  upload: upload && { state: 'done', pages: 2, sent: 2, attempts: 0, nextAttemptAt: null, lastError: null, held: null, closedAt: importedAt, round: 1, receipts: [], sha256: ['a', 'b'], ...upload },
});
const server = (status: ServerView['status'], round: number, shas: string[]): ServerView => {
  const pages = shas.map((sha256, index) => ({ page: index + 1, sha256, bytes: 1, receivedAt: '2026-11-27T10:00:00Z' }));
  return { status, round, pageCount: status === 'closed' ? shas.length : null, pages, returned: null, compare: comparePages(['a', 'b'], pages), imageState: imageStateOfStatus(status, round), imageStateFromServer: true, voided: null, needImageScan: true, scan: null };
};
/** The server's view in the ERP's words: a 影像状态 with the status it goes with. */
const erp = (imageState: ErpImageState, shas: string[], extra: Partial<ServerView> = {}): ServerView => {
  const status = ({ '0': 'unknown', '1': 'open', '2': 'closed', '3': 'returned', '4': 'open', '5': 'voided' } as const)[imageState];
  return { ...server(status, imageState === '4' ? 2 : 1, shas), imageState, ...extra };
};
const judge = (bills: TracedBill[], view: ServerView | null, symptom: 'no-image' | 'no-image-needed' = 'no-image') => judgeTrace({ code: 'FY-1', symptom, station: station(bills), server: view, serverError: null });
const delivered = () => bill('s1-1', '2026-11-27T09:00:00Z', {});

test('pages compared one by one: same, missing, extra, different', () => {
  const pages = [{ page: 1, sha256: 'a' }, { page: 3, sha256: 'x' }, { page: 4, sha256: 'y' }].map((page) => ({ ...page, bytes: 1, receivedAt: '' }));
  assert.deepEqual(comparePages(['a', 'b', 'c'], pages), { same: [1], missing: [2], extra: [4], differ: [3] });
});

test('a rescan on its way after a delivered round is "waiting", not "pages differ"', () => {
  const done = bill('s1-1', '2026-11-27T09:00:00Z', {});
  const rescan = bill('s2-1', '2026-11-27T11:00:00Z', { state: 'sending', sent: 0, round: 2, sha256: ['c', 'd'] });
  const judged = judgeTrace({ code: 'FY-1', symptom: 'no-image', station: station([done, rescan]), server: server('open', 2, []), serverError: null });
  assert.equal(judged.verdict, 'waiting');
});

test('a duplicate held after the bill was delivered does not hide the delivery; a held rescan past the delivered round does', () => {
  const done = bill('s1-1', '2026-11-27T09:00:00Z', {});
  const duplicate = bill('s2-1', '2026-11-27T11:00:00Z', null, 'held', 'taken-in-before');
  assert.equal(judgeTrace({ code: 'FY-1', symptom: 'no-image', station: station([done, duplicate]), server: server('closed', 1, ['a', 'b']), serverError: null }).verdict, 'delivered');
  const heldRescan = bill('s2-1', '2026-11-27T11:00:00Z', { state: 'held', sent: 0, round: 2, held: { code: 'imaging-conflict', params: {}, at: '2026-11-27T11:01:00Z' } });
  assert.equal(judgeTrace({ code: 'FY-1', symptom: 'no-image', station: station([done, heldRescan]), server: server('open', 2, []), serverError: null }).verdict, 'held');
});

test('the ERP\'s 影像状态 against what this station delivered: each state 0–5 has its verdict', () => {
  // 0 无影像 while the station holds receipts: the server has no record (another server or tenant, or lost).
  assert.deepEqual([judge([delivered()], erp('0', [])).verdict, judge([delivered()], erp('0', [])).owner], ['server-has-none', 'implementer']);
  // 1 上传影像中 with every page the same: the close was lost; with a page missing, the pages differ.
  const lost = judge([delivered()], erp('1', ['a', 'b']));
  assert.deepEqual([lost.verdict, lost.owner, lost.facts['imageState'], lost.facts['pages']], ['close-lost', 'implementer', '1', 2]);
  assert.equal(judge([delivered()], erp('1', ['a'])).verdict, 'pages-differ');
  // 2 影像已就绪, the same pages: delivered.
  assert.equal(judge([delivered()], erp('2', ['a', 'b'])).verdict, 'delivered');
  // 3 退回重扫: returned, with the rescan reason's code.
  const returned = judge([delivered()], erp('3', ['a', 'b'], { returned: { reason: '影像不清晰', at: '2026-11-27T12:00:00Z', reasonCode: 'R01' } }));
  assert.deepEqual([returned.verdict, returned.facts['reason'], returned.facts['reasonCode']], ['returned', '影像不清晰', 'R01']);
  // 4 影像重传 (round 2 open) with the station's round-2 pages all there and its close recorded: the close was lost too.
  const round2 = bill('s2-1', '2026-11-27T11:00:00Z', { round: 2 });
  assert.equal(judge([delivered(), round2], erp('4', ['a', 'b'])).verdict, 'close-lost');
  // 5 废弃: voided in the ERP; nothing to scan; a bill still queued here is the clerk's to discard.
  const voided = judge([delivered()], erp('5', ['a', 'b'], { voided: { reason: '单据作废', at: '2026-11-27T13:00:00Z' } }));
  assert.deepEqual([voided.verdict, voided.owner, voided.facts['reason'], voided.facts['delivered']], ['voided', 'bill-owner', '单据作废', 1]);
  const queued = bill('s3-1', '2026-11-27T14:00:00Z', { state: 'queued', sent: 0 });
  assert.deepEqual([judge([queued], erp('5', [])).verdict, judge([queued], erp('5', [])).owner, judge([queued], erp('5', [])).facts['bill']], ['voided', 'clerk', 's3-1']);
});

test('the ERP\'s state when this station never sent the code: 2 影像已就绪 names who scanned it where; 0 is not scanned', () => {
  const scan = { scanUser: 'zhang.san', scanPoint: 'SP-Shenzhen-01', stationIp: '10.1.2.3', scannedAt: '2026-11-27T08:00:00Z', pageCount: 3 };
  const elsewhere = judge([], erp('2', ['x', 'y', 'z'], { scan, pageCount: 3 }));
  assert.deepEqual([elsewhere.verdict, elsewhere.owner, elsewhere.facts['scanUser'], elsewhere.facts['scanPoint'], elsewhere.facts['stationIp'], elsewhere.facts['serverPages']], ['delivered-elsewhere', 'erp-support', 'zhang.san', 'SP-Shenzhen-01', '10.1.2.3', 3]);
  assert.equal(judge([], erp('0', [])).verdict, 'not-scanned');
  assert.equal(judge([], erp('1', ['x'])).verdict, 'delivered-elsewhere', 'pages on the server from elsewhere, still open');
  assert.equal(judge([], erp('5', [])).verdict, 'voided');
  const view = erpViewOf(erp('2', ['x', 'y', 'z'], { scan, pageCount: 3 }));
  assert.deepEqual([view?.imageState, view?.pageCount, view?.scan?.point], [{ code: '2', name: '影像已就绪' }, 3, 'SP-Shenzhen-01']);
  assert.equal(erpViewOf(null), null);
});

test('是否需要影像扫描 = 否 on the server answers "no image needed" even when the person asked about 无影像', () => {
  const judged = judge([delivered()], erp('0', [], { needImageScan: false }));
  assert.deepEqual([judged.verdict, judged.owner, judged.facts['fromServer']], ['no-image-needed', 'bill-owner', 1]);
  assert.deepEqual([judge([], null, 'no-image-needed').verdict, judge([], null, 'no-image-needed').facts['fromServer']], ['no-image-needed', 0]);
  assert.equal(judge([delivered()], erp('2', ['a', 'b'])).verdict, 'delivered', 'needImageScan true changes nothing');
});
