import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MenuItemConstructorOptions } from 'electron';
import { startStationTray } from '../../../electron/main/station-tray.js';
import { createTranslator } from '../../../electron/shared/i18n/catalog.js';

/** A stand-in tray that keeps what it was told. */
function fakeTray() {
  const state = { tip: '', menu: [] as MenuItemConstructorOptions[], clicks: [] as Array<() => void>, destroyed: false };
  return { state, tray: { setToolTip: (text: string) => void (state.tip = text), setContextMenu: (menu: unknown) => void (state.menu = menu as MenuItemConstructorOptions[]), on: (_event: 'click', listener: () => void) => state.clicks.push(listener), destroy: () => void (state.destroyed = true) } };
}

const counts = (extra: Partial<Record<'queued' | 'sending' | 'waiting' | 'held' | 'done', number>> = {}) => ({ queued: 0, sending: 0, waiting: 0, held: 0, done: 0, ...extra });

test('the tray says what the station does, offers open / pause or resume / quit, and notifies a newly held bill once', async () => {
  const { state, tray } = fakeTray();
  let queue = { state: 'sending' as 'sending' | 'paused' | 'idle' | 'waiting', reason: null as null | 'paused-by-person' | 'fix-settings', counts: counts({ queued: 2, sending: 1 }), bills: [] as Array<{ id: string; code: string; state: 'queued' | 'held' | 'sending' | 'waiting' | 'done' }> };
  let watch = { status: { state: 'watching' as const, folder: 'D:\\Scans', lastLookAt: null, waiting: 0 }, counts: { ready: 3, held: 0 } };
  const notified: string[] = [];
  const calls: string[] = [];
  const t = createTranslator('zh-CN').t;
  const station = startStationTray({
    tray,
    buildMenu: (template) => template,
    t: () => t,
    look: async () => ({ queue, watch }),
    setPaused: async (paused) => {
      calls.push(paused ? 'pause' : 'resume');
      queue = { ...queue, state: paused ? 'paused' : 'idle', reason: paused ? 'paused-by-person' : null };
    },
    open: () => calls.push('open'),
    quit: () => calls.push('quit'),
    notify: (title, body) => notified.push(`${title}: ${body}`),
    everyMs: 60_000,
  });
  try {
    await station.refresh();
    assert.match(state.tip, /扫描台助手 · 正在上传，还有 3 张/);
    const labels = () => state.menu.map((item) => item.label ?? item.type);
    assert.deepEqual(labels(), ['正在上传，还有 3 张', 'separator', '打开扫描台助手', '暂停上传', 'separator', '退出（处理完正在上传的页面后）']);
    // The clerk pauses from the tray: the menu then offers resume.
    state.menu[3]?.click?.({} as never, undefined, {} as never);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(calls, ['pause']);
    assert.equal(labels()[3], '恢复上传');
    assert.match(state.tip, /上传已暂停/);
    assert.deepEqual(notified, [], 'a person\'s own pause is no news');
    // A bill is held by the server: one notification, not one per look.
    queue = { ...queue, state: 'idle', reason: null, counts: counts({ held: 1 }), bills: [{ id: 's-1', code: 'FY-2026-000501', state: 'held' }] };
    // The one status model's counts hold it too (a refused bill is held everywhere), counted once.
    watch = { ...watch, counts: { ready: 2, held: 1 } };
    await station.refresh();
    await station.refresh();
    assert.deepEqual(notified, ['单据暂扣，需要处理: 单据 FY-2026-000501 的上传已暂扣：请到“扫描台”查看原因。']);
    assert.match(state.tip, /有 1 张单据需要处理/);
    // The server refuses the station: the pause a person must fix is announced.
    queue = { ...queue, state: 'paused', reason: 'fix-settings' };
    await station.refresh();
    assert.equal(notified.length, 2);
    assert.match(notified[1] ?? '', /上传已暂停: 影像系统拒绝了本机/);
    // Clicking the icon opens the window; quit goes through the app's quit.
    state.clicks[0]?.();
    state.menu.at(-1)?.click?.({} as never, undefined, {} as never);
    assert.deepEqual(calls.slice(-2), ['open', 'quit']);
  } finally {
    station.stop();
  }
  assert.equal(state.destroyed, true);
});
