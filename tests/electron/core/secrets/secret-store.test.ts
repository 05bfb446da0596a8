import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CoreError } from '../../../../electron/core/base/errors.js';
import { createKeyFileCipher, type SecretCipher } from '../../../../electron/core/secrets/secret-cipher.js';
import { createFileSecretStore } from '../../../../electron/core/secrets/secret-store.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const secret = 'Zq9-very-secret-Ω';

test('a secret round-trips, is never on disk in plain text, and the key file is private', async () => {
  const dir = await makeTempDir();
  const store = createFileSecretStore({ file: path.join(dir, 'secrets.json'), cipher: createKeyFileCipher(path.join(dir, 'secrets.key')) });
  assert.equal(await store.has('endpoint.clientSecret'), false);
  assert.equal(await store.get('endpoint.clientSecret'), undefined);
  await store.set('endpoint.clientSecret', secret);
  assert.equal(await store.get('endpoint.clientSecret'), secret);
  for (const name of await fs.readdir(dir)) {
    const bytes = await fs.readFile(path.join(dir, name));
    assert.ok(!bytes.includes(Buffer.from(secret)) && !bytes.toString('latin1').includes(Buffer.from(secret).toString('base64')), `${name} holds the secret`);
  }
  if (process.platform !== 'win32') assert.equal((await fs.stat(path.join(dir, 'secrets.key'))).mode & 0o777, 0o600);
  // A fresh store over the same files (next start of the app) reads it back.
  const again = createFileSecretStore({ file: path.join(dir, 'secrets.json'), cipher: createKeyFileCipher(path.join(dir, 'secrets.key')) });
  assert.equal(await again.get('endpoint.clientSecret'), secret);
  await again.delete('endpoint.clientSecret');
  assert.equal(await store.has('endpoint.clientSecret'), false);
});

test('another key, a damaged file or a store sealed by the OS keychain give secret-unreadable, never garbage', async () => {
  const dir = await makeTempDir();
  const file = path.join(dir, 'secrets.json');
  await createFileSecretStore({ file, cipher: createKeyFileCipher(path.join(dir, 'a.key')) }).set('endpoint.clientSecret', secret);
  const otherKey = createFileSecretStore({ file, cipher: createKeyFileCipher(path.join(dir, 'b.key')) });
  await assert.rejects(otherKey.get('endpoint.clientSecret'), (error) => error instanceof CoreError && error.code === 'secret-unreadable' && !error.message.includes(secret));

  const keychain: SecretCipher = { kind: 'os-keychain', encrypt: async (plain) => Buffer.from(`k:${plain}`).reverse(), decrypt: async (data) => Buffer.from(data).reverse().toString().slice(2) };
  const sealedByApp = path.join(dir, 'app.json');
  await createFileSecretStore({ file: sealedByApp, cipher: keychain }).set('endpoint.clientSecret', secret);
  await assert.rejects(createFileSecretStore({ file: sealedByApp, cipher: createKeyFileCipher(path.join(dir, 'a.key')) }).get('endpoint.clientSecret'), (error) => error instanceof CoreError && error.code === 'secret-unreadable' && error.params['reason'] === 'other-cipher' && error.params['cipher'] === 'os-keychain');

  await fs.writeFile(file, '{ not json');
  await assert.rejects(otherKey.get('endpoint.clientSecret'), (error) => error instanceof CoreError && error.code === 'secret-unreadable');
});

test('the data folder is 0700 and the store and key 0600 from their creation; a damaged key fails loudly and is kept', async (t) => {
  if (process.platform === 'win32') return t.skip('POSIX modes');
  const { createCore } = await import('../../../../electron/core/create-core.js');
  const dataDir = path.join(await makeTempDir(), 'station');
  const core = await createCore({ dataDir, appVersion: 'test' });
  try {
    assert.equal((await fs.stat(dataDir)).mode & 0o777, 0o700);
    // Every file created in the data folder while sealing a secret is private from the moment it exists.
    const created: string[] = [];
    const watcher = (await import('node:fs')).watch(dataDir, (_event, name) => name && created.push(name));
    const seen = new Map<string, number>();
    const poll = setInterval(() => {
      for (const name of created) void fs.stat(path.join(dataDir, name)).then((stat) => seen.set(name, Math.max(seen.get(name) ?? 0, stat.mode & 0o077))).catch(() => undefined);
    }, 1);
    await core.endpoint.saveSettings((await core.endpoint.readSettings()).settings, 'Zq9');
    clearInterval(poll);
    watcher.close();
    for (const name of ['secrets.json', 'secrets.key']) assert.equal((await fs.stat(path.join(dataDir, name))).mode & 0o777, 0o600, name);
    for (const [name, groupOrOther] of seen) if (/secrets/.test(name)) assert.equal(groupOrOther, 0, `${name} was readable by others at some point`);
  } finally {
    await core.close();
  }
  const dir = await makeTempDir();
  const keyFile = path.join(dir, 'secrets.key');
  const store = createFileSecretStore({ file: path.join(dir, 'secrets.json'), cipher: createKeyFileCipher(keyFile) });
  await store.set('endpoint.clientSecret', secret);
  await fs.writeFile(keyFile, Buffer.from('short'));
  const reopened = createFileSecretStore({ file: path.join(dir, 'secrets.json'), cipher: createKeyFileCipher(keyFile) });
  await assert.rejects(reopened.get('endpoint.clientSecret'), (error) => error instanceof CoreError && error.code === 'secret-unreadable' && error.params['reason'] === 'damaged-key');
  assert.equal((await fs.readFile(keyFile)).toString(), 'short', 'the damaged key is left for support to look at, not replaced');
});
