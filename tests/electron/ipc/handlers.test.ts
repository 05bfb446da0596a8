import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import sharp from 'sharp';
import type { PrintPage } from '../../../electron/core/cover/cover-service.js';
import { createHandlers } from '../../../electron/ipc/handlers.js';
import { makeCoreHarness } from '../../helpers/core-harness.js';

const harness = await makeCoreHarness();
after(() => harness.core.close());
const layout = { paper: 'a4' as const, corner: 'top-right' as const, sizeMm: 22, ecLevel: 'M' as const };
const rows = [
  { line: 2, fields: { code: 'FY-PRINT-0001', submitter: '张三' } },
  { line: 3, fields: { code: 'FY-PRINT-0002' } },
  { line: 4, fields: { code: 'bad code' } },
];

test('covers:print hands the desktop shell one 200-dpi page picture per self-checked cover', async () => {
  const printed: PrintPage[][] = [];
  const handlers = createHandlers(harness.core, 'electron', {
    printPages: async (pages) => {
      printed.push(pages);
      return { printed: true };
    },
  });
  const events: unknown[] = [];
  const result = await handlers['covers:print']({ jobId: 'p1', layout, rows }, { emit: (_event, payload) => events.push(payload) });
  assert.deepEqual([result.printed, result.written, result.rejected.map((entry) => [entry.line, entry.problem.reason])], [true, 2, [[4, 'invalid-code']]]);
  assert.equal(printed.length, 1);
  assert.equal(printed[0]?.length, 2);
  const first = printed[0]?.[0] as PrintPage;
  assert.ok(Math.abs(first.widthMm - 210) < 0.5 && Math.abs(first.heightMm - 297) < 0.5);
  const meta = await sharp(first.png).metadata();
  // A4 at 200 dpi is 1654 × 2339 px; PDFium floors the scaled size.
  assert.ok(Math.abs((meta.width ?? 0) - 1654) <= 3 && Math.abs((meta.height ?? 0) - 2339) <= 3, `${meta.width}×${meta.height}`);
  assert.ok(events.length > 0, 'progress was reported');
});

test('without a desktop shell (browser mode, CLI) covers:print says so and prints nothing', async () => {
  const handlers = createHandlers(harness.core, 'browser');
  const result = await handlers['covers:print']({ jobId: 'p2', layout, rows }, { emit: () => undefined });
  assert.deepEqual(result, { printed: false, reason: 'unavailable', written: 0, rejected: [] });
});

test('the start-at-login choice is saved and handed to the desktop shell; without a shell it is only saved', async () => {
  const applied: boolean[] = [];
  const handlers = createHandlers(harness.core, 'electron', { printPages: async () => ({ printed: false }), applyStartAtLogin: (enabled) => void applied.push(enabled) });
  const noop = { emit: () => undefined };
  assert.equal((await handlers['prefs:set']({ startAtLogin: true }, noop)).startAtLogin, true);
  assert.equal((await handlers['prefs:set']({ lastArea: 'covers' }, noop)).startAtLogin, true, 'other changes leave it');
  assert.equal((await handlers['prefs:set']({ startAtLogin: false }, noop)).startAtLogin, false);
  assert.deepEqual(applied, [true, false], 'the shell hears only changes of the choice');
  assert.equal((await createHandlers(harness.core, 'browser')['prefs:set']({ startAtLogin: true }, noop)).startAtLogin, true);
});
