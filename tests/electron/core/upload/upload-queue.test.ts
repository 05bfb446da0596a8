import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { defaultCodeRules } from '../../../../electron/core/codes/image-code-rules.js';
import { CoreError } from '../../../../electron/core/base/errors.js';
import { createHttpAdapter } from '../../../../electron/core/imaging/http-adapter.js';
import { ImagingError, unknownBill, type ImagingAdapter, type PageUpload } from '../../../../electron/core/imaging/imaging-adapter.js';
import { startReferenceImagingServer } from '../../../../electron/core/imaging/reference-server.js';
import { createMemoryLogger } from '../../../../electron/core/log/logger.js';
import { createSpool } from '../../../../electron/core/spool/spool.js';
import { computeBackoffMs } from '../../../../electron/core/upload/backoff.js';
import { derivePageKey, readManifest } from '../../../../electron/core/spool/upload-manifest.js';
import { createUploadQueue, type QueueEndpoint } from '../../../../electron/core/upload/upload-queue.js';
import { writeStack, type StackPage } from '../../../fixtures/stacks.js';
import { assertEveryBillDelivered } from '../../../helpers/delivered-bills.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A spool holding the given stacks, taken in for real. */
async function spoolWith(stacks: StackPage[][]) {
  const root = await makeTempDir();
  let clock = new Date('2026-11-27T09:00:00Z');
  const spool = createSpool({ dir: path.join(root, 'spool'), log: createMemoryLogger(), now: () => clock, rules: defaultCodeRules });
  await spool.recover();
  for (const pages of stacks) {
    const file = await writeStack(pages, await makeTempDir(), 'pdf');
    assert.equal((await spool.ingest(file)).status, 'ingested');
    clock = new Date(clock.getTime() + 60_000);
  }
  return { root, spool, stacksDir: path.join(root, 'spool', 'stacks'), tick: (ms: number) => (clock = new Date(clock.getTime() + ms)), now: () => clock };
}

/** An in-memory imaging side with scripted failures, keeping the protocol's promises. */
function fakeImaging(script: Array<Error | null> = []) {
  const pages = new Map<string, Map<number, { sha256: string; key: string }>>();
  const closed = new Map<string, number>();
  const calls: string[] = [];
  const adapter: ImagingAdapter = {
    kind: 'http',
    async uploadPage(upload: PageUpload) {
      calls.push(`page ${upload.imageCode} ${upload.page}`);
      const failure = script.shift();
      if (failure) throw failure;
      const bill = pages.get(upload.imageCode) ?? new Map();
      pages.set(upload.imageCode, bill);
      const stored = bill.get(upload.page);
      if (stored && stored.sha256 !== upload.sha256) throw new ImagingError('imaging-conflict', { code: upload.imageCode }, 'needs-person');
      bill.set(upload.page, { sha256: upload.sha256, key: upload.idempotencyKey });
      return { receiptId: `r-${upload.imageCode}-${upload.page}`, imageCode: upload.imageCode, page: upload.page, sha256: upload.sha256, bytes: upload.bytes.length, receivedAt: '2026-11-27T09:00:00Z' };
    },
    async closeBill(imageCode: string, pageCount: number) {
      calls.push(`close ${imageCode} ${pageCount}`);
      const failure = script.shift();
      if (failure) throw failure;
      closed.set(imageCode, pageCount);
      return { ...unknownBill(imageCode), status: 'closed', pageCount };
    },
    async queryBill(imageCode: string) {
      return unknownBill(imageCode);
    },
    openRound: async () => Promise.reject(new Error('not used')),
    returnBill: async () => Promise.reject(new Error('not used')),
    voidBill: async () => Promise.reject(new Error('not used')),
    listRescanReasons: async () => Promise.reject(new Error('not used')),
    setNeedImageScan: async () => Promise.reject(new Error('not used')),
  };
  return { adapter, pages, closed, calls };
}

