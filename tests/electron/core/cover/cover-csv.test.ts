import assert from 'node:assert/strict';
import { open, writeFile } from 'node:fs/promises';
import path from 'node:path';
import iconv from 'iconv-lite';
import { test } from 'node:test';
import { parseCoverCsv, readCoverCsv } from '../../../../electron/core/cover/cover-csv.js';
import { CoreError } from '../../../../electron/core/base/errors.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

test('Chinese or English headers, any order; unknown columns are reported, not fatal', () => {
  const csv = parseCoverCsv(Buffer.from('\ufeffAmount,image_code,提交人,Remarks\n"1,234.5",FY-0001,张三,x\n'), 'bills.csv');
  assert.equal(csv.encoding, 'utf-8');
  assert.deepEqual(csv.ignoredColumns, ['Remarks']);
  assert.deepEqual(csv.rows, [{ line: 2, fields: { amount: '1,234.5', code: 'FY-0001', submitter: '张三' } }]);
});

test('a file without an image-code column is refused as a whole, with its columns named', () => {
  assert.throws(
    () => parseCoverCsv(Buffer.from('单据编号,金额\nBX-1,1\n'), 'bills.csv'),
    (error: unknown) => error instanceof CoreError && error.code === 'cover-csv-no-code-column' && String(error.params['columns']).includes('单据编号'),
  );
});

test('rows whose bytes are neither UTF-8 nor GBK are refused with their line; the rest survive', () => {
  const good = iconv.encode('影像编码,提交人\nFY-0001,张三\n', 'gbk');
  const broken = Buffer.from([0x46, 0x59, 0x2d, 0x32, 0x2c, 0xff, 0xff, 0x0a]);
  const csv = parseCoverCsv(Buffer.concat([good, broken]), 'bills.csv');
  assert.deepEqual(csv.rows.map((row) => row.fields.code), ['FY-0001']);
  assert.deepEqual(csv.rejected.map((entry) => [entry.line, entry.problem.reason]), [[3, 'broken-encoding']]);
});

test('a 50 MB CSV is refused before it is read', async () => {
  const file = path.join(await makeTempDir(), 'huge.csv');
  await writeFile(file, '影像编码\n');
  const handle = await open(file, 'r+');
  await handle.truncate(50 * 1024 * 1024);
  await handle.close();
  await assert.rejects(readCoverCsv(file), (error: unknown) => error instanceof CoreError && error.code === 'file-too-large');
});
