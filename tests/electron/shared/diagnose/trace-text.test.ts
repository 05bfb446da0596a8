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

test('what 影像映射维护 will show, in one sentence: the ERP\'s words in Chinese in both languages, glossed in English', () => {
  const trace: TraceForText = {
    ...deliveredTrace(false),
    erp: { imageState: { code: '2', name: '影像已就绪' }, fromServer: true, pageCount: 3, scan: { user: 'li.si', point: '深圳-03', stationIp: '10.8.0.21', scannedAt: null }, rescanReason: null, voided: null, needImageScan: true },
  };
  assert.equal(describeTrace(zh, trace).erp, '影像映射维护 会显示：影像状态 = 影像已就绪，3 张，由 li.si 在扫描点 深圳-03 扫描（IP 10.8.0.21）');
  assert.equal(describeTrace(en, trace).erp, '影像映射维护 will show 影像状态 = 影像已就绪 (image ready), 3 pages, scanned by li.si at scan point 深圳-03 (IP 10.8.0.21)');
  // A return names its rescan reason; an older server's state says it was worked out.
  const returned = { ...trace, erp: { ...trace.erp!, imageState: { code: '3', name: '退回重扫' }, fromServer: false, scan: null, rescanReason: { code: 'R02', text: '缺页' } } };
  assert.equal(describeTrace(zh, returned).erp, '影像映射维护 会显示：影像状态 = 退回重扫，3 张；退扫原因：缺页（退扫原因代码 R02）（由旧版影像系统的状态推算）');
  // The reason's name from the server's list (noticed with the return), as the Scan desk says it; never a bare code.
  const named = { ...returned, station: { ...returned.station, returned: { reasonCode: 'R02', reasonName: '缺页或漏扫' } } };
  assert.equal(describeTrace(zh, named).erp, '影像映射维护 会显示：影像状态 = 退回重扫，3 张；退扫原因：缺页或漏扫——缺页（由旧版影像系统的状态推算）');
  assert.match(describeTrace(en, named).erp, /rescan reason \(退扫原因\): 缺页或漏扫 — 缺页 /);
  assert.doesNotMatch(describeTrace(en, named).erp, /\[R02\]|R02/);
  // Not asked, or it failed: the station does not know, and says which.
  assert.match(describeTrace(en, { ...trace, erp: null }).erp, /not known here \(the imaging system was not asked\)/);
  assert.match(describeTrace(zh, { ...trace, erp: null, serverError: { code: 'imaging-unreachable', params: {} } }).erp, /无法查询影像系统/);
  // The station's own line, and both lines in the ticket.
  assert.match(describeTrace(zh, trace).station, /^本站记录：/);
  const ticket = composeTicket(en, [trace], { stationId: 's', version: '1' });
  assert.match(ticket, /影像映射维护 will show 影像状态 = 影像已就绪 \(image ready\)/);
});

test('the new verdicts in words: a lost close names the command, a voided bill still here names it for the clerk', () => {
  const lost: TraceForText = { ...deliveredTrace(false), verdict: 'close-lost', owner: 'implementer', facts: { closedAt: '2026-12-06T02:00:00.000Z', pages: 3, receipts: 3, firstReceipt: 'R-1', serverPages: 3, imageState: '1' } };
  assert.match(describeTrace(en, lost).evidence, /still says 影像状态 = 上传影像中 \(uploading\)/);
  assert.match(describeTrace(zh, lost).next, /scan-station doctor FY-2026-000901 --reclose/);
  const voided: TraceForText = { ...deliveredTrace(false), verdict: 'voided', owner: 'clerk', facts: { reason: '单据作废', at: '2026-12-06T03:00:00.000Z', bill: 'b-1', source: 'scan-0001.pdf', delivered: 0, serverPages: 0 } };
  assert.match(describeTrace(zh, voided).next, /丢弃 FY-2026-000901（来自 scan-0001\.pdf）/);
  assert.match(describeTrace(en, { ...voided, owner: 'bill-owner', facts: { ...voided.facts, bill: '' } }).evidence, /^The imaging system says 影像状态 = 废弃 \(voided\): 单据作废/);
});
