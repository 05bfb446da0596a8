import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { createFolderAdapter } from '../../../../electron/core/imaging/folder-adapter.js';
import { ImagingError, type PageUpload } from '../../../../electron/core/imaging/imaging-adapter.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const png = (text: string) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(text)]);
const pageOf = (imageCode: string, page: number, bytes: Buffer, idempotencyKey: string): PageUpload => ({ imageCode, page, bytes, sha256: createHash('sha256').update(bytes).digest('hex'), idempotencyKey });
const isImagingError = (code: string) => (error: unknown) => error instanceof ImagingError && error.code === code;

test('writes each bill as page files plus bill.json, idempotently, and closes only when complete', async () => {
  const folder = await makeTempDir();
  const adapter = createFolderAdapter({ folder, now: () => new Date('2026-11-23T09:00:00Z') });
  const first = await adapter.uploadPage(pageOf('FY-2026-0100', 1, png('cover'), 'key-0100-1'));
  assert.equal((await adapter.uploadPage(pageOf('FY-2026-0100', 1, png('cover'), 'key-0100-1'))).receiptId, first.receiptId);
  await assert.rejects(adapter.closeBill('FY-2026-0100', 2), isImagingError('imaging-conflict'));
  await adapter.uploadPage(pageOf('FY-2026-0100', 2, png('invoice'), 'key-0100-2'));
  await assert.rejects(adapter.uploadPage(pageOf('FY-2026-0100', 2, png('different'), 'key-0100-3')), isImagingError('imaging-conflict'));
  const closed = await adapter.closeBill('FY-2026-0100', 2);
  assert.deepEqual([closed.status, closed.pageCount], ['closed', 2]);
  const billDir = path.join(folder, 'FY-2026-0100');
  assert.deepEqual((await fs.readdir(billDir)).sort(), ['0001.png', '0002.png', 'bill.json'], 'no temp files left behind');
  const manifest = JSON.parse(await fs.readFile(path.join(billDir, 'bill.json'), 'utf8')) as { status: string; pages: Record<string, { sha256: string; file: string }> };
  assert.equal(manifest.status, 'closed');
  assert.equal(manifest.pages['2']?.sha256, createHash('sha256').update(await fs.readFile(path.join(billDir, '0002.png'))).digest('hex'));
  assert.equal((await adapter.queryBill('FY-2026-0101')).status, 'unknown');
});

test('refuses hostile codes and wrong hashes; an unwritable folder is a typed error, not a crash', async () => {
  const folder = await makeTempDir();
  const adapter = createFolderAdapter({ folder });
  await assert.rejects(adapter.uploadPage(pageOf('../outside', 1, png('x'), 'key-hostile-1')), isImagingError('imaging-rejected'));
  await assert.rejects(adapter.uploadPage({ ...pageOf('FY-2026-0102', 1, png('x'), 'key-0102-1'), sha256: 'f'.repeat(64) }), isImagingError('imaging-rejected'));
  assert.deepEqual(await fs.readdir(folder), []);
  const blocker = path.join(folder, 'a-file');
  await fs.writeFile(blocker, 'not a folder');
  const broken = createFolderAdapter({ folder: blocker });
  await assert.rejects(broken.uploadPage(pageOf('FY-2026-0103', 1, png('x'), 'key-0103-1')), isImagingError('folder-unwritable'));
});

test('a bill the importer returned opens a new round; its first pages stay on the share', async () => {
  const folder = await makeTempDir();
  const adapter = createFolderAdapter({ folder, now: () => new Date('2026-11-23T09:00:00Z') });
  await adapter.uploadPage(pageOf('FY-2026-0110', 1, png('first'), 'key-0110-1'));
  await adapter.closeBill('FY-2026-0110', 1);
  assert.equal((await adapter.returnBill('FY-2026-0110', { text: 'cover torn' })).status, 'returned');
  await assert.rejects(adapter.uploadPage(pageOf('FY-2026-0110', 1, png('second'), 'key-0110-2')), isImagingError('imaging-conflict'));
  assert.equal((await adapter.openRound('FY-2026-0110', 2)).round, 2);
  await adapter.uploadPage(pageOf('FY-2026-0110', 1, png('second'), 'key-0110-2'));
  assert.equal((await adapter.closeBill('FY-2026-0110', 1)).round, 2);
  assert.deepEqual((await fs.readdir(path.join(folder, 'FY-2026-0110'))).sort(), ['0001.png', 'bill.json', 'r2-0001.png']);
});

