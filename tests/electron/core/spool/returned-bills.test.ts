import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { readBillState, type RescanReason } from '../../../../electron/core/imaging/imaging-adapter.js';
import type { AuditRecord } from '../../../../electron/core/log/audit-log.js';
import { createReturnedBills, noticeReturnedState } from '../../../../electron/core/spool/returned-bills.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const returnedState = (code: string, round: number, returned: { reason: string; reasonCode: string | null }) =>
  readBillState(code, { status: 'returned', imageState: '3', round, pageCount: 2, pages: [], returned: { ...returned, at: '2026-12-06T09:00:00.000Z' } });

test('a noticed return keeps its rescan reason code and the reason’s name, looked up once; a failed look-up leaves the name null', async () => {
  const store = createReturnedBills(path.join(await makeTempDir(), 'returned.json'));
  const audit: AuditRecord[] = [];
  let lookups = 0;
  const listReasons = async (): Promise<RescanReason[]> => {
    lookups += 1;
    return [{ code: 'MISSING_PAGE', name: '缺页' }];
  };
  const at = new Date('2026-12-06T09:05:00Z');
  assert.equal(await noticeReturnedState(store, returnedState('FY-2026-8001', 1, { reason: '第 3 页没有扫到', reasonCode: 'MISSING_PAGE' }), at, (record) => audit.push(record), listReasons), true);
  // The same return seen again (another refresh): no second look-up, no second entry.
  assert.equal(await noticeReturnedState(store, returnedState('FY-2026-8001', 1, { reason: '第 3 页没有扫到', reasonCode: 'MISSING_PAGE' }), at, (record) => audit.push(record), listReasons), false);
  assert.equal(lookups, 1);
  // A look-up that fails, and a return with no code (nothing to look up).
  await noticeReturnedState(store, returnedState('FY-2026-8002', 1, { reason: '影像不清晰', reasonCode: 'UNCLEAR' }), at, () => undefined, () => Promise.reject(new Error('server down')));
  await noticeReturnedState(store, returnedState('FY-2026-8003', 1, { reason: 'blurred', reasonCode: null }), at, () => undefined, listReasons);
  assert.equal(lookups, 1, 'no code: no look-up');
  const listed = await store.list();
  assert.deepEqual(
    listed.map((bill) => [bill.code, bill.reason, bill.reasonCode, bill.reasonName]),
    [
      ['FY-2026-8001', '第 3 页没有扫到', 'MISSING_PAGE', '缺页'],
      ['FY-2026-8002', '影像不清晰', 'UNCLEAR', null],
      ['FY-2026-8003', 'blurred', null, null],
    ],
  );
  assert.equal(audit.length, 1);
});

test('a returned.json written before rescan reasons reads with no code and no name', async () => {
  const file = path.join(await makeTempDir(), 'returned.json');
  await writeFile(file, JSON.stringify({ version: 1, bills: [{ code: 'FY-2026-8101', reason: 'old', returnedAt: '2026-11-01T00:00:00Z', round: 1, noticedAt: '2026-11-01T00:01:00Z', resolved: null }] }));
  const [bill] = await createReturnedBills(file).list();
  assert.deepEqual([bill?.reasonCode, bill?.reasonName, bill?.reason], [null, null, 'old']);
});
