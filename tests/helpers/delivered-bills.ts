import assert from 'node:assert/strict';
import type { ImagingAdapter } from '../../electron/core/imaging/imaging-adapter.js';
import type { Spool } from '../../electron/core/spool/spool.js';

/** Asserts that every live bill of every stack is closed on the server with exactly its pages, in order, byte for byte (by SHA-256). */
export async function assertEveryBillDelivered(spool: Pick<Spool, 'listStacks'>, adapter: Pick<ImagingAdapter, 'queryBill'>): Promise<void> {
  for (const stack of await spool.listStacks()) {
    for (const bill of stack.bills) {
      // A discarded bill (a copy merged into another, or thrown away) is sent by nothing.
      if (bill.state === 'discarded') continue;
      const state = await adapter.queryBill(bill.code as string);
      assert.equal(state.status, 'closed', bill.code ?? '');
      assert.deepEqual(
        state.pages.map((page) => [page.page, page.sha256]),
        bill.pages.map((stackPage, index) => [index + 1, stack.pages[stackPage - 1]?.sha256]),
        `${bill.code}: exactly its pages, in order, byte for byte`,
      );
    }
  }
}
