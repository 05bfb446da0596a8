import type { Page } from 'playwright-core';

/** One thing wrong with what the clerk sees. */
export interface LayoutViolation {
  kind: 'page-scrolls-sideways' | 'content-scrolls-sideways' | 'status-bar-hidden' | 'header-hidden' | 'outside-panel' | 'outside-window' | 'text-clipped';
  what: string;
  px: number;
}

/**
 * Measures the current screen: nothing scrolls sideways, the header and status bar are in the
 * window, and no visible control (input, button, select, image, table) pokes out of its panel or
 * the window, nor a badge out of the box it sits in. Runs in the page; returns every violation so a failure names them all.
 */
export async function findLayoutViolations(page: Page): Promise<LayoutViolation[]> {
  // tsx keeps function names by wrapping them in __name(), which the page does not have.
  await page.evaluate('globalThis.__name ??= (target) => target');
  return page.evaluate(() => {
    const out: LayoutViolation[] = [];
    const tolerance = 1;
    const describe = (element: Element) => {
      const test = element.getAttribute('data-testid');
      const text = (element.textContent ?? '').trim().slice(0, 30);
      return `${element.tagName.toLowerCase()}${test ? `[data-testid=${test}]` : ''}${element.className && typeof element.className === 'string' ? `.${element.className.split(' ').join('.')}` : ''}${text ? ` “${text}”` : ''}`;
    };
    const root = document.scrollingElement ?? document.documentElement;
    if (root.scrollWidth > window.innerWidth + tolerance) out.push({ kind: 'page-scrolls-sideways', what: 'document', px: root.scrollWidth - window.innerWidth });
    const content = document.querySelector('.content');
    if (content && content.scrollWidth > content.clientWidth + tolerance) out.push({ kind: 'content-scrolls-sideways', what: '.content', px: content.scrollWidth - content.clientWidth });
    for (const [selector, kind] of [
      ['[data-testid="status-bar"]', 'status-bar-hidden'],
      ['.top-bar', 'header-hidden'],
    ] as const) {
      const box = document.querySelector(selector)?.getBoundingClientRect();
      if (!box || box.top < -tolerance || box.bottom > window.innerHeight + tolerance || box.height === 0) out.push({ kind, what: selector, px: box ? Math.round(box.bottom - window.innerHeight) : -1 });
    }
    const controls = document.querySelectorAll('main input:not([type=file]):not([type=radio]), main button, main select, main textarea, main img, main table, main .pill');
    for (const control of controls) {
      const box = control.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      const style = getComputedStyle(control);
      if (style.visibility === 'hidden' || style.display === 'none') continue;
      if (control.closest('.visually-hidden, dialog:not([open])')) continue;
      const panel = control.closest('.panel, dialog');
      const frame = panel?.getBoundingClientRect() ?? content?.getBoundingClientRect();
      if (frame && (box.left < frame.left - tolerance || box.right > frame.right + tolerance)) {
        out.push({ kind: 'outside-panel', what: describe(control), px: Math.round(Math.max(frame.left - box.left, box.right - frame.right)) });
      }
      if (box.right > window.innerWidth + tolerance) out.push({ kind: 'outside-window', what: describe(control), px: Math.round(box.right - window.innerWidth) });
    }
    // Badges and chips stay inside the box they sit in (a trace card's side, a table cell), not just the panel.
    for (const badge of document.querySelectorAll('main .erp-badge, main .disagree-chip, main .owner-chip')) {
      const box = badge.getBoundingClientRect();
      const frame = badge.parentElement?.closest('.trace-side, td, .trace-card, .panel')?.getBoundingClientRect();
      if (box.width === 0 || !frame) continue;
      if (box.left < frame.left - tolerance || box.right > frame.right + tolerance) out.push({ kind: 'outside-panel', what: describe(badge), px: Math.round(Math.max(frame.left - box.left, box.right - frame.right)) });
    }
    // Text cut off inside its own box (a navigation label, a button caption, the status bar).
    for (const element of document.querySelectorAll('.nav-label, button, .status-item, .pill')) {
      const box = element.getBoundingClientRect();
      if (box.width === 0 || element.closest('main [hidden], .visually-hidden')) continue;
      if (element.scrollWidth > element.clientWidth + tolerance) out.push({ kind: 'text-clipped', what: describe(element), px: element.scrollWidth - element.clientWidth });
    }
    return out;
  });
}

/** Throws with every violation listed when the current screen breaks the layout rules. */
export async function assertLayout(page: Page, label: string): Promise<void> {
  const violations = await findLayoutViolations(page);
  if (violations.length > 0) throw new Error(`layout broken on ${label}:\n${violations.map((v) => `  ${v.kind} ${v.what} (${v.px} px)`).join('\n')}`);
}
