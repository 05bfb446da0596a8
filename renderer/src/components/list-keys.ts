/**
 * Arrow keys in a selectable list: Up/Down move the selection to the row above or below (kept
 * inside the list), Home/End to the first or last, and focus goes with it. Rows are buttons
 * carrying `data-key`.
 */
export function moveSelectionByKey(event: React.KeyboardEvent<HTMLElement>, keys: readonly string[], selected: string | null, select: (key: string) => void): void {
  if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp' && event.key !== 'Home' && event.key !== 'End') return;
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  event.preventDefault();
  const index = keys.indexOf(selected ?? '');
  const wanted = event.key === 'Home' ? 0 : event.key === 'End' ? keys.length - 1 : index + (event.key === 'ArrowDown' ? 1 : -1);
  const next = keys[Math.max(0, Math.min(keys.length - 1, wanted))];
  if (next === undefined) return;
  select(next);
  event.currentTarget.querySelector<HTMLButtonElement>(`[data-key="${next}"]`)?.focus();
}

/**
 * The one row of a roving-tabindex list that Tab lands on: the selected row when it is shown,
 * else the first. Every other row gets tabIndex -1, so the list is a single Tab stop.
 */
export function tabStopKey(keys: readonly string[], selected: string | null): string | null {
  return selected !== null && keys.includes(selected) ? selected : (keys[0] ?? null);
}
