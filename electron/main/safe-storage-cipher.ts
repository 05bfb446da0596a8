import type { SafeStorage } from 'electron';
import type { SecretCipher } from '../core/secrets/secret-cipher.js';

/** The part of Electron's safeStorage the cipher uses (a fake stands in for it in tests). */
export type SafeStorageLike = Pick<SafeStorage, 'isAsyncEncryptionAvailable' | 'encryptStringAsync' | 'decryptStringAsync' | 'getSelectedStorageBackend'>;

/**
 * A secret cipher over the OS keychain (DPAPI on Windows, Keychain on macOS, libsecret/kwallet on
 * Linux), or null where there is none. Linux's `basic_text` backend seals with a hard-coded
 * password, which is no better than core's key file, so it is refused too.
 */
export async function createSafeStorageCipher(safeStorage: SafeStorageLike, platform: NodeJS.Platform): Promise<SecretCipher | null> {
  if (!(await safeStorage.isAsyncEncryptionAvailable())) return null;
  if (platform === 'linux' && ['basic_text', 'unknown'].includes(safeStorage.getSelectedStorageBackend())) return null;
  return {
    kind: 'os-keychain',
    encrypt: (plain) => safeStorage.encryptStringAsync(plain),
    decrypt: async (data) => (await safeStorage.decryptStringAsync(data)).result,
  };
}
