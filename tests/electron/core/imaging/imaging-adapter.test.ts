import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readBillState } from '../../../../electron/core/imaging/imaging-adapter.js';
import { buildTimeline, erpViewOf, judgeTrace, serverViewOf, type StationView } from '../../../../electron/core/diagnose/trace-code.js';

// Characters that must never reach a screen, a terminal, a log line or a bundle as they are: a terminal
// escape, a line break, a right-to-left override, a zero-width space, a lone surrogate.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const hidden = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]|[\ud800-\udfff]/u;
const nasty = '\u001b]0;owned\u0007\u001b[2J\u202eevil\u200b\n<b>x</b>\ud800';

/** Every string in a value, however deep. */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsOf);
  return [];
}

const station: StationView = {
  seen: false,
  coversMade: [],
  templateChecks: [],
  bills: [],
  queue: { state: 'idle', reason: null, nextAttemptAt: null },
  mode: 'upload',
  returned: null,
  discarded: null,
};

test('a hostile server answer: wrong types, huge and hidden characters, garbage pages — read without a crash, bounded, escaped', () => {
  const data = {
    status: 'returned',
    imageState: 7,
    round: 1e300,
    pageCount: -3.5,
    needImageScan: 'false',
    pages: [null, 5, 'x', { page: '1' }, { page: 0, sha256: 'a', bytes: 1, receivedAt: 't' }, { page: 2, sha256: { a: 1 }, bytes: 'many', receivedAt: 12 }, { page: 3, sha256: 'b'.repeat(100_000), bytes: -1, receivedAt: nasty }, ...Array.from({ length: 20_000 }, (_, index) => ({ page: 4 + index, sha256: 'c', bytes: 1, receivedAt: '2026-12-06T08:30:00.000Z' }))],
    returned: { reason: nasty.repeat(1000), at: { toString: null }, reasonCode: nasty },
    voided: { reason: nasty, at: 'x'.repeat(1_000_000) },
    scan: { scanUser: nasty, scanPoint: ['深圳'], stationIp: 'y'.repeat(1_000_000), scannedAt: nasty, pageCount: 'three' },
  };
  const state = readBillState('FY-1', data);
  assert.equal(state.imageState, '3', 'an image state that is not a code: worked out from the status');
  assert.equal(state.imageStateFromServer, false);
  assert.equal(state.needImageScan, true, '"false" as a string is not the ERP saying no images are needed');
  assert.ok(state.round >= 1 && state.round <= 1000, `round ${state.round}`);
  assert.equal(state.pageCount, null, 'a page count that is not a count is none');
  assert.ok(state.pages.length <= 10_000, `${state.pages.length} pages kept`);
  for (const page of state.pages) {
    assert.ok(Number.isInteger(page.page) && page.page >= 1 && page.page <= 10_000, JSON.stringify(page));
    assert.equal(typeof page.sha256, 'string');
    assert.ok(page.sha256.length <= 64);
    assert.ok(Number.isInteger(page.bytes) && page.bytes >= 0);
    assert.equal(typeof page.receivedAt, 'string');
  }
  assert.equal(state.scan?.scanPoint, null, 'a list is not a scan point');
  assert.equal(state.scan?.pageCount, null);
  for (const text of stringsOf(state)) {
    assert.doesNotMatch(text, hidden, JSON.stringify(text).slice(0, 200));
    assert.ok(text.length <= 5000, `a text of ${text.length} characters`);
  }
  assert.match(state.scan?.scanUser ?? '', /\\u\{1b\}/, 'a hidden character is shown escaped, not dropped silently');

  // The troubleshooter reads it through: verdict, ERP view and timeline, without a crash.
  const server = serverViewOf(state, []);
  const judged = judgeTrace({ code: 'FY-1', symptom: 'no-image', station, server, serverError: null });
  assert.equal(judged.verdict, 'returned');
  const erp = erpViewOf(server);
  const timeline = buildTimeline([], server);
  for (const text of stringsOf({ judged, erp, timeline })) assert.doesNotMatch(text, hidden);
});

test('a server answer that is not an object at all reads as an older server would', () => {
  for (const data of [null, undefined, 'closed', 42, [1, 2], { pages: 'all' }]) {
    const state = readBillState('FY-2', data);
    assert.deepEqual([state.status, state.imageState, state.round, state.pages], ['open', '1', 1, []]);
    assert.doesNotThrow(() => buildTimeline([], serverViewOf(state, ['a'])));
  }
});
