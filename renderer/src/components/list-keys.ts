/**
 * Arrow keys in a selectable list: moves the selection to the row above or below (kept inside the
 * list) and focus with it. Rows are buttons carrying `data-key`.
 */
export function moveSelectionByKey(event: React.KeyboardEvent<HTMLElement>, keys: readonly string[], selected: string | null, select: (key: string) => void): void {
  if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
  event.preventDefault();
  const index = keys.indexOf(selected ?? '');
  const next = keys[Math.max(0, Math.min(keys.length - 1, index + (event.key === 'ArrowDown' ? 1 : -1)))];
  if (next === undefined) return;
  select(next);
  event.currentTarget.querySelector<HTMLButtonElement>(`[data-key="${next}"]`)?.focus();
}
