import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { causeParams, CoreError } from '../base/errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';

/**
 * Turns a secret into bytes that are safe to keep on disk and back. The desktop app injects one
 * backed by Electron's safeStorage (DPAPI, Keychain, libsecret); the CLI and browser mode use a
 * key file.
 */
export interface SecretCipher {
  /** Names the protection, for Settings and support ("os-keychain" or "key-file"). */
  readonly kind: 'os-keychain' | 'key-file';
  encrypt(plain: string): Promise<Buffer>;
  decrypt(data: Buffer): Promise<string>;
}

const keyBytes = 32;
const ivBytes = 12;
const tagBytes = 16;
/** Marks the format so a later change of cipher can be told apart. */
const magic = Buffer.from('SSK1');

/**
 * AES-256-GCM with a random 32-byte key kept in its own file (mode 0600), created on first use.
 * It keeps secrets out of plain text, exports, backups of the settings and logs; it does not protect
 * them from someone who can read the whole data folder (the OS keychain does, in the desktop app).
 */
export function createKeyFileCipher(keyFile: string): SecretCipher {
  let key: Promise<Buffer> | undefined;
  const loadKey = () =>
    (key ??= (async () => {
      let existing: Buffer | null = null;
      try {
        existing = await fs.readFile(keyFile);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new CoreError('secret-unreadable', { ...causeParams(error), file: keyFile }, { cause: error });
      }
      if (existing !== null) {
        // A damaged key is never replaced behind anyone's back: that would lose the secret silently.
        if (existing.length !== keyBytes) throw new CoreError('secret-unreadable', { reason: 'damaged-key', file: keyFile });
        return existing;
      }
      const fresh = randomBytes(keyBytes);
      await writeFileAtomic(keyFile, fresh, { mode: 0o600 });
      return fresh;
    })());
  return {
    kind: 'key-file',
    async encrypt(plain) {
      const iv = randomBytes(ivBytes);
      const cipher = createCipheriv('aes-256-gcm', await loadKey(), iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([magic, iv, cipher.getAuthTag(), body]);
    },
    async decrypt(data) {
      if (data.length < magic.length + ivBytes + tagBytes || !data.subarray(0, magic.length).equals(magic)) throw new Error('not a key-file secret');
      const iv = data.subarray(magic.length, magic.length + ivBytes);
      const tag = data.subarray(magic.length + ivBytes, magic.length + ivBytes + tagBytes);
      const decipher = createDecipheriv('aes-256-gcm', await loadKey(), iv);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(data.subarray(magic.length + ivBytes + tagBytes)), decipher.final()]).toString('utf8');
    },
  };
}
