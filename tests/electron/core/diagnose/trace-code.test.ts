import assert from 'node:assert/strict';
import { test } from 'node:test';
import { comparePages, judgeTrace, type ServerView, type StationView, type TracedBill } from '../../../../electron/core/diagnose/trace-code.js';

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
  return { status, round, pageCount: status === 'closed' ? shas.length : null, pages, returned: null, compare: comparePages(['a', 'b'], pages) };
};

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