test('page numbers and counts out of 1…10000 are refused before anything is sized by them', async () => {
  const folder = await makeTempDir();
  const adapter = createFolderAdapter({ folder });
  await adapter.uploadPage(pageOf('FY-2026-0120', 1, png('one'), 'key-0120-1'));
  for (const pageCount of [0, 10_001, 1e7, 1.5]) await assert.rejects(adapter.closeBill('FY-2026-0120', pageCount), isImagingError('imaging-rejected'), String(pageCount));
  for (const page of [0, 10_001, 2.5]) await assert.rejects(adapter.uploadPage(pageOf('FY-2026-0120', page, png('x'), `key-0120-p${String(page).replace('.', '_')}`)), isImagingError('imaging-rejected'), String(page));
  assert.equal((await adapter.queryBill('FY-2026-0120')).status, 'open');
});

test('codes Windows cannot have as a folder, and case-only twins of a delivered bill, are refused with the reason; nothing is written', async () => {
  const folder = await makeTempDir();
  const adapter = createFolderAdapter({ folder });
  for (const code of ['COM1', 'lpt9', 'Nul.', 'CON.pdf', 'aux.tar.gz', 'PRN.', 'AB12.', 'AB12..']) {
    await assert.rejects(adapter.uploadPage(pageOf(code, 1, png('x'), 'key-reserved-1')), (error: unknown) => error instanceof ImagingError && error.code === 'image-code-unsafe-name' && error.params.code === code && typeof error.params.reason === 'string', code);
  }
  assert.deepEqual(await fs.readdir(folder), []);
  await adapter.uploadPage(pageOf('AB12', 1, png('upper'), 'key-ab12-1'));
  for (const twin of ['ab12', 'Ab12']) {
    await assert.rejects(adapter.uploadPage(pageOf(twin, 1, png('lower'), 'key-ab12-2')), (error: unknown) => error instanceof ImagingError && error.code === 'image-code-case-twin' && error.params.existing === 'AB12', twin);
    await assert.rejects(adapter.queryBill(twin), isImagingError('image-code-case-twin'), `${twin}: a query does not answer "unknown" either`);
    await assert.rejects(adapter.closeBill(twin, 1), isImagingError('image-code-case-twin'));
  }
  // Both arriving at once: one is stored, the other refused, never two folders.
  const racing = await Promise.allSettled([adapter.uploadPage(pageOf('CD34', 1, png('a'), 'key-cd34-1')), adapter.uploadPage(pageOf('cd34', 1, png('b'), 'key-cd34-2'))]);
  assert.deepEqual(racing.map((outcome) => outcome.status).sort(), ['fulfilled', 'rejected']);
  assert.deepEqual((await fs.readdir(folder)).sort(), ['AB12', 'CD34']);
  assert.equal((await adapter.closeBill('AB12', 1)).status, 'closed');
});

