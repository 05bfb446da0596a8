import assert from 'node:assert/strict';
import { test } from 'node:test';
import { causeParams, CoreError, schemaIssueParams } from '../../../electron/core/base/errors.js';
import { createTranslator } from '../../../electron/shared/i18n/catalog.js';
import { localizeError, localizeParams } from '../../../electron/shared/message-text.js';
import { createCore } from '../../../electron/core/create-core.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const zh = createTranslator('zh-CN').t;
const en = createTranslator('en').t;

test('library and system causes reach people as translated reasons; their own words stay in the log text', () => {
  const pdfium = causeParams(new Error('File not in PDF format or corrupted'));
  assert.equal(pdfium.reason, 'not-pdf');
  assert.equal(localizeError(zh, { code: 'corrupt-pdf', params: { name: 'a.pdf', ...pdfium } }), 'PDF a.pdf 已损坏，无法打开：文件不是 PDF 格式或已损坏。请重新导出或重新扫描。');
  const missing = causeParams(Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' }));
  assert.equal(localizeError(en, { code: 'file-unreadable', params: { name: 'x.csv', ...missing } }).includes('the file or folder does not exist'), true);
  assert.match(localizeError(zh, { code: 'file-unreadable', params: { name: 'x', reason: 'EWEIRD' } }), /系统错误 EWEIRD/);
  assert.match(localizeError(zh, { code: 'file-unreadable', params: { name: 'x', reason: 'some English text from a library' } }), /无法识别的错误，详情已写入日志/);
  // The English log message keeps the library's text for support.
  assert.match(new CoreError('corrupt-pdf', { name: 'a.pdf', ...pdfium }).message, /\[File not in PDF format or corrupted\]$/);
});

test('step and field names inside messages are translated', () => {
  assert.equal(zh('preflight.codes.skipped-after-failure', localizeParams(zh, { step: 'tcp' })), '因“TCP 连接”未通过而跳过。');
  assert.equal(zh('coverReasons.field-too-long', localizeParams(zh, { field: 'company' })), '“公司”超过 120 个字符');
});

test('a profile with wrong values names the fields in the reader’s language; a foreign file says it is not a profile', async () => {
  const core = await createCore({ dataDir: await makeTempDir(), appVersion: 'test' });
  const service = core.endpoint;
  const refusal = async (text: string) => {
    try {
      await service.parseProfile(text, 'p.json');
    } catch (error) {
      return error as CoreError;
    }
    throw new Error('accepted');
  };
  const wrong = await refusal(JSON.stringify({ version: 1, profileName: 'x', preset: 'private', code: 'FPY', host: 'h', port: 'eighty', scheme: 'http', apiAddress: 'http://h/api', mode: 'basic', clientId: 'c', taxNumber: '', stationId: 'desk-1', scanDpi: 'many', adapter: 'http' }));
  assert.equal(wrong.params['reason'], 'wrong-fields');
  assert.equal(localizeError(zh, wrong), '设置文件 p.json 格式不正确：这些项的值不正确：端口、扫描分辨率。请用扫描台助手重新导出。');
  const foreign = await refusal(JSON.stringify({ version: 7 }));
  assert.match(localizeError(en, foreign), /not a Scan Station profile/);
  assert.deepEqual(schemaIssueParams([{ path: ['profile', 'port'], message: 'x' }]).fields, 'port');
  await core.close();
});
