import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { defaultCodeRules } from '../../../../electron/core/codes/image-code-rules.js';
import { unknownBill, type ImagingAdapter, type PageUpload } from '../../../../electron/core/imaging/imaging-adapter.js';
import { createMemoryLogger } from '../../../../electron/core/log/logger.js';
import type { GrayImage } from '../../../../electron/core/document/gray-image.js';
import { readQrWithZxing } from '../../../../electron/core/qr/zxing-reader.js';
import { createSpool } from '../../../../electron/core/spool/spool.js';
import { createUploadQueue } from '../../../../electron/core/upload/upload-queue.js';
import { deskBillSchema } from '../../../../electron/shared/ipc-contract.js';
import { encodeJpeg } from '../../../fixtures/encode.js';
import { renderStackPage, writeStack, type StackPage } from '../../../fixtures/stacks.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function gray(bytes: Uint8Array): Promise<GrayImage> {
  const { data, info } = await sharp(bytes).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

/** Where the page's QR with this text is (its centre as shares of the page) and whether it stands upright. */
async function qrOn(bytes: Uint8Array, text: string): Promise<{ x: number; y: number; upright: boolean } | null> {
  const image = await gray(bytes);
  const symbol = (await readQrWithZxing(image)).find((found) => found.text === text);
  if (!symbol) return null;
  const xs = symbol.corners.map((point) => point.x);
  const ys = symbol.corners.map((point) => point.y);
  const centre = { x: (Math.min(...xs) + Math.max(...xs)) / 2, y: (Math.min(...ys) + Math.max(...ys)) / 2 };
  // The top-left finder corner (ZXing's first corner) is above the centre on an upright symbol.
  return { x: centre.x / image.width, y: centre.y / image.height, upright: (symbol.corners[0]?.y ?? 0) < centre.y };
}

/** Mean gray of a rectangle of an image given as shares of it. */
function meanOf(image: GrayImage, x0: number, y0: number, x1: number, y1: number): number {
  let sum = 0;
  let count = 0;
  for (let y = Math.floor(y0 * image.height); y < y1 * image.height; y += 1) {
    for (let x = Math.floor(x0 * image.width); x < x1 * image.width; x += 1) {
      sum += image.data[y * image.width + x] as number;
      count += 1;
    }
  }
  return sum / count;
}

const stack: StackPage[] = [
  { kind: 'cover', code: 'FY-2026-000601' },
  { kind: 'content' },
  { kind: 'cover', code: 'FY-2026-000602', upsideDown: true },
  { kind: 'content' },
  { kind: 'content' },
];

