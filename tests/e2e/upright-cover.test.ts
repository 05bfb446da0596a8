import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { en } from '../../electron/shared/i18n/en.js';
import { zhCN } from '../../electron/shared/i18n/zh-cn.js';
import { writeStack } from '../fixtures/stacks.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { dropFile } from './helpers/drop-file.js';
import { findLayoutViolations } from './helpers/layout.js';
import { openUiSession, type UiSession } from './helpers/ui-session.js';

let session: UiSession;
let page: Page;

before(async () => {
  session = await openUiSession({ area: 'scanDesk', viewport: { width: 1024, height: 700 } });
  page = session.page;
});

after(() => session?.close());

test('a bill whose cover was fed upside down says on the Scan desk that its cover was turned upright, and whether losslessly; a bill fed upright says nothing', async () => {
  const file = await writeStack([{ kind: 'cover', code: 'FY-2026-000681' }, { kind: 'content' }, { kind: 'cover', code: 'FY-2026-000682', upsideDown: true }, { kind: 'content' }], await makeTempDir(), 'pdf');
  await dropFile(page, '倒放封面.pdf', await readFile(file), 'application/pdf', 'desk-drop-zone');
  await page.getByTestId('desk-notice').getByText(/^倒放封面\.pdf：/).waitFor({ timeout: 60_000 });
  await page.getByTestId('desk-row-FY-2026-000682').click();
  const note = page.getByTestId('desk-upright');
  await note.getByText(zhCN.scanDeskPage.upright.saved).waitFor();
  assert.equal(await note.getAttribute('data-lossless'), 'false');
  assert.deepEqual(await findLayoutViolations(page), []);
  await page.getByTestId('desk-row-FY-2026-000681').click();
  await note.waitFor({ state: 'detached' });
  assert.ok(en.scanDeskPage.upright.saved.includes('not lossless'));
});
