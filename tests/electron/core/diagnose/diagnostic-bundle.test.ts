import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactProfile, scrubText } from '../../../../electron/core/diagnose/diagnostic-bundle.js';
import { defaultEndpointSettings } from '../../../../electron/shared/endpoint/endpoint-settings.js';

test('scrubbing removes a secret in every encoding and token-like fields whatever their value', () => {
  const secret = 'p@ss word/+=';
  const text = [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('base64url'), encodeURIComponent(secret), Buffer.from(secret).toString('hex'), '?access_token=abc123def&x=1', '"client_secret": "zzzzzz"', 'sign=0123456789abcdef', 'nothing secret here'].join('\n');
  const out = scrubText(text, [secret]);
  for (const form of [secret, Buffer.from(secret).toString('base64'), encodeURIComponent(secret), Buffer.from(secret).toString('hex'), 'abc123def', 'zzzzzz', '0123456789abcdef']) assert.equal(out.includes(form), false, form);
  assert.match(out, /nothing secret here/);
  assert.match(out, /access_token=\[redacted\]&x=1/);
});

test('the profile in a bundle loses the proxy\'s user name and password, nothing else', () => {
  const settings = { ...defaultEndpointSettings, proxy: 'http://alice:hunter2@proxy.corp:8080' };
  const redacted = redactProfile(settings);
  assert.equal(redacted.proxy?.includes('hunter2'), false);
  assert.equal(redacted.proxy?.includes('alice'), false);
  assert.match(redacted.proxy ?? '', /proxy\.corp:8080/);
  assert.equal(redactProfile(defaultEndpointSettings), defaultEndpointSettings);
});
