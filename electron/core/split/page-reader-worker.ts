import { parentPort } from 'node:worker_threads';
import { CoreError } from '../errors.js';
import { readJpegEvidence, type PageReadRequest, type PageReadResponse } from './read-stack-pages.js';

// One page at a time per worker; ZXing and libvips live for the worker's lifetime.
const port = parentPort;
if (!port) throw new Error('page-reader-worker must run in a worker thread');

port.on('message', (request: PageReadRequest) => {
  readJpegEvidence(request).then(
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