for (const format of ['pdf', 'tiff'] as const) {
  test(`a cover fed upside down (${format === 'pdf' ? 'scanner PDF: JPEG saved again at high quality' : 'TIFF: PNG turned losslessly'}) is stored, shown and uploaded upright: its file, thumbnail, QR box and sha256 agree, and the bill says so`, { timeout: 300_000 }, async () => {
    const root = await makeTempDir();
    const clock = new Date('2026-11-27T09:00:00Z');
    const spool = createSpool({ dir: path.join(root, 'spool'), log: createMemoryLogger(), now: () => clock, rules: defaultCodeRules });
    await spool.recover();
    const file = await writeStack(stack, await makeTempDir(), format);
    // As scanned (the same page writeStack makes), the code stands on its head at the bottom left.
    const scannedBytes = await encodeJpeg(renderStackPage(stack[2] as StackPage, 150, 3), 150);
    const scanned = await qrOn(scannedBytes, 'FY-2026-000602');
    assert.ok(scanned && !scanned.upright && scanned.x < 0.5 && scanned.y > 0.7, `the fixture's cover is upside down as scanned: ${JSON.stringify(scanned)}`);
    const outcome = await spool.ingest(file);
    assert.equal(outcome.status, 'ingested');
    if (outcome.status !== 'ingested') return;
    const record = outcome.stack;
    const stacksDir = path.join(root, 'spool', 'stacks');
    const [upright, turned] = record.bills;
    assert.deepEqual([upright?.code, upright?.turned, upright?.upright], ['FY-2026-000601', false, undefined]);
    assert.deepEqual([turned?.code, turned?.pages, turned?.held, turned?.turned, turned?.upright], ['FY-2026-000602', [3, 4, 5], null, true, { lossless: format === 'tiff' }]);
    // The desk's bill carries the note's data through the IPC contract.
    assert.deepEqual(deskBillSchema.parse(turned).upright, { lossless: format === 'tiff' });

    const cover = record.pages[2];
    assert.ok(cover?.turned, 'the cover is marked turned');
    const bytes = await readFile(path.join(stacksDir, record.id, cover.file));
    assert.equal(sha(bytes), cover.sha256, 'the stored sha256 is of the stored (upright) bytes');
    assert.notEqual(cover.turned.scannedSha256, cover.sha256);
    assert.equal(cover.format, format === 'pdf' ? 'jpeg' : 'png');
    // Stored as the stack's other pages are (a gray JPEG stays gray), at the scan's resolution.
    const meta = await sharp(bytes).metadata();
    const other = await sharp(await readFile(path.join(stacksDir, record.id, record.pages[0]?.file ?? ''))).metadata();
    assert.deepEqual([meta.channels, meta.density], [format === 'pdf' ? 1 : other.channels, 150]);
    // Every pixel is the scan's, turned: exactly for a PNG page, within JPEG's rounding for one saved again.
    const scannedPixels = await gray(format === 'pdf' ? scannedBytes : await sharp(file, { page: 2 }).png().toBuffer());
    const storedPixels = await gray(bytes);
    assert.deepEqual([storedPixels.width, storedPixels.height], [scannedPixels.width, scannedPixels.height]);
    let difference = 0;
    for (let i = 0; i < storedPixels.data.length; i += 1) difference += Math.abs((storedPixels.data[i] as number) - (scannedPixels.data[scannedPixels.data.length - 1 - i] as number));
    const meanDifference = difference / storedPixels.data.length;
    if (format === 'pdf') {
      assert.equal(cover.turned.scannedSha256, sha(scannedBytes), 'the scan\'s own bytes are remembered');
      assert.ok(meanDifference < 1.5, `saved again at high quality: mean difference ${meanDifference.toFixed(2)}`);
    } else assert.equal(meanDifference, 0, 'lossless');
    const onPage = await qrOn(bytes, 'FY-2026-000602');
    assert.ok(onPage, 'the stored cover still reads');
    assert.ok(onPage.upright && onPage.x > 0.5 && onPage.y < 0.3, `the code is upright, top-right: ${JSON.stringify(onPage)}`);
    // The QR box drawn on the thumbnail is where the symbol now is.
    assert.ok(cover.qr?.every((point) => point.x > 0.5 && point.y < 0.3), JSON.stringify(cover.qr));
    // The thumbnail is turned too: the QR's dark patch top-right, paper bottom-left.
    const thumb = await gray(await readFile(path.join(stacksDir, record.id, 'thumbs', '0003.png')));
    assert.ok(meanOf(thumb, 0.72, 0.04, 0.94, 0.14) < meanOf(thumb, 0.06, 0.86, 0.28, 0.96) - 40, 'thumbnail upright');
    // Other pages are stored as scanned; the upright bill's cover untouched.
    assert.equal(record.pages[0]?.turned, undefined);
    assert.equal(record.pages[3]?.turned, undefined);

    // Uploaded: the bytes sent are the upright ones, under the sha256 stored.
    const sent = new Map<string, Uint8Array>();
    const adapter: ImagingAdapter = {
      kind: 'http',
      async uploadPage(upload: PageUpload) {
        sent.set(`${upload.imageCode} ${upload.page}`, upload.bytes);
        assert.equal(sha(upload.bytes), upload.sha256);
        return { receiptId: `r-${upload.page}`, imageCode: upload.imageCode, page: upload.page, sha256: upload.sha256, bytes: upload.bytes.length, receivedAt: '2026-11-27T09:00:00Z' };
      },
      async closeBill(imageCode: string, pageCount: number) {
        return { ...unknownBill(imageCode), status: 'closed', pageCount };
      },
      queryBill: async (imageCode: string) => unknownBill(imageCode),
      openRound: async () => Promise.reject(new Error('not used')),
      returnBill: async () => Promise.reject(new Error('not used')),
      voidBill: async () => Promise.reject(new Error('not used')),
      listRescanReasons: async () => Promise.reject(new Error('not used')),
      setNeedImageScan: async () => Promise.reject(new Error('not used')),
    };
    const queue = createUploadQueue({ spool, stacksDir, stateFile: path.join(root, 'queue.json'), endpoint: { openAdapter: async () => adapter, describe: async () => ({ mode: 'basic', stationId: 'station-1' }), recheck: async () => true }, log: createMemoryLogger(), now: () => clock, inFlight: 1 });
    await queue.runOnce();
    const uploaded = sent.get('FY-2026-000602 1');
    assert.ok(uploaded, 'the turned bill went up');
    assert.equal(sha(uploaded), cover.sha256);
    assert.equal((await qrOn(uploaded, 'FY-2026-000602'))?.upright, true);
  });
}
