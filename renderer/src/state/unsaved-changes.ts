import { useEffect, useSyncExternalStore } from 'react';
import type { AreaId } from '../areas/areas.js';

/** Which parts of which areas hold edits (an area may have several panels, e.g. Settings). */
const dirtyParts = new Map<AreaId, Set<string>>();
const listeners = new Set<() => void>();
let snapshot: readonly AreaId[] = [];

function publish(): void {
  snapshot = [...dirtyParts].filter(([, parts]) => parts.size > 0).map(([area]) => area);
  for (const listener of listeners) listener();
}

/**
 * Marks an area as holding edits that leaving the app would lose. Areas live for the app's
 * lifetime (hidden, not unmounted, when the clerk looks elsewhere, which also tears down their
 * effects), so the mark is only ever changed by the area itself, never by a cleanup.
 */
export function useUnsavedChanges(area: AreaId, dirty: boolean, part = 'main'): void {
  useEffect(() => {
    const parts = dirtyParts.get(area) ?? new Set<string>();
    dirtyParts.set(area, parts);
    if (dirty === parts.has(part)) return;
    if (dirty) parts.add(part);
    else parts.delete(part);
    publish();
  }, [area, dirty, part]);
}

/** The areas with unsaved edits, re-rendering when that changes. */
export function useDirtyAreas(): readonly AreaId[] {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => snapshot,
  );
}

/**
 * Asks before the window is closed or reloaded while any area has unsaved edits: the browser
 * shows its own prompt; the desktop shell turns the same event into a native dialog.
 */
export function useLeaveGuard(): void {
  const dirty = useDirtyAreas();
  useEffect(() => {
    if (dirty.length === 0) return;
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Older Chromium (and Electron's will-prevent-unload) still look at returnValue.
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [dirty]);
}
