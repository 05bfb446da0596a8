import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { readBoundary, receiveMultipart, type MultipartLimits } from '../../../../electron/core/imaging/multipart-stream.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const limits: MultipartLimits = { maxFileBytes: 4096, maxBodyBytes: 8192, maxFieldBytes: 64, maxParts: 6, maxPartHeaderBytes: 512 };
const boundary = '----scan-station-boundary-7';
const contentType = `multipart/form-data; boundary=${boundary}`;

/** A body as FormData would encode it: the file first or last, any field order. */
function encode(parts: Array<{ name: string; value: string | Buffer; filename?: string }>): Buffer {
  const pieces: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename ? `; filename="${part.filename}"` : ''}`;
    pieces.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${part.filename ? 'Content-Type: application/octet-stream\r\n' : ''}\r\n`), Buffer.from(part.value), Buffer.from('\r\n'));
  }
  pieces.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(pieces);
}

async function* chunked(body: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < body.length; at += size) yield body.subarray(at, at + size);
}

// Bytes that look like a boundary's start, so a split inside one is exercised.
const fileBytes = Buffer.concat([Buffer.from(`\r\n--${boundary.slice(0, 10)}`), Buffer.alloc(700, 0x2d), Buffer.from('\r\n-'), Buffer.alloc(300, 0x41)]);

test('a body split at any chunk size gives the same fields and the same file, hashed as it streamed', async () => {
  const dir = await makeTempDir();
  const body = encode([
    { name: 'file', value: fileBytes, filename: 'p1.bin' },
    { name: 'page', value: '12' },
    { name: 'sha256', value: 'ab'.repeat(32) },
    { name: 'idempotencyKey', value: 'key-0001-a' },
  ]);
  for (const size of [1, 2, 3, 7, 13, 64, 1000, body.length]) {
    const tempFile = path.join(dir, `split-${size}.part`);
    const received = await receiveMultipart(chunked(body, size), contentType, { fileField: 'file', tempFile, limits });
    assert.ok(received.ok, `chunk size ${size}`);
    assert.deepEqual(Object.fromEntries(received.fields), { page: '12', sha256: 'ab'.repeat(32), idempotencyKey: 'key-0001-a' });
    assert.deepEqual(received.file, { path: tempFile, bytes: fileBytes.length, sha256: createHash('sha256').update(fileBytes).digest('hex') });
    assert.ok((await fs.readFile(tempFile)).equals(fileBytes), `chunk size ${size}`);
  }
});

test('over a limit, malformed or not multipart: refused with the reason, and no temp file stays', async () => {
  const dir = await makeTempDir();
  const tempFile = path.join(dir, 'refused.part');
  const refused = async (body: Buffer, type = contentType) => {
    const received = await receiveMultipart(chunked(body, 100), type, { fileField: 'file', tempFile, limits });
    await assert.rejects(fs.stat(tempFile), 'no temp file stays');
    return received.ok ? 'ok' : received.reason;
  };
  assert.equal(await refused(encode([{ name: 'file', value: Buffer.alloc(4097), filename: 'big.bin' }])), 'too-large');
  assert.equal(await refused(Buffer.concat([encode([{ name: 'file', value: Buffer.alloc(10), filename: 'a.bin' }]), Buffer.alloc(9000)])), 'too-large', 'the whole body counts, epilogue included');
  assert.equal(await refused(encode([{ name: 'page', value: 'x'.repeat(65) }])), 'malformed', 'a field over its limit');
  assert.equal(await refused(encode(Array.from({ length: 7 }, (_, i) => ({ name: `f${i}`, value: 'v' })))), 'malformed', 'too many parts');
  assert.equal(await refused(encode([{ name: 'file', value: 'a', filename: 'a' }, { name: 'file', value: 'b', filename: 'b' }])), 'malformed', 'two files');
  assert.equal(await refused(encode([{ name: 'page', value: '1' }]).subarray(0, 60)), 'malformed', 'cut short');
  assert.equal(await refused(Buffer.from(`--${boundary}\r\nX-Long: ${'h'.repeat(600)}`)), 'malformed', 'part headers without end');
  assert.equal(await refused(encode([{ name: 'page', value: '1' }]), 'application/json'), 'not-multipart');
  assert.equal(readBoundary(`multipart/form-data; boundary="${'b'.repeat(71)}"`), null, 'boundaries are at most 70 characters');
});
