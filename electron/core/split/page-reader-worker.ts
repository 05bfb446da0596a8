import { parentPort } from 'node:worker_threads';
import { CoreError } from '../base/errors.js';
import { loadZxing } from '../qr/zxing-reader.js';
import { readJpegEvidence, type PageReadRequest, type PageReadResponse } from './read-jpeg-page.js';

// One page at a time per worker; ZXing and libvips live for the worker's lifetime.
const port = parentPort;
if (!port) throw new Error('page-reader-worker must run in a worker thread');
// ZXing's WebAssembly compiles while the first page is still being read and sent (a failure is
// reported by the first read that needs it).
loadZxing().catch(() => undefined);

// Decoded pages land in reused buffers, one per page in progress: a page is about 9 MB, and a fresh
// one per page kept the garbage collector busy for a sixth of the worker's time.
const spare: Buffer[] = [];

port.on('message', (request: PageReadRequest) => {
  const needed = request.width * request.height;
  let scratch = spare.pop();
  if (!scratch || scratch.length < needed) scratch = Buffer.allocUnsafe(needed);
  const buffer = scratch;
  readJpegEvidence(request, buffer).finally(() => spare.push(buffer)).then(
    (read) => {
      const response: PageReadResponse = { id: request.id, read };
      port.postMessage(response, [read.thumbPng.buffer as ArrayBuffer]);
    },
    (error: unknown) => {
      const response: PageReadResponse = error instanceof CoreError ? { id: request.id, error: { code: error.code, params: error.params } } : { id: request.id, error: { code: 'inspection-crashed', params: { name: request.name, reason: String(error) } } };
      port.postMessage(response);
    },
  );
});