function endpointOf(adapter: ImagingAdapter | (() => Promise<ImagingAdapter>), extra: Partial<QueueEndpoint> = {}): QueueEndpoint {
  return {
    openAdapter: typeof adapter === 'function' ? adapter : async () => adapter,
    describe: async () => ({ mode: 'basic', stationId: 'station-1' }),
    recheck: async () => true,
    ...extra,
  };
}

const twoBills: StackPage[] = [{ kind: 'cover', code: 'FY-2026-002001' }, { kind: 'content' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-002002' }, { kind: 'content' }];

test('backoff: capped exponential with full jitter, never sooner than Retry-After', () => {
  assert.equal(computeBackoffMs(1, () => 0.999), 999);
  assert.equal(computeBackoffMs(3, () => 0.5), 2000);
  assert.equal(computeBackoffMs(40, () => 0.999), 299_700, 'capped at five minutes');
  assert.equal(computeBackoffMs(1, () => 0), 0, 'full jitter can retry at once');
  assert.equal(computeBackoffMs(1, () => 0, 7000), 7000, 'Retry-After wins');
  assert.equal(computeBackoffMs(1, () => 0, 60 * 60_000), 300_000, 'a huge Retry-After is capped too');
});

test('ready bills go up oldest first, pages in order under derived keys, receipts in the manifest, then the close', async () => {
  const { spool, stacksDir, now } = await spoolWith([twoBills]);
  const imaging = fakeImaging();
  const queue = createUploadQueue({ spool, stacksDir, stateFile: path.join(stacksDir, '..', 'queue.json'), endpoint: endpointOf(imaging.adapter), log: createMemoryLogger(), now, inFlight: 1 });
  const done = await queue.runOnce();
  assert.equal(done.state, 'idle');
  assert.deepEqual(done.counts, { queued: 0, sending: 0, waiting: 0, held: 0, done: 2 });
  assert.deepEqual(imaging.calls, ['page FY-2026-002001 1', 'page FY-2026-002001 2', 'page FY-2026-002001 3', 'close FY-2026-002001 3', 'page FY-2026-002002 1', 'page FY-2026-002002 2', 'close FY-2026-002002 2']);
  const [stack] = await spool.listStacks();
  assert.ok(stack);
  const bill = stack.bills[0];
  assert.ok(bill);
  const manifest = await readManifest(stacksDir, stack.id, bill.id);
  assert.equal(manifest?.state, 'done');
  assert.deepEqual(manifest?.pages.map((page) => page.receipt?.receiptId), ['r-FY-2026-002001-1', 'r-FY-2026-002001-2', 'r-FY-2026-002001-3']);
  // The key is the station, the bill, the page and its bytes: the same after any restart.
  const first = manifest?.pages[0];
  assert.equal(first?.idempotencyKey, derivePageKey('station-1', bill.id, 1, first?.sha256 ?? ''));
  assert.equal(imaging.pages.get('FY-2026-002001')?.get(1)?.key, first?.idempotencyKey);
  // The bytes sent are the spool's, checked against the SHA-256 taken at intake.
  assert.equal(sha(await readFile(path.join(stacksDir, stack.id, first?.file ?? ''))), first?.sha256);
  // Done bills are fixed: people cannot move their pages any more.
  await assert.rejects(spool.changeBill(bill.id, { action: 'discard' }), (error) => error instanceof CoreError && error.code === 'bill-not-changeable' && error.params['reason'] === 'uploaded');
  const audit = await readFile(path.join(stacksDir, '..', 'audit.log'), 'utf8');
  assert.match(audit, /"event":"upload-started".*"code":"FY-2026-002001"/);
  assert.match(audit, /"event":"uploaded".*"code":"FY-2026-002001".*receipts r-FY-2026-002001-1,r-FY-2026-002001-2,r-FY-2026-002001-3/);
});

test('advice: retry waits with backoff (the bill shows when), needs-person holds the bill and the rest go on, fix-settings pauses the queue', async () => {
  const { spool, stacksDir, now, tick } = await spoolWith([twoBills]);
  const imaging = fakeImaging([new ImagingError('imaging-server-busy', { status: 503 }, 'retry', { retryAfterMs: 30_000 })]);
  const queue = createUploadQueue({ spool, stacksDir, stateFile: path.join(stacksDir, '..', 'queue.json'), endpoint: endpointOf(imaging.adapter), log: createMemoryLogger(), now, inFlight: 1, random: () => 0 });
  // runOnce waits for due retries by the real clock; the bill's next attempt is read from the injected one.
  const stopAfterFirstFailure = setTimeout(() => void queue.stop(), 1500);
  let status = await queue.runOnce();
  clearTimeout(stopAfterFirstFailure);
  const waiting = status.bills.find((bill) => bill.state === 'waiting');
  assert.ok(waiting, 'the first bill waits');
  assert.equal(waiting.nextAttemptAt, new Date(now().getTime() + 30_000).toISOString(), 'Retry-After honoured');
  assert.equal(waiting.lastError?.code, 'imaging-server-busy');
  assert.equal(status.counts.done, 1, 'the other bill went on meanwhile');
  tick(30_000);
  status = await queue.runOnce();
  assert.deepEqual(status.counts, { queued: 0, sending: 0, waiting: 0, held: 0, done: 2 });
  assert.equal(imaging.closed.get('FY-2026-002001'), 3);

  // needs-person: held with the server's reason; a person resends it after fixing things.
  const second = await spoolWith([twoBills]);
  const refusing = fakeImaging([new ImagingError('imaging-conflict', { code: 'FY-2026-002001' }, 'needs-person')]);
  const other = createUploadQueue({ spool: second.spool, stacksDir: second.stacksDir, stateFile: path.join(second.stacksDir, '..', 'queue.json'), endpoint: endpointOf(refusing.adapter), log: createMemoryLogger(), now: second.now, inFlight: 1 });
  status = await other.runOnce();
  assert.deepEqual(status.counts, { queued: 0, sending: 0, waiting: 0, held: 1, done: 1 });
  assert.deepEqual(status.bills.map((bill) => [bill.code, bill.state, bill.held?.code]), [['FY-2026-002001', 'held', 'imaging-conflict']]);
  const heldId = status.bills[0]?.id as string;
  status = await other.act({ action: 'resend', billId: heldId });
  assert.equal(status.bills[0]?.state, 'queued');
  status = await other.runOnce();
  assert.equal(status.counts.done, 2);

  // fix-settings: the whole queue pauses with the reason; a passing check resumes it.
  const third = await spoolWith([twoBills]);
  const locked = fakeImaging([new ImagingError('imaging-auth-failed', {}, 'fix-settings')]);
  let checks = 0;
  const paused = createUploadQueue({ spool: third.spool, stacksDir: third.stacksDir, stateFile: path.join(third.stacksDir, '..', 'queue.json'), endpoint: endpointOf(locked.adapter, { recheck: async () => (checks += 1) > 0 }), log: createMemoryLogger(), now: third.now, inFlight: 1, recheckEveryMs: 10 });
  status = await paused.runOnce();
  assert.deepEqual([status.state, status.reason, status.detail?.code], ['paused', 'fix-settings', 'imaging-auth-failed']);
  assert.equal(status.counts.done, 0, 'nothing else is sent while the station is refused');
  paused.start();
  for (let wait = 0; wait < 100 && (await paused.status()).counts.done < 2; wait += 1) await new Promise((resolve) => setTimeout(resolve, 50));
  await paused.stop();
  assert.equal((await paused.status()).counts.done, 2, 'resumed by itself once a check passed');
  assert.ok(checks >= 1);
});

test('the gate: with no passing connection check nothing is sent and the queue says why; a person pauses and resumes', async () => {
  const { spool, stacksDir, now } = await spoolWith([twoBills]);
  const imaging = fakeImaging();
  let gateOpen = false;
  const endpoint = endpointOf(async () => {
    if (!gateOpen) throw new CoreError('preflight-missing', {});
    return imaging.adapter;
  });
  const stateFile = path.join(stacksDir, '..', 'queue.json');
  const queue = createUploadQueue({ spool, stacksDir, stateFile, endpoint, log: createMemoryLogger(), now });
  let status = await queue.runOnce();
  assert.deepEqual([status.state, status.reason, status.counts.queued], ['paused', 'preflight-missing', 2]);
  assert.deepEqual(imaging.calls, []);
  gateOpen = true;
  await queue.act({ action: 'pause' });
  status = await queue.runOnce();
  assert.deepEqual([status.state, status.reason], ['paused', 'paused-by-person']);
  assert.deepEqual(imaging.calls, [], 'a paused queue sends nothing');
  // Another process (the CLI) sees the person's pause too.
  assert.deepEqual(JSON.parse(await readFile(stateFile, 'utf8')), { paused: true });
  await queue.act({ action: 'resume' });
  status = await queue.runOnce();
  assert.equal(status.counts.done, 2);

  // Sync-to-submitter: the queue refuses with the reason.
  const other = await spoolWith([twoBills]);
  const sync = createUploadQueue({ spool: other.spool, stacksDir: other.stacksDir, stateFile: path.join(other.stacksDir, '..', 'queue.json'), endpoint: endpointOf(imaging.adapter, { describe: async () => ({ mode: 'sync-to-submitter', stationId: 's' }) }), log: createMemoryLogger(), now: other.now });
  status = await sync.runOnce();
  assert.deepEqual([status.state, status.reason], ['paused', 'mode-sync-to-submitter']);
});

test('a person holds a bill before it goes; a damaged page in the spool holds its bill instead of sending other bytes', async () => {
  const { spool, stacksDir, now } = await spoolWith([twoBills]);
  const imaging = fakeImaging();
  const queue = createUploadQueue({ spool, stacksDir, stateFile: path.join(stacksDir, '..', 'queue.json'), endpoint: endpointOf(imaging.adapter), log: createMemoryLogger(), now });
  const [stack] = await spool.listStacks();
  assert.ok(stack);
  const [first, second] = stack.bills;
  assert.ok(first && second);
  await queue.act({ action: 'hold', billId: first.id });
  // Someone (or a failing disk) changed a page of the second bill after intake.
  const page = stack.pages[(second.pages[1] as number) - 1];
  assert.ok(page);
  await writeFile(path.join(stacksDir, stack.id, page.file), 'not the scanned page');
  const status = await queue.runOnce();
  assert.deepEqual(
    status.bills.map((bill) => [bill.code, bill.state, bill.held?.code]),
    [
      ['FY-2026-002001', 'held', 'held-by-person'],
      ['FY-2026-002002', 'held', 'upload-page-damaged'],
    ],
  );
  assert.deepEqual(imaging.calls, ['page FY-2026-002002 1'], 'only the good page before the damaged one went');
  // A held upload may be changed by people (it starts afresh), a sending one may not.
  await spool.changeBill(first.id, { action: 'discard' });
  assert.equal((await queue.status()).bills.some((bill) => bill.id === first.id), false);
});

test('against the reference server with 503, 429 and dropped answers: every bill closed with exactly its pages, each stored once', async () => {
  const { spool, stacksDir } = await spoolWith([twoBills, [{ kind: 'cover', code: 'FY-2026-002003' }, { kind: 'content' }, { kind: 'content' }, { kind: 'content' }]]);
  const dataDir = await makeTempDir();
  const server = await startReferenceImagingServer({ dataDir, clients: { 'station-1': 'secret-1' }, faults: { failEvery: 4, rateLimitEvery: 5, dropAfterSaveEvery: 3 } });
  try {
    const adapter = createHttpAdapter({ settings: { apiAddress: server.url, clientId: 'station-1' }, clientSecret: 'secret-1', env: {} });
    // Retries come quickly here (Retry-After: 1 s is the floor the server asks for).
    const queue = createUploadQueue({ spool, stacksDir, stateFile: path.join(stacksDir, '..', 'queue.json'), endpoint: endpointOf(adapter), log: createMemoryLogger(), now: () => new Date(), random: () => 0.01 });
    const status = await queue.runOnce();
    assert.deepEqual(status.counts, { queued: 0, sending: 0, waiting: 0, held: 0, done: 3 });
    server.setFaults({});
    await assertEveryBillDelivered(spool, adapter);
    const stored = await readdir(path.join(dataDir, 'bills', 'FY-2026-002003'));
    assert.deepEqual(stored.filter((name) => name.endsWith('.bin')).sort(), ['0001.bin', '0002.bin', '0003.bin', '0004.bin'], 'no page stored twice');
  } finally {
    await server.close();
  }
});

test('a bill the ERP voided (废弃, errcode 2011) is held with its own reason; nothing more of it goes up, the other bills go on', async () => {
  const { spool, stacksDir } = await spoolWith([twoBills]);
  const dataDir = await makeTempDir();
  const server = await startReferenceImagingServer({ dataDir, clients: { 'station-1': 'secret-1' } });
  try {
    const adapter = createHttpAdapter({ settings: { apiAddress: server.url, clientId: 'station-1' }, clientSecret: 'secret-1', env: {} });
    // The ERP knows the code (a page of an earlier attempt) and voided it before this station sent it.
    const bytes = Buffer.from('an earlier attempt');
    await adapter.uploadPage({ imageCode: 'FY-2026-002001', page: 1, bytes, sha256: sha(bytes), idempotencyKey: 'earlier-attempt-1' });
    await adapter.voidBill('FY-2026-002001', '单据已作废');
    const queue = createUploadQueue({ spool, stacksDir, stateFile: path.join(stacksDir, '..', 'queue.json'), endpoint: endpointOf(adapter), log: createMemoryLogger(), now: () => new Date(), inFlight: 1 });
    const status = await queue.runOnce();
    assert.deepEqual(status.counts, { queued: 0, sending: 0, waiting: 0, held: 1, done: 1 });
    assert.deepEqual(
      status.bills.map((bill) => [bill.code, bill.state, bill.held?.code, bill.held?.params.code]),
      [['FY-2026-002001', 'held', 'imaging-bill-voided', 'FY-2026-002001']],
    );
    const stored = await adapter.queryBill('FY-2026-002001');
    assert.deepEqual([stored.imageState, stored.pages.length], ['5', 1], 'nothing more of it reached the server');
    // Checked with the bill's owner: the clerk discards it (a held bill can be), and the queue lets it go.
    await spool.changeBill(status.bills[0]?.id as string, { action: 'discard' });
    assert.equal((await queue.runOnce()).counts.held, 0);
  } finally {
    await server.close();
  }
});

test('network loss: the server unreachable for 30 s in the middle of a bill; the queue waits and finishes alone', { timeout: 180_000 }, async () => {
  const outageMs = Number(process.env['SCAN_STATION_OUTAGE_MS'] ?? 30_000);
  const { spool, stacksDir } = await spoolWith([twoBills, [{ kind: 'cover', code: 'FY-2026-002009' }, { kind: 'content' }, { kind: 'content' }, { kind: 'content' }, { kind: 'content' }]]);
  const dataDir = await makeTempDir();
  let server = await startReferenceImagingServer({ dataDir, clients: { 'station-1': 'secret-1' }, faults: { delayMs: 150 } });
  const port = server.port;
  const adapter = createHttpAdapter({ settings: { apiAddress: server.url, clientId: 'station-1' }, clientSecret: 'secret-1', env: {} });
  // The jitter at its mean (half the window): with Math.random an unlucky draw after six failures
  // can wait 60 s more, and this test would measure luck instead of the schedule.
  const queue = createUploadQueue({ spool, stacksDir, stateFile: path.join(stacksDir, '..', 'queue.json'), endpoint: endpointOf(adapter), log: createMemoryLogger(), now: () => new Date(), random: () => 0.5 });
  queue.start();
  try {
    // Mid-bill: some pages acknowledged, not all.
    for (let wait = 0; wait < 200; wait += 1) {
      const status = await queue.status(true);
      if (status.bills.some((bill) => bill.sent > 0 && bill.sent < bill.pages)) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await server.close();
    const lostAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, outageMs));
    const during = await queue.status(true);
    assert.ok(during.bills.some((bill) => bill.state === 'waiting' && bill.lastError?.code === 'imaging-unreachable'), 'a bill waits, saying the server is unreachable');
    assert.ok(during.counts.done < 3, 'not everything went before the outage');
    server = await startReferenceImagingServer({ dataDir, clients: { 'station-1': 'secret-1' }, port });
    for (let wait = 0; wait < 600 && (await queue.status()).counts.done < 3; wait += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal((await queue.status()).counts.done, 3, `finished alone ${Math.round((Date.now() - lostAt) / 1000)} s after the server went away`);
    for (const code of ['FY-2026-002001', 'FY-2026-002002', 'FY-2026-002009']) assert.equal((await adapter.queryBill(code)).status, 'closed', code);
  } finally {
    await queue.stop();
    await server.close();
  }
});

test('uploaded pages are deleted from the spool after the retention days (30 by default); the record, thumbnails and receipts stay', async () => {
  const { spool, stacksDir, now, tick } = await spoolWith([twoBills, [{ kind: 'cover', code: 'FY-2026-002021' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-002022' }, { kind: 'content' }]]);
  const imaging = fakeImaging();
  const queue = createUploadQueue({ spool, stacksDir, stateFile: path.join(stacksDir, '..', 'queue.json'), endpoint: endpointOf(imaging.adapter), log: createMemoryLogger(), now });
  const [first, second] = await spool.listStacks();
  assert.ok(first && second);
  // The second stack keeps one bill back: nothing of it may go.
  await queue.act({ action: 'hold', billId: second.bills[1]?.id as string });
  assert.equal((await queue.runOnce()).counts.done, 3);
  tick(29 * 86_400_000);
  assert.equal(await spool.sweepDone(), 0, '29 days: kept');
  tick(86_400_000 + 1000);
  assert.equal(await spool.sweepDone(), 1, 'only the stack whose every bill went');
  assert.deepEqual(await readdir(path.join(stacksDir, first.id)).then((names) => names.includes('pages')), false);
  assert.ok((await readdir(path.join(stacksDir, second.id))).includes('pages'), 'a stack with a bill still to go keeps its pages');
  // What was sent, and the server's proof, are still there.
  const status = await queue.status(true);
  assert.deepEqual(status.bills.filter((bill) => bill.stackId === first.id).map((bill) => [bill.state, bill.receipts.length]), [['done', 3], ['done', 2]]);
  assert.ok((await readdir(path.join(stacksDir, first.id))).includes('thumbs'));
  assert.match(await readFile(path.join(stacksDir, '..', 'audit.log'), 'utf8'), /"event":"pages-deleted".*30-day retention/);
  assert.equal(await spool.sweepDone(), 0, 'once');
});

test('the close carries who scanned where as recorded at intake: after a sign-in change, a sign-out, a batch, a restart; a stack from before has nulls', async () => {
  const { createPrefsStore } = await import('../../../../electron/core/prefs/prefs-store.js');
  const { createScanIdentity } = await import('../../../../electron/core/desk/scan-identity.js');
  const { defaultEndpointSettings } = await import('../../../../electron/shared/endpoint/endpoint-settings.js');
  const { readdir: readDir, mkdir } = await import('node:fs/promises');
  const root = await makeTempDir();
  await writeFile(path.join(root, 'endpoint.json'), JSON.stringify({ ...defaultEndpointSettings, scanPoint: 'SP-3F 东区', scanUser: 'station-user' }));
  let clock = new Date('2026-11-27T09:00:00Z');
  const now = () => clock;
  const log = createMemoryLogger();
  const prefsFile = path.join(root, 'prefs.json');
  /** One start of the station: its preferences, its scanner and its spool over the same folder. */
  const start = async () => {
    const scanner = createScanIdentity({ dataDir: root, prefs: createPrefsStore({ file: prefsFile, defaultLanguage: 'zh-CN', now, log }), log });
    const spool = createSpool({ dir: path.join(root, 'spool'), log, now, rules: defaultCodeRules, scan: scanner.current });
    await spool.recover();
    return { scanner, spool };
  };
  const oneBill = (code: string): StackPage[] => [{ kind: 'cover', code }, { kind: 'content' }];
  const take = async (spool: Awaited<ReturnType<typeof start>>['spool'], code: string) => {
    const outcome = await spool.ingest(await writeStack(oneBill(code), await makeTempDir(), 'pdf'));
    assert.equal(outcome.status, 'ingested');
    clock = new Date(clock.getTime() + 60_000);
    return outcome.status === 'ingested' ? outcome.stack : null;
  };

  let station = await start();
  await station.scanner.signIn('  clerk-a  ');
  const a = await take(station.spool, 'FY-2026-003001');
  await station.scanner.signIn(null);
  const b = await take(station.spool, 'FY-2026-003002');
  // A batch of page files keeps who scanned its first file, whoever is signed in when it closes.
  await station.scanner.signIn('clerk-c');
  const folder = await writeStack(oneBill('FY-2026-003003'), await makeTempDir(), 'jpeg-folder');
  const batch = await station.spool.batches.openBatch({ folder: path.dirname(folder), pattern: 'scan_page#' });
  for (const [n, name] of (await readDir(folder)).sort().entries()) await station.spool.batches.addToBatch(batch.id, path.join(folder, name), { name, number: n + 1, moveSourceTo: path.join(root, 'imported') });
  await station.scanner.signIn('clerk-d');
  const c = await station.spool.batches.closeBatch(batch.id);
  // A stack taken in before scans were recorded: its record has no `scan`.
  const old = await take(station.spool, 'FY-2026-003004');
  assert.ok(a && b && c && old);
  const oldFile = path.join(root, 'spool', 'stacks', old.id, 'stack.json');
  const { scan: _scan, ...oldRecord } = JSON.parse(await readFile(oldFile, 'utf8')) as Record<string, unknown>;
  await writeFile(oldFile, JSON.stringify(oldRecord));
  assert.deepEqual([a.scan, b.scan, c.scan], [
    { user: 'clerk-a', point: 'SP-3F 东区' },
    { user: 'station-user', point: 'SP-3F 东区' },
    { user: 'clerk-c', point: 'SP-3F 东区' },
  ]);
  const audit = await readFile(path.join(root, 'spool', 'audit.log'), 'utf8');
  assert.match(audit, /"event":"imported","stack":"[^"]+","source":"stack.pdf".*"scan":\{"user":"clerk-a","point":"SP-3F 东区"\}/);
  assert.doesNotMatch(audit, /"by":"clerk/, 'the `by` of audit lines stays the OS user');

  // A restart, someone else signed in, hours later: the bills go up now.
  await station.scanner.signIn('clerk-z');
  clock = new Date(clock.getTime() + 5 * 3_600_000);
  station = await start();
  await mkdir(path.join(root, 'spool', 'stacks'), { recursive: true });
  const closes = new Map<string, unknown>();
  const imaging = fakeImaging();
  const close = imaging.adapter.closeBill.bind(imaging.adapter);
  imaging.adapter.closeBill = async (code: string, pageCount: number, scan?: unknown) => {
    closes.set(code, scan);
    return close(code, pageCount);
  };
  const stacksDir = path.join(root, 'spool', 'stacks');
  const queue = createUploadQueue({ spool: station.spool, stacksDir, stateFile: path.join(root, 'spool', 'queue.json'), endpoint: endpointOf(imaging.adapter), log, now, inFlight: 1 });
  assert.equal((await queue.runOnce()).counts.done, 4);
  assert.deepEqual(Object.fromEntries(closes), {
    'FY-2026-003001': { scanUser: 'clerk-a', scanPoint: 'SP-3F 东区', stationIp: null, scannedAt: a.importedAt },
    'FY-2026-003002': { scanUser: 'station-user', scanPoint: 'SP-3F 东区', stationIp: null, scannedAt: b.importedAt },
    'FY-2026-003003': { scanUser: 'clerk-c', scanPoint: 'SP-3F 东区', stationIp: null, scannedAt: c.importedAt },
    'FY-2026-003004': { scanUser: null, scanPoint: null, stationIp: null, scannedAt: old.importedAt },
  });
  // The manifest kept its copy from when the bill was queued.
  assert.deepEqual((await readManifest(stacksDir, a.id, a.bills[0]?.id ?? ''))?.scan, { user: 'clerk-a', point: 'SP-3F 东区', scannedAt: a.importedAt });
});

test('against the reference server: the query answers who scanned where as the close carried it (the station address filled in by the adapter); a stack from before answers none', async () => {
  const { createPrefsStore } = await import('../../../../electron/core/prefs/prefs-store.js');
  const { createScanIdentity } = await import('../../../../electron/core/desk/scan-identity.js');
  const { defaultEndpointSettings } = await import('../../../../electron/shared/endpoint/endpoint-settings.js');
  const root = await makeTempDir();
  await writeFile(path.join(root, 'endpoint.json'), JSON.stringify({ ...defaultEndpointSettings, scanPoint: 'SP-3F 东区', scanUser: 'station-user' }));
  const log = createMemoryLogger();
  const scanner = createScanIdentity({ dataDir: root, prefs: createPrefsStore({ file: path.join(root, 'prefs.json'), defaultLanguage: 'en', now: () => new Date(), log }), log });
  const spool = createSpool({ dir: path.join(root, 'spool'), log, now: () => new Date(), rules: defaultCodeRules, scan: scanner.current });
  await spool.recover();
  await scanner.signIn('clerk-a');
  const signed = await spool.ingest(await writeStack([{ kind: 'cover', code: 'FY-2026-004001' }, { kind: 'content' }], await makeTempDir(), 'pdf'));
  const before = await spool.ingest(await writeStack([{ kind: 'cover', code: 'FY-2026-004002' }, { kind: 'content' }], await makeTempDir(), 'pdf'));
  assert.ok(signed.status === 'ingested' && before.status === 'ingested');
  // The second stack as one taken in before scans were recorded.
  const oldFile = path.join(root, 'spool', 'stacks', before.stack.id, 'stack.json');
  const { scan: _scan, ...oldRecord } = JSON.parse(await readFile(oldFile, 'utf8')) as Record<string, unknown>;
  await writeFile(oldFile, JSON.stringify(oldRecord));
  await scanner.signIn(null);
  const server = await startReferenceImagingServer({ dataDir: await makeTempDir(), clients: { 'station-1': 'secret-1' } });
  try {
    const adapter = createHttpAdapter({ settings: { apiAddress: server.url, clientId: 'station-1' }, clientSecret: 'secret-1', env: {} });
    const stacksDir = path.join(root, 'spool', 'stacks');
    const queue = createUploadQueue({ spool, stacksDir, stateFile: path.join(root, 'spool', 'queue.json'), endpoint: endpointOf(adapter), log, now: () => new Date() });
    assert.equal((await queue.runOnce()).counts.done, 2);
    const state = await adapter.queryBill('FY-2026-004001');
    assert.deepEqual([state.imageState, state.scan?.scanUser, state.scan?.scanPoint, state.scan?.scannedAt, state.scan?.pageCount], ['2', 'clerk-a', 'SP-3F 东区', signed.stack.importedAt, 2]);
    assert.equal(state.scan?.stationIp, '127.0.0.1', 'the adapter fills in the address the server sees');
    const old = await adapter.queryBill('FY-2026-004002');
    assert.deepEqual([old.imageState, old.scan?.scanUser ?? null, old.scan?.scanPoint ?? null], ['2', null, null]);
  } finally {
    await server.close();
  }
});
