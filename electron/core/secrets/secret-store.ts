import { promises as fs } from 'node:fs';
import { z } from 'zod';
import { CoreError } from '../base/errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import type { SecretCipher } from './secret-cipher.js';

/** The secrets the app keeps; a closed list so nothing else slips into the store. */
export const secretNames = ['endpoint.clientSecret'] as const;

/** A secret's name. */
export type SecretName = (typeof secretNames)[number];

/** Keeps secrets encrypted on disk; values never leave core except to the code that uses them. */
export interface SecretStore {
  /** How the secrets are protected. */
  readonly kind: SecretCipher['kind'];
  has(name: SecretName): Promise<boolean>;
  /** The secret, or undefined when none is stored; throws `secret-unreadable` when it cannot be decrypted. */
  get(name: SecretName): Promise<string | undefined>;
  set(name: SecretName, value: string): Promise<void>;
  delete(name: SecretName): Promise<void>;
}

const storeFileSchema = z.object({
  version: z.literal(1),
  kind: z.enum(['os-keychain', 'key-file']),
  entries: z.record(z.string(), z.string()),
});

type StoreFile = z.output<typeof storeFileSchema>;

/**
 * A store in one JSON file of ciphertexts (base64), rewritten atomically on every change. The cipher
 * is pluggable: safeStorage in the desktop app, a key file elsewhere and in tests.
 */
export function createFileSecretStore(options: { file: string; cipher: SecretCipher }): SecretStore {
  const { file, cipher } = options;
  let queue: Promise<unknown> = Promise.resolve();
  /** Changes run one at a time so two saves cannot drop each other's entry. */
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work);
    queue = next.catch(() => undefined);
    return next;
  };
  const load = async (): Promise<StoreFile> => {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, kind: cipher.kind, entries: {} };
      throw new CoreError('secret-unreadable', { reason: (error as NodeJS.ErrnoException).code ?? 'read' }, { cause: error });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    const parsed = storeFileSchema.safeParse(json);
    if (!parsed.success) throw new CoreError('secret-unreadable', { reason: 'damaged-store' });
    return parsed.data;
  };
  const save = (store: StoreFile) => writeFileAtomic(file, `${JSON.stringify(store, null, 1)}\n`, { mode: 0o600 });
  return {
    kind: cipher.kind,
    async has(name) {
      return (await load()).entries[name] !== undefined;
    },
    async get(name) {
      const store = await load();
      const entry = store.entries[name];
      if (entry === undefined) return undefined;
      try {
        return await cipher.decrypt(Buffer.from(entry, 'base64'));
      } catch (error) {
        // The cipher's own verdict (a damaged key file) says more than "cannot decrypt".
        if (error instanceof CoreError) throw error;
        // Typical cause: saved by the desktop app (OS keychain), read by the CLI, or the key file was replaced.
        throw new CoreError('secret-unreadable', { reason: store.kind === cipher.kind ? 'decrypt' : 'other-cipher', cipher: store.kind }, { cause: error });
      }
    },
    set: (name, value) =>
      serial(async () => {
        const store = await load();
        const sealed = (await cipher.encrypt(value)).toString('base64');
        // A store written by another cipher is replaced entry by entry; mixing would make old entries unreadable.
        const entries = store.kind === cipher.kind ? store.entries : {};
        await save({ version: 1, kind: cipher.kind, entries: { ...entries, [name]: sealed } });
      }),
    delete: (name) =>
      serial(async () => {
        const store = await load();
        if (!(name in store.entries)) return;
        const { [name]: _removed, ...rest } = store.entries;
        await save({ ...store, entries: rest });
      }),
  };
}
