// Where the keyboard goes on the scan desk: a row of the bill list.
import { focusWhenPainted } from '../../components/focus.js';

/** Moves the focus to the bill list's row `key` once it is painted. */
export function focusRow(key: string): void {
  focusWhenPainted(() => document.querySelector<HTMLElement>(`[data-testid="desk-rows"] [data-key="${CSS.escape(key)}"]`));
}
