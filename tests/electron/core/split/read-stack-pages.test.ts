import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultCodeRules } from '../../../../electron/core/codes/image-code-rules.js';
import { openDocument } from '../../../../electron/core/document/read-document.js';
import { openScannerPdf } from '../../../../electron/core/document/scanner-pdf.js';
import { createPageReaderPool } from '../../../../electron/core/split/page-reader-pool.js';
import { defaultBlankInkShare } from '../../../../electron/core/split/classify-page.js';
import { readStackPages } from '../../../../electron/core/split/read-stack-pages.js';
import { statSync } from 'node:fs';
import { writeStack, type StackPage } from '../../../fixtures/stacks.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

test('pages read on the page readers are stored byte for byte as scanned (the copy sent to a reader is moved, never the bytes kept)', async () => {
  const stack: StackPage[] = [{ kind: 'cover', code: 'FY-2026-000201' }, { kind: 'content' }, { kind: 'invoice' }, { kind: 'blank' }, { kind: 'content' }];
  const file = await writeStack(stack, await makeTempDir(), 'pdf');
  const scanned = await openScannerPdf(file, statSync(file).size, 100);
  assert.ok(scanned);
  const originals = await Promise.all(stack.map((_, index) => scanned.readJpeg(index)));
  await scanned.close();
  const pool = createPageReaderPool({ size: 2 });
  const document = await openDocument(file);
  try {
    const stored: Array<Uint8Array | undefined> = [];
    for await (const page of readStackPages(document, { name: 'stack.pdf', rules: defaultCodeRules, blankInkShare: defaultBlankInkShare, pool, store: true })) {
      assert.equal(page.stored?.format, 'jpeg');
      stored[page.index] = page.stored?.bytes;
      assert.ok(page.thumbPng.length > 100);
    }
    assert.equal(stored.length, stack.length);
    for (const [index, bytes] of stored.entries()) assert.deepEqual(Buffer.from(bytes ?? []), Buffer.from(originals[index] ?? []), `page ${index + 1}`);
  } finally {
    document.close();
    await pool.close();
  }
});

test('a split that shows no thumbnails makes none, on the page readers and on this thread, and judges the pages the same', async () => {
  const stack: StackPage[] = [{ kind: 'cover', code: 'FY-2026-000202' }, { kind: 'content' }, { kind: 'blank' }];
  const file = await writeStack(stack, await makeTempDir(), 'pdf');
  const pool = createPageReaderPool({ size: 2 });
  try {
    for (const reader of [pool, undefined]) {
      const kinds: Record<string, string[]> = {};
      for (const thumbnails of [true, false]) {
        const document = await openDocument(file);
        kinds[String(thumbnails)] = [];
        for await (const page of readStackPages(document, { name: 'stack.pdf', rules: defaultCodeRules, blankInkShare: defaultBlankInkShare, pool: reader, thumbnails })) {
          kinds[String(thumbnails)]?.push(page.what.kind);
          if (thumbnails) assert.ok(page.thumbPng.length > 100);
          else assert.equal(page.thumbPng.length, 0);
        }
        document.close();
      }
      assert.deepEqual(kinds['false'], ['cover', 'content', 'blank']);
      assert.deepEqual(kinds['false'], kinds['true']);
    }
  } finally {
    await pool.close();
  }
});

test('a read that stores nothing moves each page’s bytes to its reader as they are, only when the document gives them up, and reads them again when asked', async () => {
  const stack: StackPage[] = [{ kind: 'cover', code: 'FY-2026-000203' }, { kind: 'content' }, { kind: 'invoice' }];
  const file = await writeStack(stack, await makeTempDir(), 'pdf');
  const pool = createPageReaderPool({ size: 2 });
  try {
    for (const owned of [true, false]) {
      const document = await openDocument(file);
      const handedOut: Uint8Array[] = [];
      const readEncoded = document.readEncoded?.bind(document);
      assert.ok(readEncoded);
      // The document's own answer, with `owned` forced: bytes it does not give up must never be moved.
      document.readEncoded = async (index) => {
        const encoded = await readEncoded(index);
        handedOut.push(encoded.bytes);
        return { ...encoded, owned: owned && encoded.owned };
      };
      const kinds: string[] = [];
      for await (const page of readStackPages(document, { name: 'stack.pdf', rules: defaultCodeRules, blankInkShare: defaultBlankInkShare, pool, thumbnails: false })) kinds.push(page.what.kind);
      assert.deepEqual(kinds, ['cover', 'content', 'content']);
      assert.equal(handedOut.length, stack.length);
      // Moved: the buffer went to the reader (detached here); kept: untouched.
      for (const bytes of handedOut) assert.equal(bytes.byteLength === 0, owned, `owned ${owned}`);
      // The last page read again after its bytes were moved is the page, not an empty buffer (the
      // document forgot the bytes it gave up).
      const last = stack.length - 1;
      const again = await document.readPage(last);
      assert.ok(again.image.width > 0 && again.image.height > 0);
      assert.ok((await readEncoded(last)).bytes.byteLength > 1000);
      document.close();
    }
  } finally {
    await pool.close();
  }
});
