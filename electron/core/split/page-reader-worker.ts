import { parentPort } from 'node:worker_threads';
import { CoreError } from '../base/errors.js';
import { loadZxing } from '../qr/zxing-reader.js';
import { createSimdShrink } from '../document/simd-shrink.js';
import { readJpegEvidence, type JpegPageRead, type PageReadRequest, type PageReadResponse } from './read-jpeg-page.js';

// One page at a time per worker; ZXing and libvips live for the worker's lifetime.
if (!parentPort) throw new Error('page-reader-worker must run in a worker thread');
const port = parentPort;
// ZXing's WebAssembly compiles while the first page is still being read and sent (a failure is
// reported by the first read that needs it).
loadZxing().catch(() => undefined);

// Decoded pages land in reused buffers, one per page in progress: a page is about 9 MB, and a fresh
// one per page kept the garbage collector busy for a sixth of the worker's time. The first is the
// SIMD shrink's memory (its 1/8 overview then takes a third of the JavaScript shrink's time); a
// second page read at the same time gets a plain buffer and the JavaScript shrink.
const simd = createSimdShrink();
let simdInUse = false;
const spare: Buffer[] = [];

port.on('message', (request: PageReadRequest) => {
  const needed = request.width * request.height;
  // (Its memory may fail to grow for a very large page: that page gets a plain buffer.)
  const inSimd = simd && !simdInUse ? takeOrNull(() => simd.take(needed)) : null;
  if (simd && inSimd) {
    simdInUse = true;
    readJpegEvidence(request, inSimd, (image) => simd.shrinkBy8(image)).finally(() => (simdInUse = false)).then(answer(request), fail(request));
    return;
  }
  let scratch = spare.pop();
  if (!scratch || scratch.length < needed) scratch = Buffer.allocUnsafe(needed);
  const buffer = scratch;
  readJpegEvidence(request, buffer).finally(() => spare.push(buffer)).then(answer(request), fail(request));
});

/** The buffer `take` gives, or null when it throws (WebAssembly memory that cannot grow). */
function takeOrNull(take: () => Buffer): Buffer | null {
  try {
    return take();
  } catch {
    return null;
  }
}

/** Sends a page's evidence and thumbnail back. */
function answer(request: PageReadRequest): (read: JpegPageRead) => void {
  return (read) => {
    const response: PageReadResponse = { id: request.id, read };
    port.postMessage(response, [read.thumbPng.buffer as ArrayBuffer]);
  };
}

/** Sends a page's failure back as its error code (an untyped throw as a crash of the reader). */
function fail(request: PageReadRequest): (error: unknown) => void {
  return (error) => {
    const response: PageReadResponse = error instanceof CoreError ? { id: request.id, error: { code: error.code, params: error.params } } : { id: request.id, error: { code: 'inspection-crashed', params: { name: request.name, reason: String(error) } } };
    port.postMessage(response);
  };
}