test('a rescan-reasons.json that is a FIFO, a device, a huge file, GBK, broken UTF-8 or names with hidden characters is refused at once, with the reason', { skip: process.platform === 'win32' }, async () => {
  const { execFileSync } = await import('node:child_process');
  const folder = await makeTempDir();
  const file = path.join(folder, 'rescan-reasons.json');
  const adapter = createFolderAdapter({ folder });
  /** Refused within two seconds (a FIFO once hung the read for good), as imaging-rejected naming the problem. */
  const refusedWith = async (pattern: RegExp) => {
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('still waiting after 2 s')), 2000).unref());
    await assert.rejects(Promise.race([adapter.listRescanReasons(), timeout]), (error: unknown) => {
      assert.ok(error instanceof ImagingError, String(error));
      assert.equal(error.code, 'imaging-rejected');
      assert.match(String(error.params.description), pattern);
      return true;
    });
  };
  execFileSync('mkfifo', [file]);
  await refusedWith(/not a regular file/);
  await fs.rm(file);
  await fs.symlink('/dev/zero', file);
  await refusedWith(/not a regular file/);
  await fs.rm(file);
  const huge = await fs.open(file, 'w');
  await huge.truncate(1024 ** 3);
  await huge.close();
  await refusedWith(/larger than/);
  // 影像不清晰 saved as GBK: not UTF-8, so not shown as replacement characters.
  await fs.writeFile(file, Buffer.concat([Buffer.from('[{"code":"UNCLEAR","name":"'), Buffer.from([0xd3, 0xb0, 0xcf, 0xf1, 0xb2, 0xbb, 0xc7, 0xe5, 0xce, 0xfa]), Buffer.from('"}]')]));
  await refusedWith(/UTF-8/);
  await fs.writeFile(file, Buffer.concat([Buffer.from('[{"code":"UNCLEAR","name":"a'), Buffer.from([0xff]), Buffer.from('"}]')]));
  await refusedWith(/UTF-8/);
  for (const name of ['\u202eevil', 'a\u001b[2Jb', 'zero\u200bwidth']) {
    await fs.writeFile(file, JSON.stringify([{ code: 'UNCLEAR', name }]));
    await refusedWith(/plain text/);
  }
  // A UTF-8 file with a BOM and markup in a name is fine: the name is text, never markup.
  await fs.writeFile(file, `\ufeff${JSON.stringify([{ code: '__proto__', name: '<b>缺页</b>' }, { code: 'constructor', name: '其他' }])}`);
  assert.deepEqual(await adapter.listRescanReasons(), [{ code: '__proto__', name: '<b>缺页</b>' }, { code: 'constructor', name: '其他' }]);
});

test('a bill.json damaged or rewritten by someone else on the share is refused with its code named, never read as another state or replaced', async () => {
  const folder = await makeTempDir();
  const adapter = createFolderAdapter({ folder });
  const damaged: unknown[] = [
    { imageCode: 'FY-2026-0601', status: 'imported', pages: {}, keys: {} },
    { imageCode: 'FY-2026-0602', status: 'closed', pages: { '1': null }, keys: {}, closedAt: null, pageCount: 1 },
    { imageCode: 'FY-2026-0603', status: 'closed', pages: {}, keys: {}, history: [null] },
    { imageCode: 'FY-2026-0604', status: 'open', pages: null, keys: null },
    [1],
    'x',
    null,
  ];
  for (const [index, bill] of damaged.entries()) {
    const code = `FY-2026-060${index + 1}`;
    await fs.mkdir(path.join(folder, code), { recursive: true });
    const text = JSON.stringify(bill);
    await fs.writeFile(path.join(folder, code, 'bill.json'), text);
    for (const attempt of [() => adapter.queryBill(code), () => adapter.uploadPage(pageOf(code, 1, png('p1'), `key-${code}`)), () => adapter.closeBill(code, 1)]) {
      await assert.rejects(attempt(), (error: unknown) => {
        assert.ok(error instanceof ImagingError, `${code}: ${String(error)}`);
        assert.equal(error.code, 'imaging-rejected', `${code}: ${error.code}`);
        assert.match(String(error.params.description), new RegExp(`${code}/bill.json is damaged`));
        assert.equal(error.advice, 'needs-person');
        return true;
      });
    }
    assert.equal(await fs.readFile(path.join(folder, code, 'bill.json'), 'utf8'), text, 'left as it was');
  }
  // Not JSON at all: the same, and the file is not replaced by a fresh bill.
  await fs.mkdir(path.join(folder, 'FY-2026-0609'), { recursive: true });
  await fs.writeFile(path.join(folder, 'FY-2026-0609', 'bill.json'), '{"imageCode": "FY-2026-06');
  await assert.rejects(adapter.uploadPage(pageOf('FY-2026-0609', 1, png('p1'), 'key-FY-2026-0609')), isImagingError('imaging-rejected'));
  assert.equal(await fs.readFile(path.join(folder, 'FY-2026-0609', 'bill.json'), 'utf8'), '{"imageCode": "FY-2026-06');
});
