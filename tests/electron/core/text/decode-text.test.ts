import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import { test } from 'node:test';
import { decodeText } from '../../../../electron/core/text/decode-text.js';

test('UTF-8 with and without BOM, and GBK from a Chinese Excel', () => {
  const text = '影像编码,单据编号\nFY-1,报销-001\n';
  assert.deepEqual(decodeText(Buffer.from(text, 'utf8')), { text, encoding: 'utf-8' });
  assert.deepEqual(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')])), { text, encoding: 'utf-8' });
  assert.deepEqual(decodeText(iconv.encode(text, 'gbk')), { text, encoding: 'gbk' });
});
