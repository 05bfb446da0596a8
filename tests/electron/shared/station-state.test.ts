import assert from 'node:assert/strict';
import { test } from 'node:test';
import { glanceAtStation, noticesBetween, type StationLook } from '../../../electron/shared/station/station-state.js';

const counts = (extra: Partial<Record<'queued' | 'sending' | 'waiting' | 'held' | 'done', number>> = {}) => ({ queued: 0, sending: 0, waiting: 0, held: 0, done: 0, ...extra });
const watching = { status: { state: 'watching' as const, folder: 'D:\\Scans', lastLookAt: null, waiting: 0 }, counts: { ready: 0, held: 0 } };
const off = { status: { state: 'off' as const }, counts: { ready: 0, held: 0 } };

test('the tray state: held wins, then paused, sending, watching, idle', () => {
  assert.equal(glanceAtStation({ state: 'idle', reason: null, counts: counts() }, off).state, 'idle');
  assert.equal(glanceAtStation({ state: 'idle', reason: null, counts: counts() }, watching).state, 'watching');
  assert.deepEqual(glanceAtStation({ state: 'sending', reason: null, counts: counts({ queued: 2, sending: 1 }) }, watching), { state: 'sending', toGo: 3, held: 0, review: 0, pauseReason: null, watching: true, pausedByPerson: false });
  assert.equal(glanceAtStation({ state: 'waiting', reason: null, counts: counts({ waiting: 1 }) }, off).state, 'sending', 'a bill waiting to retry is still on its way');
  const paused = glanceAtStation({ state: 'paused', reason: 'paused-by-person', counts: counts({ queued: 1 }) }, watching);
  assert.deepEqual([paused.state, paused.pausedByPerson, paused.pauseReason], ['paused', true, 'paused-by-person']);
  // The watch's counts are the one status model's: a bill the server refused is in its held already.
  const refused = glanceAtStation({ state: 'sending', reason: null, counts: counts({ held: 1 }) }, { ...watching, counts: { ready: 0, held: 1 } });
  assert.deepEqual([refused.state, refused.held], ['held', 1], 'one refused bill is one held, not two');
  assert.equal(glanceAtStation({ state: 'idle', reason: null, counts: counts() }, { ...watching, counts: { ready: 0, held: 2 } }).held, 2, 'held at intake counts too');
  // A scan folder that keeps failing or is gone is a problem, not "idle": new scans are not taken in.
  assert.equal(glanceAtStation({ state: 'sending', reason: null, counts: counts({ queued: 1 }) }, { status: { state: 'failing' }, counts: { ready: 0, held: 0 } }).state, 'watch-problem');
  assert.equal(glanceAtStation({ state: 'idle', reason: null, counts: counts() }, { status: { state: 'unavailable' }, counts: { ready: 0, held: 0 } }).state, 'watch-problem');
});

const look = (bills: StationLook['queue']['bills'], queue: Partial<StationLook['queue']> = {}, heldAtIntake = 0): StationLook => ({ queue: { state: 'idle', reason: null, bills, ...queue }, heldAtIntake });

test('notices: each newly held bill once, bills held at intake, a pause a person must fix; never the baseline or a person\'s own pause', () => {
  const first = look([{ id: 's-1', code: 'FY-1', state: 'held' }]);
  assert.deepEqual(noticesBetween(null, first), [], 'what was held at start is on the screen already');
  const second = look([{ id: 's-1', code: 'FY-1', state: 'held' }, { id: 's-2', code: 'FY-2', state: 'held' }, { id: 's-3', code: 'FY-3', state: 'queued' }]);
  assert.deepEqual(noticesBetween(first, second), [{ kind: 'bill-held', code: 'FY-2', billId: 's-2' }]);
  assert.deepEqual(noticesBetween(second, second), [], 'not announced twice');
  assert.deepEqual(noticesBetween(second, look(second.queue.bills, {}, 2)), [{ kind: 'held-at-intake', count: 2 }]);
  const refused = look([], { state: 'paused', reason: 'fix-settings' });
  assert.deepEqual(noticesBetween(look([]), refused), [{ kind: 'queue-paused', reason: 'fix-settings' }]);
  assert.deepEqual(noticesBetween(refused, refused), [], 'the same pause is not news');
  assert.deepEqual(noticesBetween(look([]), look([], { state: 'paused', reason: 'paused-by-person' })), [], 'a person\'s own pause');
  assert.deepEqual(noticesBetween(look([]), look([], { state: 'paused', reason: 'preflight-missing' })), [], 'a station never checked is not newly broken');
});

test('a queue waiting for its data folder (a full disk): the tray says stalled with the reason, and the clerk hears of it once', () => {
  const stalled = glanceAtStation({ state: 'waiting', reason: 'data-disk-full', counts: counts({ queued: 9 }) }, watching);
  assert.deepEqual([stalled.state, stalled.pauseReason, stalled.toGo], ['stalled', 'data-disk-full', 9], 'not "sending": nothing moves until there is room');
  const full = look([], { state: 'waiting', reason: 'data-disk-full' });
  assert.deepEqual(noticesBetween(look([]), full), [{ kind: 'queue-stalled', reason: 'data-disk-full' }]);
  assert.deepEqual(noticesBetween(full, full), [], 'the same wait is not news');
  assert.deepEqual(noticesBetween(full, look([], { state: 'sending' })), [], 'nor its end');
});
