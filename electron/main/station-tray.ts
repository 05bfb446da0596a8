import type { MenuItemConstructorOptions } from 'electron';
import { describeNotice, glanceAtStation, noticesBetween, type StationLook } from '../shared/station/station-state.js';
import type { Translate } from '../shared/check-messages.js';

/** The parts of Electron's Tray the station uses (a stand-in in tests). */
export interface TrayLike {
  setToolTip(text: string): void;
  setContextMenu(menu: unknown): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

/** What the tray reads and does; core in the app, stand-ins in tests. */
export interface StationTrayOptions {
  tray: TrayLike;
  buildMenu(template: MenuItemConstructorOptions[]): unknown;
  t: () => Translate;
  look(): Promise<{ queue: Parameters<typeof glanceAtStation>[0] & StationLook['queue']; watch: Parameters<typeof glanceAtStation>[1] }>;
  setPaused(paused: boolean): Promise<void>;
  open(): void;
  quit(): void;
  /** Shows a desktop notification (the clerk may be at the scanner, not the screen). */
  notify(title: string, body: string): void;
  everyMs?: number;
}

/**
 * The tray icon of a station that runs all day: its tooltip says what the station is doing
 * (watching, sending, held, paused), its menu opens the window, pauses or resumes uploads, or quits;
 * a bill newly held or a pause a person must fix raises a desktop notification. Looks every few
 * seconds; a failed look keeps the last state.
 */
export function startStationTray(options: StationTrayOptions): { refresh(): Promise<void>; stop(): void } {
  let previous: StationLook | null = null;
  let stopped = false;
  const refresh = async () => {
    let seen: Awaited<ReturnType<StationTrayOptions['look']>>;
    try {
      seen = await options.look();
    } catch {
      return;
    }
    if (stopped) return;
    const t = options.t();
    const glance = glanceAtStation(seen.queue, seen.watch);
    options.tray.setToolTip(`${t('app.name')} · ${t(`tray.states.${glance.state}`, { count: glance.held || glance.toGo })}`);
    options.tray.setContextMenu(
      options.buildMenu([
        { label: t(`tray.states.${glance.state}`, { count: glance.held || glance.toGo }), enabled: false },
        { type: 'separator' },
        { label: t('tray.open'), click: () => options.open() },
        glance.pausedByPerson ? { label: t('queuePanel.resume'), click: () => void options.setPaused(false).then(refresh) } : { label: t('queuePanel.pause'), click: () => void options.setPaused(true).then(refresh) },
        { type: 'separator' },
        { label: t('tray.quit'), click: () => options.quit() },
      ]),
    );
    const next: StationLook = { queue: seen.queue, heldAtIntake: Math.max(0, seen.watch.counts.held - seen.queue.counts.held) };
    for (const notice of noticesBetween(previous, next)) {
      const words = describeNotice(t, notice);
      options.notify(words.title, words.body);
    }
    previous = next;
  };
  options.tray.on('click', () => options.open());
  void refresh();
  const timer = setInterval(() => void refresh(), options.everyMs ?? 3000);
  timer.unref?.();
  return {
    refresh,
    stop() {
      stopped = true;
      clearInterval(timer);
      options.tray.destroy();
    },
  };
}
