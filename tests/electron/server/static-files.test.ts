import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentTypeFor, resolveStaticPath } from '../../../electron/server/static-files.js';

test('resolveStaticPath never leaves the root', () => {
  assert.equal(resolveStaticPath('/srv/ui', '/../../etc/passwd'), '/srv/ui/etc/passwd');
  assert.equal(resolveStaticPath('/srv/ui', '/a/../../..'), '/srv/ui/index.html');
  assert.equal(resolveStaticPath('/srv/ui', '/x\0.html'), null);
  assert.equal(resolveStaticPath('/srv/ui', '/'), '/srv/ui/index.html');
});

test('content types by extension, unknown files are opaque bytes', () => {
  assert.equal(contentTypeFor('/x/index.HTML'), 'text/html; charset=utf-8');
  assert.equal(contentTypeFor('/x/a.woff2'), 'font/woff2');
  assert.equal(contentTypeFor('/x/a.exe'), 'application/octet-stream');
});
