import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { resizeGrayToHeight, type GrayImage } from '../../../../electron/core/document/gray-image.js';
import { encodeGrayPng } from '../../../../electron/core/document/gray-png.js';

function gradient(width: number, height: number): GrayImage {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y += 1) for (let x = 0; x < width; x += 1) data[y * width + x] = (x * 7 + y * 13 + ((x * y) % 17)) & 0xff;
  return { data, width, height };
}

test('a gray image encoded as PNG decodes (by libvips) to exactly its pixels', async () => {
  for (const image of [gradient(170, 240), gradient(1, 1), gradient(33, 5)]) {
    const png = encodeGrayPng(image);
    const { data, info } = await sharp(png).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    assert.equal((await sharp(png).metadata()).channels, 1);
    assert.deepEqual([info.width, info.height, info.channels], [image.width, image.height, 1]);
    assert.deepEqual(new Uint8Array(data), image.data);
  }
});

test('resizing to a height keeps the proportions, flat areas flat and the mean level', () => {
  const flat: GrayImage = { data: new Uint8Array(310 * 438).fill(201), width: 310, height: 438 };
  const small = resizeGrayToHeight(flat, 240);
  assert.deepEqual([small.width, small.height], [170, 240]);
  assert.ok(small.data.every((value) => value === 201));
  const image = gradient(310, 438);
  const resized = resizeGrayToHeight(image, 240);
  const mean = (values: Uint8Array) => values.reduce((sum, value) => sum + value, 0) / values.length;
  assert.ok(Math.abs(mean(resized.data) - mean(image.data)) < 1, `${mean(resized.data)} vs ${mean(image.data)}`);
  // A sharp edge stays where it was (at 3/4 of the width).
  const edge: GrayImage = { data: new Uint8Array(400 * 300), width: 400, height: 300 };
  for (let y = 0; y < 300; y += 1) edge.data.fill(255, y * 400 + 300, y * 400 + 400);
  const edgeSmall = resizeGrayToHeight(edge, 150);
  assert.equal(edgeSmall.data[75 * 200 + 149], 0);
  assert.equal(edgeSmall.data[75 * 200 + 150], 255);
  assert.equal(resizeGrayToHeight(image, 500), image, 'never enlarged');
});
