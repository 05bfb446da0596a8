import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import iconv from 'iconv-lite';
import { test } from 'node:test';
import { parseExpectedCodes, readExpectedCodes } from '../../../../electron/core/codes/expected-codes.js';
import { CoreError } from '../../../../electron/core/base/errors.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

test('a GBK CSV exported from the ERP, by its 影像编码 column', async () => {
  const dir = await makeTempDir();
  const file = path.join(dir, 'codes.csv');
  await writeFile(file, iconv.encode('单据编号,影像编码,金额\nBX-1,FY-0001,"1,234.50"\nBX-2,FY-0002,9\n', 'gbk'));
  assert.deepEqual([...(await readExpectedCodes(file))], ['FY-0001', 'FY-0002']);
});

test('a plain TXT list, one code per line; blank lines ignored', () => {
  assert.deepEqual([...parseExpectedCodes('FY-0001\r\n\r\nFY-0002\n  FY-0003  \n')], ['FY-0001', 'FY-0002', 'FY-0003']);
  assert.deepEqual([...parseExpectedCodes('image_code\nFY-9\n')], ['FY-9']);
});

test('missing and empty files are typed errors', async () => {
  const dir = await makeTempDir();
  await assert.rejects(readExpectedCodes(path.join(dir, 'nope.csv')), (error: unknown) => error instanceof CoreError && error.code === 'file-unreadable');
  await writeFile(path.join(dir, 'empty.csv'), '');
  await assert.rejects(readExpectedCodes(path.join(dir, 'empty.csv')), (error: unknown) => error instanceof CoreError && error.code === 'file-empty');
});
