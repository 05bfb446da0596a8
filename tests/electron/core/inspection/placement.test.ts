import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyPlacement } from '../../../../electron/core/inspection/placement.js';

const a4 = { widthMm: 210, heightMm: 297 };
const at = (x: number, y: number, size = 22) => classifyPlacement({ x, y, w: size, h: size }, a4);

test('corners, centre and edges of an A4 page', () => {
  assert.equal(at(176, 12), 'top-right');
  assert.equal(at(12, 12), 'top-left');
  assert.equal(at(176, 263), 'bottom-right');
  assert.equal(at(12, 263), 'bottom-left');
  assert.equal(at(94, 137), 'center');
  assert.equal(at(94, 12), 'edge', 'top middle is not a corner');
  assert.equal(at(12, 137), 'edge', 'left middle is not a corner');
});

test('works for landscape and A5 pages too', () => {
  assert.equal(classifyPlacement({ x: 260, y: 10, w: 20, h: 20 }, { widthMm: 297, heightMm: 210 }), 'top-right');
  assert.equal(classifyPlacement({ x: 115, y: 12, w: 20, h: 20 }, { widthMm: 148, heightMm: 210 }), 'top-right');
});
