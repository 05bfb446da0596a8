import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.js';
import type { BillState, RescanReason } from '../imaging/imaging-adapter.js';
import type { AuditRecord } from '../log/audit-log.js';

/** Where the spool keeps its returned bills. */
export function returnedBillsPath(spoolDir: string): string {
  return path.join(spoolDir, 'returned.json');
}

/**
 * A bill the imaging side sent back for a rescan, as this station learnt it: the reason, the round
 * that was returned, and — once the rescan went up as the next round — which bill carried it.
 */
export interface ReturnedBill {
  code: string;
  reason: string;
  /** The rescan reason's code (退扫原因), when the return named one. */
  reasonCode: string | null;
  /** That reason's name from the server's list, looked up once when the return was noticed (null: no code, or the look-up failed). */
  reasonName: string | null;
  /** When the imaging side returned it. */
  returnedAt: string;
  /** The round that was returned; the rescan goes up as round + 1. */
  round: number;
  /** When this station first saw the return. */
  noticedAt: string;
  /** The bill that carried the rescan and when the server closed it; null while the rescan is to come. */
  resolved: { billId: string; at: string } | null;
}

/** The store of returned bills (`spool/returned.json`): the Scan desk lists the open ones first. */
export interface ReturnedBills {
  list(): Promise<ReturnedBill[]>;
  /** The open return of a code (no rescan sent yet), or null. */
  findOpen(code: string): Promise<ReturnedBill | null>;
  /** Records a return seen in a server answer; returns true when it is new (or a newer round). */
  notice(entry: { code: string; reason: string; reasonCode?: string | null; reasonName?: string | null; returnedAt: string; round: number }, at: Date): Promise<boolean>;
  /** A rescan of the code went up and the server closed it: the return is resolved. */
  resolve(code: string, billId: string, at: Date): Promise<void>;
}

/** Returns kept (resolved ones are history for the troubleshooter); the oldest resolved go first. */
const maxEntries = 2000;

/**
 * Creates the store over one JSON file, rewritten atomically. Several processes (the app, a CLI
 * `doctor`) may notice the same return: each write re-reads the file first, and noticing is
 * idempotent, so the worst a race costs is noticing again.
 */
export function createReturnedBills(file: string): ReturnedBills {
  const read = async (): Promise<ReturnedBill[]> => {
    try {
      const parsed = JSON.parse(await fs.readFile(file, 'utf8')) as { version?: number; bills?: ReturnedBill[] };
      // Entries written before rescan reasons had no code or name: read as none.
      return parsed.version === 1 && Array.isArray(parsed.bills) ? parsed.bills.map((bill) => ({ ...bill, reasonCode: bill.reasonCode ?? null, reasonName: bill.reasonName ?? null })) : [];
    } catch {
      return [];
    }
  };
  const write = async (bills: ReturnedBill[]) => {
    const open = bills.filter((bill) => !bill.resolved);
    const done = bills.filter((bill) => bill.resolved).sort((a, b) => (b.resolved?.at ?? '').localeCompare(a.resolved?.at ?? ''));
    await writeFileAtomic(file, `${JSON.stringify({ version: 1, bills: [...open, ...done].slice(0, Math.max(maxEntries, open.length)) })}\n`);
  };
  // One change at a time within a process.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = chain.then(work);
    chain = next.catch(() => undefined);
    return next;
  };
  return {
    list: read,
    async findOpen(code) {
      return (await read()).find((bill) => bill.code === code && !bill.resolved) ?? null;
    },
    notice: (entry, at) =>
      serial(async () => {
        const bills = await read();
        if (bills.some((bill) => bill.code === entry.code && bill.round >= entry.round)) return false;
        bills.push({ ...entry, reason: entry.reason.slice(0, 500), reasonCode: entry.reasonCode ?? null, reasonName: entry.reasonName?.slice(0, 50) ?? null, noticedAt: at.toISOString(), resolved: null });
        await write(bills);
        return true;
      }),
    resolve: (code, billId, at) =>
      serial(async () => {
        const bills = await read();
        const open = bills.find((bill) => bill.code === code && !bill.resolved);
        if (!open) return;
        open.resolved = { billId, at: at.toISOString() };
        await write(bills);
      }),
  };
}

/**
 * Records the return a server's answer reports (a bill in any other state is ignored), once: the audit
 * line `returned-noticed` is written only when the return is new. True when it was. A return with a
 * rescan reason code gets the reason's name from `listReasons`, asked only for a new return; when
 * that fails the name stays null (the code and text still show).
 */
export async function noticeReturnedState(returned: ReturnedBills, state: BillState, at: Date, audit: (record: AuditRecord) => void, listReasons?: () => Promise<RescanReason[]>): Promise<boolean> {
  if (state.status !== 'returned' || !state.returned) return false;
  const reasonCode = state.returned.reasonCode;
  let reasonName: string | null = null;
  if (reasonCode !== null && listReasons && !(await returned.list()).some((bill) => bill.code === state.imageCode && bill.round >= state.round)) {
    reasonName = (await listReasons().catch(() => [] as RescanReason[])).find((reason) => reason.code === reasonCode)?.name ?? null;
  }
  const fresh = await returned.notice({ code: state.imageCode, reason: state.returned.reason, reasonCode, reasonName, returnedAt: state.returned.at, round: state.round }, at);
  if (fresh) audit({ event: 'returned-noticed', code: state.imageCode, reason: state.returned.reason, detail: `round ${state.round} returned at ${state.returned.at}` });
  return fresh;
}
