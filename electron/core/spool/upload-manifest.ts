import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ErrorCode, MessageParams } from '../../shared/error-codes.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import type { PageReceipt } from '../imaging/imaging-adapter.js';
import type { StackRecord } from './stack-record.js';
import { isProcessRunning } from '../base/process-running.js';

/** Where a bill stands in the upload queue. */
export type UploadState = 'queued' | 'sending' | 'waiting' | 'held' | 'done';

/** One page of a bill as it goes up: where it is in the spool and, once the server said so, its receipt. */
export interface ManifestPage {
  /** 1-based page number within the bill (what the server numbers). */
  page: number;
  /** The page's number in its stack (its file in the spool). */
  stackPage: number;
  file: string;
  sha256: string;
  idempotencyKey: string;
  receipt: PageReceipt | null;
}

/**
 * A bill's upload record, `stacks/<stack>/upload/<bill>.json`, rewritten atomically (and flushed)
 * after every receipt and every state change: what was sent, what the server acknowledged, and why
 * it waits or is held. The only store of upload progress: a restart reads it and goes on.
 */
export interface UploadManifest {
  version: 1;
  billId: string;
  stackId: string;
  code: string;
  pages: ManifestPage[];
  state: UploadState;
  /** Failed attempts in a row; a receipt resets it (the backoff grows with it). */
  attempts: number;
  /** When a waiting bill is tried again (ISO time), null otherwise. */
  nextAttemptAt: string | null;
  /** Why the last attempt failed (an error code with its parameters), kept for people and the troubleshooter. */
  lastError: { code: ErrorCode; params: MessageParams; at: string } | null;
  /** Why the bill is held: the server's refusal, a damaged page, or a person. */
  held: { code: ErrorCode | 'held-by-person'; params: MessageParams; at: string } | null;
  startedAt: string;
  closedAt: string | null;
  /** The round this bill goes up as: absent for a first scan, N + 1 for the rescan of a bill returned at round N. */
  round?: number;
  /** When the server opened that round for it (before its first page went). */
  roundOpenedAt?: string;
  /**
   * Who scanned the bill where and when (its stack's, as recorded at intake), copied when the bill
   * was queued; the close carries it. Absent in manifests (and stacks) from before it was recorded.
   */
  scan?: { user: string | null; point: string | null; scannedAt: string };
}

/**
 * The idempotency key of a page: derived from the station, the bill, the page number and its
 * SHA-256, so a restart after a crash (or a second process) sends the very same key and the server
 * answers with the first receipt instead of storing the page twice.
 */
export function derivePageKey(stationId: string, billId: string, page: number, sha256: string): string {
  return `ss1-${createHash('sha256').update(`${stationId}\n${billId}\n${page}\n${sha256}`).digest('hex').slice(0, 48)}`;
}

/** The manifest file of a bill. */
export function manifestPath(stacksDir: string, stackId: string, billId: string): string {
  return path.join(stacksDir, stackId, 'upload', `${billId}.json`);
}

/** The receipts journal of a bill: one line per receipt, appended and flushed as each arrives. */
export function receiptsPath(stacksDir: string, stackId: string, billId: string): string {
  return path.join(stacksDir, stackId, 'upload', `${billId}.receipts.jsonl`);
}

/**
 * Reads a bill's manifest with the receipts of its journal folded in; null when the bill has not
 * started uploading. A line a crash cut short is ignored: that page is sent again, under its key.
 */
export async function readManifest(stacksDir: string, stackId: string, billId: string): Promise<UploadManifest | null> {
  let manifest: UploadManifest;
  try {
    manifest = JSON.parse(await fs.readFile(manifestPath(stacksDir, stackId, billId), 'utf8')) as UploadManifest;
    if (manifest.version !== 1 || manifest.billId !== billId) return null;
  } catch {
    return null;
  }
  const journal = await fs.readFile(receiptsPath(stacksDir, stackId, billId), 'utf8').catch(() => '');
  if (!journal) return manifest;
  const receipts = new Map<number, PageReceipt>();
  for (const line of journal.split('\n')) {
    try {
      const receipt = JSON.parse(line) as PageReceipt;
      if (typeof receipt.page === 'number' && typeof receipt.sha256 === 'string') receipts.set(receipt.page, receipt);
    } catch {
      // A torn last line (a kill mid-append), or the empty end.
    }
  }
  return { ...manifest, pages: manifest.pages.map((page) => (page.receipt ? page : { ...page, receipt: (receipts.get(page.page)?.sha256 === page.sha256 ? receipts.get(page.page) : null) ?? null })) };
}

/** Appends receipts to a bill's journal and flushes them (one write, one fdatasync, no rename). */
export async function appendReceipts(stacksDir: string, stackId: string, billId: string, receipts: PageReceipt[]): Promise<void> {
  const handle = await fs.open(receiptsPath(stacksDir, stackId, billId), 'a');
  try {
    await handle.writeFile(receipts.map((receipt) => `${JSON.stringify(receipt)}\n`).join(''));
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes a bill's manifest atomically and flushes it (and its folder) before returning. With
 * `foldReceipts`, the manifest now holds every receipt and the journal is removed afterwards.
 */
export async function writeManifest(stacksDir: string, manifest: UploadManifest, options: { foldReceipts?: boolean } = {}): Promise<void> {
  await writeFileAtomic(manifestPath(stacksDir, manifest.stackId, manifest.billId), `${JSON.stringify(manifest)}\n`);
  if (options.foldReceipts) await fs.rm(receiptsPath(stacksDir, manifest.stackId, manifest.billId), { force: true });
}

/** Every manifest of a stack, by bill id. */
export async function readStackManifests(stacksDir: string, stackId: string): Promise<Map<string, UploadManifest>> {
  const dir = path.join(stacksDir, stackId, 'upload');
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const found = new Map<string, UploadManifest>();
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    const manifest = await readManifest(stacksDir, stackId, name.slice(0, -'.json'.length));
    if (manifest) found.set(manifest.billId, manifest);
  }
  return found;
}

/**
 * Removes manifest temp files a killed process left mid-write (`.<bill>.json.<pid>.<random>.tmp`):
 * only those of processes no longer running, so a live writer's file is never pulled away.
 */
export async function removeManifestLeftovers(stacksDir: string): Promise<number> {
  let removed = 0;
  for (const stackId of await fs.readdir(stacksDir).catch(() => [] as string[])) {
    const dir = path.join(stacksDir, stackId, 'upload');
    for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
      const pid = /\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name)?.[1];
      if (!pid || Number(pid) === process.pid || isProcessRunning(Number(pid))) continue;
      await fs.rm(path.join(dir, name), { force: true });
      removed += 1;
    }
  }
  return removed;
}

/** Whether a stack has nothing left to send, ever: no orphan pages, every bill uploaded or discarded. */
export function isStackFinished(stack: StackRecord, manifests: Map<string, UploadManifest>): boolean {
  return stack.orphans.length === 0 && stack.bills.every((bill) => bill.state === 'discarded' || manifests.get(bill.id)?.state === 'done');
}
