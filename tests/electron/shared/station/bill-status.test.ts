import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countStation, isAllSent, jsonStateOf, statusOfBill, type CountedStack } from '../../../../electron/shared/station/bill-status.js';
import { en } from '../../../../electron/shared/i18n/en.js';
import { zhCN } from '../../../../electron/shared/i18n/zh-cn.js';

test('one state per bill: an upload that started wins, a refused bill is held with the server\'s reason, the open source\'s last bill is receiving', () => {
  assert.deepEqual(statusOfBill({ state: 'ready', held: null }, null), { status: 'ready', held: null });
  assert.deepEqual(statusOfBill({ state: 'review', held: null }, null), { status: 'review', held: null });
  assert.deepEqual(statusOfBill({ state: 'held', held: 'source-open' }, null), { status: 'receiving', held: null });
  assert.deepEqual(statusOfBill({ state: 'held', held: 'duplicate-code' }, null), { status: 'held', held: { by: 'desk', reason: 'duplicate-code' } });
  assert.deepEqual(statusOfBill({ state: 'discarded', held: null }, null).status, 'discarded');
  // The spool still says "ready" for a bill the server refused: the model says held, with the server's code.
  assert.deepEqual(statusOfBill({ state: 'ready', held: null }, { state: 'held', held: { code: 'imaging-conflict', params: { code: 'FY-1' } } }), { status: 'held', held: { by: 'upload', code: 'imaging-conflict', params: { code: 'FY-1' } } });
  assert.equal(statusOfBill({ state: 'ready', held: null }, { state: 'waiting' }).status, 'ready', 'waiting to retry is still on its way');
  assert.equal(statusOfBill({ state: 'ready', held: null }, { state: 'queued' }).status, 'ready');
  assert.equal(statusOfBill({ state: 'ready', held: null }, { state: 'sending' }).status, 'sending');
  assert.equal(statusOfBill({ state: 'ready', held: null }, { state: 'done' }).status, 'done');
  assert.equal(jsonStateOf('receiving'), 'held');
  assert.equal(jsonStateOf('review'), 'review');
});

test('the counts: one held entry per stack of orphans, a refused bill counted once as held, sent today from local midnight, "all sent" only with nothing left', () => {
  const now = new Date(2026, 11, 6, 10, 0, 0);
  const yesterday = new Date(2026, 11, 5, 23, 0, 0).toISOString();
  const today = new Date(2026, 11, 6, 8, 0, 0).toISOString();
  const stacks: CountedStack[] = [
    {
      orphans: 2,
      bills: [
        { bill: { state: 'ready', held: null }, upload: { state: 'held', held: { code: 'imaging-conflict' } }, closedAt: null },
        { bill: { state: 'ready', held: null }, upload: { state: 'queued' }, closedAt: null },
        { bill: { state: 'ready', held: null }, upload: null, closedAt: null },
        { bill: { state: 'review', held: null }, upload: null, closedAt: null },
        { bill: { state: 'ready', held: null }, upload: { state: 'done' }, closedAt: today },
        { bill: { state: 'ready', held: null }, upload: { state: 'done' }, closedAt: yesterday },
        { bill: { state: 'discarded', held: null }, upload: null, closedAt: null },
      ],
    },
    { orphans: 0, bills: [{ bill: { state: 'held', held: 'source-open' }, upload: null, closedAt: null }, { bill: { state: 'ready', held: null }, upload: { state: 'sending' }, closedAt: null }] },
  ];
  const counts = countStation(stacks, now);
  assert.deepEqual(counts, { receiving: 1, held: 2, review: 1, ready: 2, sending: 1, sentToday: 1 });
  assert.equal(isAllSent(counts), false);
  // Four queued and nothing held: never "all sent" (the banner beside "queued 4").
  assert.equal(isAllSent(countStation([{ orphans: 0, bills: Array.from({ length: 4 }, () => ({ bill: { state: 'ready' as const, held: null }, upload: { state: 'queued' as const }, closedAt: null })) }], now)), false);
  assert.equal(isAllSent(countStation([{ orphans: 0, bills: [{ bill: { state: 'ready', held: null }, upload: { state: 'done' }, closedAt: today }] }], now)), true);
});

test('every state has its word in both languages (one key set for the list, the queue card, the status bar and the CLI)', () => {
  for (const catalog of [en, zhCN]) {
    for (const state of ['receiving', 'held', 'review', 'ready', 'sending', 'done', 'discarded'] as const) assert.ok(catalog.billStatus.states[state]);
    for (const key of ['receiving', 'held', 'review', 'ready', 'sending', 'sentToday'] as const) assert.match(catalog.billStatus.counts[key], /\{\{count\}\}/);
  }
});
