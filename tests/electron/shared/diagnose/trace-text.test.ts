import assert from 'node:assert/strict';
import { test } from 'node:test';
import { composeTicket, describeTrace, type TraceForText } from '../../../../electron/shared/diagnose/trace-text.js';
import { createTranslator } from '../../../../electron/shared/i18n/catalog.js';

const zh = createTranslator('zh-CN').t;
const en = createTranslator('en').t;

/** A delivered code's trace; `discardedCopy` adds the other copy a person discarded. */
function deliveredTrace(discardedCopy: boolean): TraceForText {
  const upload = { held: null, lastError: null };
  return {
    code: 'FY-2026-000901',
    verdict: 'delivered',
    owner: 'erp-support',
    facts: { closedAt: '2026-12-06T02:00:00.000Z', pages: 3, receipts: 3, firstReceipt: 'R-1' },
    station: {
      bills: [{ billId: 'b-1', state: 'ready', source: 'scan-0001.pdf', upload }, ...(discardedCopy ? [{ billId: 'b-2', state: 'discarded', source: 'scan-0002.pdf', upload: null }] : [])],
      queue: { reason: null },
      discarded: discardedCopy ? { at: '2026-12-06T01:00:00.000Z', source: 'scan-0002.pdf' } : null,
    },
    server: { status: 'closed', pages: [1, 2, 3], round: 1 },
    serverError: null,
    timeline: [],
  };
}

test('a delivered code whose other copy was discarded says so in one line beside the verdict, not as a second verdict', () => {
  const text = describeTrace(zh, deliveredTrace(true));
  assert.equal(text.title, describeTrace(zh, deliveredTrace(false)).title);
  assert.match(text.note ?? '', /scan-0002\.pdf/);
  assert.match(text.note ?? '', /丢弃/);
  assert.match(describeTrace(en, deliveredTrace(true)).note ?? '', /discarded/);
  // The ticket carries the line once.
  const ticket = composeTicket(zh, [deliveredTrace(true)], { stationId: 's', version: '1' });
  assert.equal(ticket.split('scan-0002.pdf').length - 1, 1);
});

test('no note without a discarded copy, nor beside a verdict that is itself "discarded"', () => {
  assert.equal(describeTrace(zh, deliveredTrace(false)).note, undefined);
  assert.equal(describeTrace(zh, { ...deliveredTrace(true), verdict: 'discarded', owner: 'clerk', facts: { bill: 'b-2', source: 'scan-0002.pdf', at: '2026-12-06T01:00:00.000Z', by: '' } }).note, undefined);
});
