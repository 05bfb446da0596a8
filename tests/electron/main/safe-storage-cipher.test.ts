import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSafeStorageCipher, type SafeStorageLike } from '../../../electron/main/safe-storage-cipher.js';

/** Stands in for Electron's safeStorage: reversible, but never the plain bytes. */
function fakeSafeStorage(available: boolean, backend: ReturnType<SafeStorageLike['getSelectedStorageBackend']>): SafeStorageLike {
  return {
    isAsyncEncryptionAvailable: async () => available,
    getSelectedStorageBackend: () => backend,
    encryptStringAsync: async (plain) => Buffer.from(Buffer.from(plain, 'utf8').map((byte) => byte ^ 0x5a)),
    decryptStringAsync: async (data) => ({ result: Buffer.from(data.map((byte) => byte ^ 0x5a)).toString('utf8'), shouldReEncrypt: false }),
  };
}

test('uses the OS keychain where there is one, and refuses Linux basic_text and missing encryption', async () => {
  const cipher = await createSafeStorageCipher(fakeSafeStorage(true, 'gnome_libsecret'), 'linux');
  assert.equal(cipher?.kind, 'os-keychain');
  const sealed = await cipher!.encrypt('client-secret');
  assert.ok(!sealed.includes(Buffer.from('client-secret')));
  assert.equal(await cipher!.decrypt(sealed), 'client-secret');
  assert.equal(await createSafeStorageCipher(fakeSafeStorage(true, 'basic_text'), 'linux'), null);
  assert.equal(await createSafeStorageCipher(fakeSafeStorage(false, 'unknown'), 'win32'), null);
  assert.equal((await createSafeStorageCipher(fakeSafeStorage(true, 'unknown'), 'win32'))?.kind, 'os-keychain');
});
